/*
 * The in-page test client of the browser tests: `window.kit`, in every page of the suite.
 *
 * Loaded before any page script (Playwright's add_init_script, tests/conftest.py), so a test
 * can open Socket.IO connections of its own beside the console's, each remembering what it
 * heard, and the suite can close every connection a test left open before the next test
 * reuses the page. Plain ES2020: it runs as it is, in Chromium, with the page's global `io`.
 */
(() => {
  'use strict';

  const opened = new Set(); // every socket made through io() or kit on this page

  // The vendored client assigns the global `io` when it loads, after this script: wrap it
  // then, so that every socket a page or a test opens with io() is known to closeAll().
  let io;
  Object.defineProperty(window, 'io', {
    configurable: true,
    get: () => io,
    set(client) {
      const tracked = (...args) => {
        const socket = client(...args);
        opened.add(socket);
        return socket;
      };
      io = Object.assign(tracked, client); // io.Manager, io.Socket, io.protocol, io.connect
    },
  });

  /** Every event a socket receives, in order: `socket.heard` is [[event, ...args], ...]. */
  function remember(socket) {
    socket.heard = [];
    socket.onAny((event, ...args) => socket.heard.push([event, ...args]));
    socket.on('disconnect', (reason) => socket.heard.push(['disconnect', reason]));
    return socket;
  }

  const kit = {
    /** How long kit waits for an answer, in ms (set by the suite from its one constant). */
    waitMs: 5000,

    /**
     * A socket on a new connection (like another tab) to `namespace`; not waited for.
     * `namespace` null: io() called without one, as a page that names none does.
     * Options are io()'s (auth, query, transports: WebSocket only unless told), plus:
     *   manager  an io.Manager: the namespace on that connection instead of a new one;
     *   answers  {event: value}: acknowledge each `event` the server asks about with value.
     */
    socket(namespace = '/', { manager, answers = {}, ...options } = {}) {
      const settings = {
        path: window.Playground?.socketioPath ?? '/socket.io',
        forceNew: true,
        transports: ['websocket'],
        ...options,
      };
      let socket;
      if (manager) socket = manager.socket(namespace, settings);
      else socket = namespace === null ? io(settings) : io(namespace, settings);
      opened.add(socket);
      for (const [event, value] of Object.entries(answers)) {
        socket.on(event, (...args) => args.at(-1)(value));
      }
      return remember(socket);
    },

    /** A new connection's socket once connected; rejects with the connect_error (and closes). */
    connect(namespace = '/', options = {}) {
      return kit.connected(kit.socket(namespace, options));
    },

    /** Resolves with `socket` once connected; rejects with its connect_error, closing it. */
    connected(socket) {
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (err) => {
          socket.close();
          reject(err);
        });
      });
    },

    /** "connected", or the refusal as {message, data}: for tests about refusals. */
    refusal(namespace = '/', options = {}) {
      return kit.connect(namespace, options).then(
        (socket) => {
          socket.close();
          return 'connected';
        },
        (err) => ({ message: err.message, data: err.data ?? null }),
      );
    },

    /** Emits and resolves with the handler's acknowledgement (its first argument). */
    send(socket, event, ...args) {
      return socket.timeout(kit.waitMs).emitWithAck(event, ...args);
    },

    /** The first argument of every `event` the socket heard, in order. */
    heard(socket, event) {
      return socket.heard.filter(([name]) => name === event).map(([, first]) => first);
    },

    /** Resolves once the socket has heard `count` events named `event`, 'disconnect' included. */
    until(socket, event, count = 1) {
      return new Promise((resolve, reject) => {
        const stop = () => {
          clearTimeout(timer);
          socket.offAny(check);
          socket.off('disconnect', check); // after remember()'s listener: heard has it by then
        };
        const timer = setTimeout(() => {
          stop();
          const got = kit.heard(socket, event).length;
          reject(new Error(`${got} of ${count} "${event}" events within ${kit.waitMs} ms`));
        }, kit.waitMs);
        function check() {
          if (kit.heard(socket, event).length < count) return;
          stop();
          resolve(socket);
        }
        socket.onAny(check);
        socket.on('disconnect', check);
        check();
      });
    },

    /** An HTTP request to the page's server; resolves with {status, body} (JSON, else text). */
    async http(method, path, fields) {
      const body = fields ? new URLSearchParams(fields) : undefined;
      const response = await fetch(path, { method, body });
      const text = await response.text();
      let parsed = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the text as it came
      }
      return { status: response.status, body: parsed };
    },

    /**
     * Forgets what a test did in this page, so the next test may reuse it: closes every
     * connection opened on it (no reconnection left pending) but the console's server view,
     * which a fresh page has too, and deletes the globals the page did not have when it had
     * loaded (`window.me = …` in a test).
     */
    reset() {
      const serverView = window.Playground?.serverView?.socket;
      for (const socket of opened) {
        if (socket === serverView) continue;
        socket.io.reconnection(false);
        socket.disconnect();
      }
      opened.clear();
      if (serverView) opened.add(serverView);
      for (const name of Object.keys(window)) {
        if (loadedGlobals && !loadedGlobals.has(name)) delete window[name];
      }
    },
  };

  let loadedGlobals = null;
  window.addEventListener('load', () => {
    loadedGlobals = new Set(Object.keys(window));
  });
  window.kit = kit;
})();
