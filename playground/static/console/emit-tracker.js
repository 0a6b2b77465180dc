// Emit tracking: which emits of a socket asked for an ack, and with which timeout.

const MAX_BUFFERED = 200; // emits remembered while disconnected (Socket.IO buffers them)

/**
 * `trackEmits(socket, onSent)`: calls `onSent({event, args, ack, timeout})` once for each
 * packet `socket` sends, in the order they leave:
 * - `args`: the arguments as sent (the ack callback, if any, is not among them);
 * - `ack`: true when the emit passed an ack callback;
 * - `timeout`: the ms of the `socket.timeout(ms)` the emit was chained on, else undefined.
 *
 * Why it wraps: socket.io-client's onAnyOutgoing() gives only the event and its arguments.
 * So this socket's own emit() and timeout() (this instance only, not the prototype) are
 * wrapped to note what each emit asked for. A connected socket sends synchronously inside
 * emit(); an emit made while connecting is buffered by Socket.IO and sent, in order, once
 * connected: its note waits in `buffered` until then. Emits that never leave are not reported.
 * Call it before the socket connects; the wrapping lasts as long as the socket.
 */
export function trackEmits(socket, onSent) {
  const buffered = [];
  let emitting = null; // the note of the emit() in progress
  let pendingTimeout; // set by timeout(ms), taken by the next emit()
  const originalEmit = socket.emit;
  const originalTimeout = socket.timeout;

  socket.timeout = function timeout(ms) {
    pendingTimeout = ms;
    return originalTimeout.call(this, ms);
  };

  socket.emit = function emit(event, ...args) {
    const ack = typeof args[args.length - 1] === 'function';
    const note = { event: String(event), argc: args.length - (ack ? 1 : 0), ack, timeout: ack ? pendingTimeout : undefined, used: false };
    pendingTimeout = undefined;
    const wasConnected = this.connected;
    emitting = note;
    try {
      return originalEmit.call(this, event, ...args);
    } finally {
      emitting = null;
      if (!note.used && !wasConnected) {
        buffered.push(note);
        if (buffered.length > MAX_BUFFERED) buffered.shift();
      }
    }
  };

  socket.onAnyOutgoing((event, ...args) => {
    const matches = (n) => n && !n.used && n.event === String(event) && n.argc === args.length;
    let note = matches(emitting) ? emitting : null;
    if (!note) {
      const index = buffered.findIndex(matches);
      if (index !== -1) note = buffered.splice(index, 1)[0];
    }
    if (note) note.used = true;
    onSent({ event, args, ack: Boolean(note?.ack), timeout: note?.timeout });
  });
}
