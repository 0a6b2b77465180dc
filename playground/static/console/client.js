// A console client: one Socket.IO connection, its state, and the API lesson scripts call.

import { ClientPanel } from './client-panel.js';
import { trackEmits } from './emit-tracker.js';
import { DEFAULT_ACK_TIMEOUT_MS, MAX_TIMEOUT_MS, normalizeNamespace, parseTimeout } from './parse.js';
import { largestMessage, refusal, sizeDisconnect, watchMaxPayload } from './payload-limit.js';

const CONNECT_ERROR_PACKET = 4; // Socket.IO protocol packet type
// Names socket.emit() refuses; checked before socket.timeout() sets its flag.
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
// socket.io-client's error for an ack that did not come in time.
const ACK_TIMEOUT_MESSAGE = 'operation has timed out';

/**
 * Events it dispatches (it is an EventTarget):
 * - "change": its connection changed (connected, disconnected, upgraded): its sid or
 *   transport may read differently now;
 * - "removed": it was removed (its panel is gone, its connection closed);
 *   `detail.fromUi` is true when its Remove button did it.
 */
export class Client extends EventTarget {
  #name;
  #socket = null;
  #status = 'disconnected';
  #pending = null; // {socket, resolve, reject} of the connect() in flight
  #waiters = new Set(); // waitFor() calls in flight
  #removed = false;
  #socketioPath;
  #panel;
  #maxPayload = null; // bytes, as the server's last handshake announced
  #lastSent = null; // bytes of the largest message of the last emit sent

