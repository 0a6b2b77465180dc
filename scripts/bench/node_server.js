// The reference for scripts/bench.py: lesson 12's benchmark handlers on Node's socket.io 4.8.
//
//   NODE_PATH=<dir with socket.io in node_modules> node scripts/bench/node_server.js PORT
//
// The same events as lessons/lesson12_async_modes/app.py, written as socket.io's own docs write
// them: `echo` acknowledges its data, `broadcast` sends `news` to every client (sender included)
// and acknowledges with the number of clients, `server_info` reports like the Python app does.
// Listens on 127.0.0.1 only; prints one line once it does.
'use strict';

const http = require('node:http');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 5000);
const httpServer = http.createServer();
// Same limits as the lessons: 64 KiB messages, same-origin only (no cors option).
const io = new Server(httpServer, { maxHttpBufferSize: 64 * 1024 });

io.on('connection', (socket) => {
  socket.on('echo', (data, ack) => ack(data));
  socket.on('broadcast', (data, ack) => {
    io.emit('news', data);
    ack(io.engine.clientsCount);
  });
  socket.on('server_info', (ack) => ack({
    async_mode: 'node',
    threads: null, // libuv's thread pool is not JavaScript's to see; the benchmark reads /proc
    clients: io.engine.clientsCount,
  }));
});

httpServer.listen(port, '127.0.0.1', () => {
  const { version } = require('socket.io/package.json');
  console.log(`node ${process.version} socket.io ${version}: http://127.0.0.1:${port}/`);
});

process.on('SIGTERM', () => process.exit(0));