  constructor({ name, namespace = '/', auth, socketioPath = '/socket.io' } = {}) {
    super();
    this.#name = name;
    this.#socketioPath = socketioPath;
    this.#panel = new ClientPanel({
      name,
      namespace: normalizeNamespace(namespace),
      auth,
      actions: {
        connect: () => this.connect().catch(() => {}), // failure is already in the log and the badge
        disconnect: () => this.disconnect(),
        emit: (emit) => this.#emitFromForm(emit),
        remove: () => this.#remove(true),
      },
    });
    this.#setStatus('disconnected');
  }

  get name() {
    return this.#name;
  }

  /** The current socket.io-client Socket (null before the first connect()). */
  get socket() {
    return this.#socket;
  }

  /** The panel's <section>. */
  get panel() {
    return this.#panel.element;
  }

  /** The namespace field's current value (what Connect will use). */
  get namespace() {
    return this.#panel.namespace;
  }

  /**
   * Current status: disconnected | connecting | connected | refused (by the server) |
   * unreachable (no server answers; Socket.IO retries).
   */
  get status() {
    return this.#status;
  }

  /** The largest message the server accepts, in bytes (its handshake says), or null before one. */
  get maxPayload() {
    return this.#maxPayload;
  }

  /**
   * Opens a fresh connection (a previous one is closed first). Resolves on
   * 'connect'; rejects with the Error of 'connect_error' after logging it.
   * `auth` defaults to the panel's auth field (empty: none); an invalid field
   * rejects without closing the current connection. Extra options (e.g.
   * transports) are passed to io() as-is; `path` defaults to the page's.
   */
  connect({ namespace, auth, query, ...options } = {}) {
    if (this.#removed) return Promise.reject(new Error(`${this.#name}: client removed`));
    if (typeof window.io !== 'function') {
      const err = new Error('Socket.IO client not loaded (global io is missing)');
      this.log('sys', 'error', err.message);
      return Promise.reject(err);
    }
    if (auth === undefined) {
      const result = this.#panel.readAuth();
      if (!result.ok) {
        const err = new Error(`${this.#name}: auth (JSON): ${result.error}`);
        this.log('sys', 'error', `auth (JSON): ${result.error}`);
        return Promise.reject(err);
      }
      auth = result.value;
    }
    if (namespace !== undefined) this.#panel.namespace = namespace;
    const nsp = normalizeNamespace(this.#panel.namespace);
    this.#panel.namespace = nsp;

    this.#close('superseded by a new connect()');

    // forceNew: each console client gets its own Manager, i.e. its own
    // engine.io connection, like separate browser tabs would.
    const opts = { path: this.#socketioPath, ...options, forceNew: true, autoConnect: false };
    // Only pass what was given: an explicit `query: undefined` would replace
    // engine.io's default {} and break the handshake URL.
    if (auth !== undefined) opts.auth = auth;
    if (query !== undefined) opts.query = query;

    const socket = window.io(nsp, opts);
    this.#socket = socket;
    watchMaxPayload(socket.io, (limit) => {
      if (this.#socket === socket) this.#maxPayload = limit;
    });
    const promise = new Promise((resolve, reject) => {
      this.#pending = { socket, resolve, reject };
    });
    this.#wire(socket);
    this.#setStatus('connecting');
    socket.connect();
    return promise;
  }

  /** Closes the connection and stops any automatic reconnection. */
  disconnect() {
    const socket = this.#socket;
    if (!socket) return;
    const wasTrying = socket.active && !socket.connected;
    // Fires 'disconnect' synchronously when connected, which logs the entry.
    if (socket.active || socket.connected) socket.disconnect();
    this.#rejectPending('disconnect() called before the connection was established');
    // A refusal stays visible until the user connects again; an attempt in
    // progress (first connect or auto-reconnect) is now simply cancelled.
    this.#setStatus(wasTrying ? 'disconnected' : this.#status);
  }

  /**
   * Emits an event; the entry is logged when it is actually sent. While a
   * connection attempt is in progress Socket.IO buffers it. An emit over the server's
   * payload limit is refused (and logged) instead: the server would close the connection.
   */
  emit(event, ...args) {
    const socket = this.#socket;
    if (!socket || !(socket.connected || socket.active)) {
      this.log('sys', 'error', 'not connected: nothing sent');
      return;
    }
    const tooLarge = this.#overLimit(socket, event, args, null);
    if (tooLarge) {
      this.log('sys', 'error', tooLarge);
      return;
    }
    socket.emit(event, ...args);
  }

  /**
   * Emits `event` with the array `args` and asks for an acknowledgement:
   * `socket.timeout(ms).emit(event, ...args, (err, ...ackArgs) => ...)`.
   * Logs an "ack" entry when the answer (or the timeout) comes, then
   * resolves with the ack arguments (an array) or rejects.
   */
  emitWithAck(event, args = [], { timeout = DEFAULT_ACK_TIMEOUT_MS } = {}) {
    const list = args === undefined ? [] : Array.isArray(args) ? args : [args];
    const name = String(event);
    const ms = parseTimeout(timeout);
    if (ms === null) {
      const err = new RangeError(`${this.#name}: ack timeout must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}`);
      this.log('sys', 'error', err.message);
      return Promise.reject(err);
    }
    const socket = this.#socket;
    if (!socket || !(socket.connected || socket.active)) {
      this.log('sys', 'error', 'not connected: nothing sent');
      return Promise.reject(new Error(`${this.#name}: not connected: nothing sent`));
    }
    if (RESERVED_EVENTS.has(name)) {
      // Same text as socket.emit's own error; checked here so that the
      // timeout flag is not left set on the socket for its next emit.
      const err = new Error(`"${name}" is a reserved event name`);
      this.log('sys', 'error', err.message);
      return Promise.reject(err);
    }
    const tooLarge = this.#overLimit(socket, name, list, socket.ids);
    if (tooLarge) {
      this.log('sys', 'error', tooLarge);
      return Promise.reject(new Error(`${this.#name}: ${tooLarge}`));
    }
    return new Promise((resolve, reject) => {
      const onAck = (err, ...ackArgs) => {
        // Answers for a socket this client has replaced are not its story any more.
        const shown = this.#socket === socket && !this.#removed;
        if (!err) {
          if (shown) this.log('ack', name, ackArgs);
          resolve(ackArgs);
          return;
        }
        const timedOut = err.message === ACK_TIMEOUT_MESSAGE;
        if (shown) {
          const text = timedOut ? `timeout: no ack within ${ms} ms` : `no ack: ${err.message}`;
          this.log('ack', name, text).classList.add(timedOut ? 'timeout' : 'error');
        }
        reject(timedOut ? new Error(`${this.#name}: no ack for "${name}" within ${ms} ms`) : err);
      };
      try {
        socket.timeout(ms).emit(name, ...list, onAck);
      } catch (err) {
        this.log('sys', 'error', err.message);
        reject(err);
      }
    });
  }

  /**
   * Resolves with the arguments of the next incoming `event` (an ack
   * function, if the server asked for one, is the last argument). Also
   * works for 'connect' ([]), 'disconnect' ([reason]), 'connect_error' ([err]).
   * Rejects after timeoutMs (pass Infinity for no timeout), or when the client is removed.
   */
  waitFor(event, timeoutMs = 5000) {
    if (this.#removed) return Promise.reject(new Error(`${this.#name}: client removed`));
    return new Promise((resolve, reject) => {
      const waiter = { event, resolve, reject, timer: null };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`${this.#name}: no "${event}" event within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.#waiters.add(waiter);
    });
  }

  /**
   * Appends a log entry and returns the <li>. `args` is the array of event
   * arguments; a string is shown verbatim (used for sys notes).
   * Directions: in | out | sys | ack. Outgoing entries get a "Code" button.
   */
  log(direction, event, args) {
    const namespace = this.#socket?.nsp ?? normalizeNamespace(this.#panel.namespace);
    return this.#panel.addEntry(direction, event, args, { namespace });
  }

  /** Removes the panel, closing the connection; its waitFor() calls reject. */
  remove() {
    this.#remove(false);
  }

  clearLog() {
    this.#panel.clearLog();
  }

  /** Scrolls its newest log entry into view (`behavior`: scrollIntoView's, 'auto' or 'smooth'). */
  reveal(behavior = 'auto') {
    this.#panel.reveal(behavior);
  }

  /** Keyboard focus on the panel's first field. */
  focus() {
    this.#panel.focus();
  }

  // ---- internals

  #remove(fromUi) {
    if (this.#removed) return;
    this.#removed = true;
    this.#close('client removed');
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${this.#name}: client removed`));
    }
    this.#waiters.clear();
    this.#panel.element.remove();
    this.dispatchEvent(new CustomEvent('removed', { detail: { fromUi } }));
  }

  /** Why an emit is over the server's limit (see payload-limit.js), or null. */
  #overLimit(socket, event, args, ackId) {
    const size = largestMessage({ namespace: socket.nsp, event: String(event), args, ackId: ackId ?? null });
    return refusal(size, this.#maxPayload);
  }

  /** The emit form's submit: its fields are valid. */
  #emitFromForm({ event, args, ack, timeout }) {
    if (!this.#socket?.connected) {
      this.log('sys', 'error', 'not connected: nothing sent');
      return;
    }
    if (ack) {
      this.emitWithAck(event, args, { timeout }).catch(() => {}); // logged as an ack entry
      return;
    }
    try {
      this.emit(event, ...args);
    } catch (err) {
      // e.g. '"connect" is a reserved event name'
      this.log('sys', 'error', err.message);
    }
  }

  #wire(socket) {
    // Events from a socket this client has replaced must not touch the panel.
    const current = () => this.#socket === socket;
    const changed = () => this.dispatchEvent(new Event('change'));

    socket.on('connect', () => {
      if (!current()) return;
      this.#setStatus('connected');
      this.#panel.showMeta({ sid: socket.id ?? '', transport: socket.io.engine?.transport?.name ?? '' });
      this.log('sys', 'connect', [{ sid: socket.id, namespace: socket.nsp }]);
      changed();
      if (this.#pending?.socket === socket) {
        this.#pending.resolve();
        this.#pending = null;
      }
      this.#dispatch('connect', []);
    });

    socket.on('disconnect', (reason, details) => {
      if (!current()) return;
      this.#setStatus('disconnected');
      this.#panel.showMeta();
      // "transport close" alone does not say that the server refused a message's size.
      const why = sizeDisconnect(reason, details, { lastSent: this.#lastSent, limit: this.#maxPayload });
      this.log('sys', 'disconnect', [why ? { reason, why } : { reason }]);
      changed();
      this.#dispatch('disconnect', [reason]);
    });

    // python-socketio refuses an unknown namespace with a bare string
    // ('Unable to connect'); the JS client reads `.message` of it and so
    // produces an Error with an empty message. Keep the string so the log
    // says why. Registered before socket.connect(), so it runs before the
    // socket's own packet handler.
    let refusalText = '';
    socket.io.on('packet', (packet) => {
      if (packet.type === CONNECT_ERROR_PACKET && packet.nsp === socket.nsp && typeof packet.data === 'string') {
        refusalText = packet.data;
      }
    });

    socket.on('connect_error', (err) => {
      if (!current()) return;
      if (!err.message && refusalText) err.message = refusalText;
      // A refusal (the server's CONNECT_ERROR: a connect handler, an unknown namespace)
      // destroys the socket (socket.active is false), so Socket.IO will not retry and
      // 'refused' stays until the next Connect. A transport failure (no server answers)
      // keeps it active: the Manager retries, and 'unreachable' stays until it connects.
      this.#setStatus(socket.active ? 'unreachable' : 'refused');
      this.#panel.showMeta();
      const payload = { message: err.message };
      if (err.data !== undefined) payload.data = err.data;
      this.log('sys', 'connect_error', [payload]);
      if (this.#pending?.socket === socket) {
        this.#pending.reject(err);
        this.#pending = null;
      }
      this.#dispatch('connect_error', [err]);
    });

    socket.onAny((event, ...args) => {
      if (!current()) return;
      this.log('in', event, args);
      this.#dispatch(event, args);
    });

    // What each emit asked for (an ack? with which timeout?), for the outgoing entry and its code.
    trackEmits(socket, ({ event, args, ack, timeout }) => {
      if (!current()) return;
      // Also what a lesson script sends on the socket itself, past the check of emit().
      this.#lastSent = largestMessage({ namespace: socket.nsp, event: String(event), args, ackId: ack ? 0 : null });
      this.#panel.addEntry('out', event, args, { namespace: socket.nsp, ack, timeout });
    });

    // The Manager creates a new engine on every (re)connection, so hook the
    // upgrade listener each time one opens.
    socket.io.on('open', () => {
      if (!current()) return;
      socket.io.engine.on('upgrade', (transport) => {
        if (current() && socket.connected) this.#panel.showMeta({ sid: socket.id, transport: transport.name });
        changed(); // the server view shows our transport at once
      });
    });

    socket.io.on('reconnect_attempt', () => {
      // Retrying an unreachable server is still "unreachable — retrying", not a new attempt.
      if (current() && !socket.connected && this.#status !== 'unreachable') this.#setStatus('connecting');
    });
  }

  /** Closes the current socket (if any) before it is replaced or removed. */
  #close(reason) {
    const socket = this.#socket;
    if (socket && (socket.active || socket.connected)) socket.disconnect();
    this.#rejectPending(reason);
  }

  #rejectPending(reason) {
    if (!this.#pending) return;
    const { reject } = this.#pending;
    this.#pending = null;
    reject(new Error(`${this.#name}: ${reason}`));
  }

  #dispatch(event, args) {
    for (const waiter of this.#waiters) {
      if (waiter.event !== event) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve(args);
    }
  }

  #setStatus(status) {
    this.#status = status;
    this.#panel.setState({ status, active: Boolean(this.#socket?.active) });
  }
}
