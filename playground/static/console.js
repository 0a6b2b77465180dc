/*
 * Playground console: one panel per Socket.IO client, each its own connection,
 * plus a live "server view" of the server's sockets and rooms.
 *
 * Plain ES2020, no build step, no imports: the playground must work offline
 * and be readable by learners. Expects the Socket.IO client as the global `io`.
 *
 * Security rule: anything that came from the server (or from a user) is put
 * into the DOM with textContent / setAttribute only, never innerHTML.
 */
(() => {
  'use strict';

  // Loaded twice (e.g. a template includes it twice): keep the first instance,
  // otherwise the console would be built twice and lesson code would see a
  // Playground whose clients are not the ones on screen.
  if (window.Playground) return;

  const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi'];
  const DEFAULT_PAYLOAD = '"hello"';
  const DEFAULT_SOCKETIO_PATH = '/socket.io';
  const DEFAULT_ACK_TIMEOUT_MS = 5000;
  const MAX_TIMEOUT_MS = 2147483647; // setTimeout's limit
  // Keeps a long-running page (e.g. a server that is down and retried every few
  // seconds) from growing the DOM without bound.
  const MAX_ENTRIES = 1000;
  const MAX_SERVER_EVENTS = 100;
  const CONNECT_ERROR_PACKET = 4; // Socket.IO protocol packet type
  // Names socket.emit() refuses; checked before socket.timeout() sets its flag.
  const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
  // socket.io-client's error for an ack that did not come in time.
  const ACK_TIMEOUT_MESSAGE = 'operation has timed out';
  const DIRECTIONS = {
    in: { symbol: '↓', label: 'incoming' },
    out: { symbol: '↑', label: 'outgoing' },
    sys: { symbol: '•', label: 'system' },
    ack: { symbol: '↩', label: 'acknowledgement' },
  };
  const SERVER_VIEW_OFF_TEXT =
    "Server view: start the lesson through the playground (nox -s playground) to see the server's sockets and rooms.";

  let uid = 0;
  // Labels need ids; client names may contain spaces, so ids are just counters.
  const nextId = (part) => `pg-${part}-${++uid}`;

  /** Small DOM builder. `text` sets textContent, so it is safe for any data. */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of [].concat(children)) if (child) node.append(child);
    return node;
  }

  /** The Socket.IO path of this page's server (mounted lessons: "/lessons/NN/socket.io"). */
  function readSocketioPath() {
    const raw = document.getElementById('console')?.getAttribute('data-socketio-path');
    return raw && raw.trim() !== '' ? raw.trim() : DEFAULT_SOCKETIO_PATH;
  }

  // ---------------------------------------------------------------- formatting

  const pad = (n, width = 2) => String(n).padStart(width, '0');
  const formatTime = (d) =>
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;

  /** Byte size of a binary value, or null when the value is not binary. */
  function binarySize(value) {
    if (value instanceof ArrayBuffer) return value.byteLength;
    if (ArrayBuffer.isView(value)) return value.byteLength;
    if (typeof Blob !== 'undefined' && value instanceof Blob) return value.size;
    return null;
  }

  // JSON has no notation for binary, functions or bigints; show a readable stand-in
  // instead of `{}` / nothing, which would misrepresent what was sent.
  function jsonReplacer(_key, value) {
    const size = binarySize(value);
    if (size !== null) return `<binary ${size} bytes>`;
    if (typeof value === 'function') return '<function>';
    if (typeof value === 'bigint') return `${value}n`;
    return value;
  }

  function formatValue(value) {
    const size = binarySize(value);
    if (size !== null) return `<binary ${size} bytes>`;
    if (value === undefined) return 'undefined';
    try {
      const text = JSON.stringify(value, jsonReplacer, 2);
      return text === undefined ? String(value) : text;
    } catch {
      return String(value); // circular structure: still show something
    }
  }

  /** One argument: its JSON; several: a JSON array of them; none: empty. */
  function formatArgs(args) {
    if (args.length === 0) return '';
    if (args.length === 1) return formatValue(args[0]);
    return formatValue(args);
  }

  /** One line, for the server view's event list. */
  function formatCompact(args) {
    let text;
    try {
      text = args.map((a) => JSON.stringify(a, jsonReplacer) ?? String(a)).join(', ');
    } catch {
      text = args.map(String).join(', ');
    }
    return text.length > 160 ? `${text.slice(0, 159)}…` : text;
  }

  /**
   * One payload text = one argument. Empty text means "no argument".
   * Returns {ok, args} or {ok: false, error}. Kept separate from the DOM so a
   * multi-argument form can reuse it per field.
   */
  function parsePayload(text) {
    if (text.trim() === '') return { ok: true, args: [] };
    try {
      return { ok: true, args: [JSON.parse(text)] };
    } catch (err) {
      return { ok: false, error: `Invalid JSON: ${err.message}` };
    }
  }

  /** The auth field: empty = no auth; else a JSON object (what Socket.IO sends in CONNECT). */
  function parseAuth(text) {
    if (text.trim() === '') return { ok: true, value: undefined };
    let value;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { ok: false, error: `Invalid JSON: ${err.message}` };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, error: 'auth must be a JSON object, e.g. {"token": "abc"}' };
    }
    return { ok: true, value };
  }

  /** "5000" -> 5000; anything but a whole number of ms from 1 to setTimeout's limit -> null. */
  function parseTimeout(value) {
    const text = String(value ?? '').trim();
    if (!/^\d+$/.test(text)) return null;
    const ms = Number(text);
    return ms >= 1 && ms <= MAX_TIMEOUT_MS ? ms : null;
  }

  /** "chat", " /chat ", "//chat" -> "/chat"; "" -> "/". A leading "//" would be read as a host. */
  function normalizeNamespace(value) {
    const text = String(value ?? '').trim();
    return text === '' ? '/' : `/${text.replace(/^\/+/, '')}`;
  }

  // ------------------------------------------------------------ copy as code

  function bytesOf(value) {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }

  /**
   * A value as a literal of the target language: "js" or "py". Follows what
   * JSON.stringify (i.e. Socket.IO) would send: object members that are
   * undefined or functions are left out.
   */
  function literal(value, lang, seen = new Set()) {
    const py = lang === 'py';
    if (value === null || value === undefined) return py ? 'None' : String(value);
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value); // its escapes are valid in JS and in Python
      case 'boolean':
        return py ? (value ? 'True' : 'False') : String(value);
      case 'bigint':
        return py ? String(value) : `${value}n`;
      case 'number':
        if (Number.isFinite(value)) return String(value);
        if (Number.isNaN(value)) return py ? 'float("nan")' : 'NaN';
        return py ? `float("${value > 0 ? 'inf' : '-inf'}")` : String(value);
      case 'function':
      case 'symbol':
        return py ? 'None' : 'undefined';
      default:
        break;
    }
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = [...bytesOf(value)];
      if (!py) return `new Uint8Array([${bytes.join(', ')}])`;
      const body = bytes
        .map((b) => (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${pad(b.toString(16))}`))
        .join('');
      return `b'${body}'`;
    }
    if (typeof Blob !== 'undefined' && value instanceof Blob) {
      return py ? `bytes(${value.size})` : `new Blob([new Uint8Array(${value.size})])`;
    }
    if (typeof value.toJSON === 'function') return literal(value.toJSON(), lang, seen);
    if (seen.has(value)) return py ? 'None' : 'null'; // circular: Socket.IO could not send it anyway
    seen.add(value);
    let text;
    if (Array.isArray(value)) {
      text = `[${value.map((item) => literal(item, lang, seen)).join(', ')}]`;
    } else {
      const members = Object.entries(value)
        .filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol')
        .map(([k, v]) => `${JSON.stringify(k)}: ${literal(v, lang, seen)}`);
      text = `{${members.join(', ')}}`;
    }
    seen.delete(value);
    return text;
  }

  /** The browser-client line that sends this emit. */
  function jsCode({ event, args, ack, timeout }) {
    const params = [JSON.stringify(event), ...args.map((a) => literal(a, 'js'))].join(', ');
    if (!ack) return `socket.emit(${params});`;
    const via = timeout === undefined ? 'socket' : `socket.timeout(${timeout})`;
    // socket.io-client 4.8 resolves emitWithAck with the first ack argument only (lesson 07).
    return `const reply = await ${via}.emitWithAck(${params}); // the first ack argument`;
  }

  /** The Flask-SocketIO test_client line that sends the same emit. */
  function pyCode({ event, args, ack, namespace }) {
    const params = [JSON.stringify(event), ...args.map((a) => literal(a, 'py'))];
    if (ack) params.push('callback=True');
    if (namespace && namespace !== '/') params.push(`namespace=${JSON.stringify(namespace)}`);
    return `${ack ? 'reply = ' : ''}client.emit(${params.join(', ')})`;
  }

  /** Clipboard when allowed; otherwise select the text so Ctrl+C copies it. */
  function copyText(text, codeEl, button) {
    const done = () => {
      button.dataset.copied = 'true';
      button.textContent = 'Copied';
      setTimeout(() => {
        delete button.dataset.copied;
        button.textContent = 'Copy';
      }, 1500);
    };
    const selectIt = () => {
      const selection = window.getSelection?.();
      if (!selection) return;
      const range = document.createRange();
      range.selectNodeContents(codeEl);
      selection.removeAllRanges();
      selection.addRange(range);
    };
    try {
      if (navigator.clipboard?.writeText) {
        navigator.clipboard.writeText(text).then(done, selectIt);
        return;
      }
    } catch {
      // fall through: selecting is the fallback
    }
    selectIt();
  }

  function codeLine(lang, label, text) {
    const code = el('code', { class: `code-${lang}`, text });
    const copy = el('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${label} line`, text: 'Copy' });
    copy.addEventListener('click', () => copyText(text, code, copy));
    return el('div', { class: 'code-line', 'data-lang': lang }, [
      el('span', { class: 'code-lang', 'aria-hidden': 'true', text: lang === 'js' ? 'JS' : 'PY' }),
      el('span', { class: 'pg-sr-only', text: `${label}: ` }),
      code,
      copy,
    ]);
  }

  // ------------------------------------------------------------- JSON fields

  /**
   * A labelled JSON textarea with live validation: `parse(text)` returns
   * {ok, ...} or {ok: false, error}; the error is shown under the field.
   */
  function createJsonField({
    name,
    label,
    value = '',
    parse,
    fieldClass,
    errorClass,
    rows = 2,
    placeholder,
    onSubmitShortcut,
    extra = null,
  }) {
    const id = nextId(name);
    const errorId = `${id}-error`;
    const textarea = el('textarea', {
      id,
      name,
      rows,
      placeholder,
      spellcheck: 'false',
      autocomplete: 'off',
      autocapitalize: 'off',
      'aria-describedby': errorId,
    });
    textarea.defaultValue = value; // so a form reset restores it
    textarea.value = value;
    // Polite, not an alert: it updates on every keystroke.
    const error = el('p', { id: errorId, class: errorClass, 'aria-live': 'polite', hidden: true });
    const labelEl = el('label', { for: id, text: label });
    const head = extra ? el('div', { class: 'field-head' }, [labelEl, extra]) : labelEl;
    const root = el('div', { class: `field ${fieldClass}` }, [head, textarea, error]);

    function show(result) {
      error.textContent = result.ok ? '' : result.error;
      error.hidden = result.ok;
      if (result.ok) textarea.removeAttribute('aria-invalid');
      else textarea.setAttribute('aria-invalid', 'true');
      return result;
    }

    const validate = (...more) => show(parse(textarea.value, ...more));

    textarea.addEventListener('input', () => validate());
    // Ctrl/Cmd+Enter submits from the textarea, where plain Enter is a newline.
    textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && onSubmitShortcut) {
        e.preventDefault();
        onSubmitShortcut();
      }
    });
    validate();
    return { root, textarea, error, label: labelEl, validate, show };
  }

  /**
   * One argument of the emit form. `validate(strict)`: strict (at submit, with
   * several fields) also refuses an empty field, which has no JSON meaning.
   */
  function createPayloadField({ label = 'Payload (JSON)', value = DEFAULT_PAYLOAD, onSubmitShortcut, extra } = {}) {
    return createJsonField({
      name: 'payload',
      label,
      value,
      fieldClass: 'field-payload',
      errorClass: 'payload-error',
      parse: (text, strict = false) =>
        strict && text.trim() === ''
          ? { ok: false, error: 'Empty argument: type a JSON value (null for none)' }
          : parsePayload(text),
      onSubmitShortcut,
      extra,
    });
  }

  // ------------------------------------------------------------------- client

  class Client {
    constructor({ name, namespace = '/', auth } = {}, playground) {
      this.name = name;
      this.socket = null;
      this._playground = playground;
      this._status = 'disconnected';
      this._pending = null; // {socket, resolve, reject} of the connect() in flight
      this._waiters = new Set(); // waitFor() calls in flight
      this.panel = this._build(normalizeNamespace(namespace), auth);
      this._setStatus('disconnected');
    }

    /** The namespace input's current value (what Connect will use). */
    get namespace() {
      return this._nsInput.value;
    }

    /** Current status: disconnected | connecting | connected | refused. */
    get status() {
      return this._status;
    }

    // ---- public API

    /**
     * Opens a fresh connection (a previous one is closed first). Resolves on
     * 'connect'; rejects with the Error of 'connect_error' after logging it.
     * `auth` defaults to the panel's auth field (empty: none); an invalid field
     * rejects without closing the current connection. Extra options (e.g.
     * transports) are passed to io() as-is; `path` defaults to the page's.
     */
    connect({ namespace, auth, query, ...options } = {}) {
      if (typeof window.io !== 'function') {
        const err = new Error('Socket.IO client not loaded (global io is missing)');
        this.log('sys', 'error', err.message);
        return Promise.reject(err);
      }
      if (auth === undefined) {
        const result = this._authField.validate();
        if (!result.ok) {
          const err = new Error(`${this.name}: auth (JSON): ${result.error}`);
          this.log('sys', 'error', `auth (JSON): ${result.error}`);
          return Promise.reject(err);
        }
        auth = result.value;
      }
      if (namespace !== undefined) this._nsInput.value = namespace;
      const nsp = normalizeNamespace(this._nsInput.value);
      this._nsInput.value = nsp;

      this._close('superseded by a new connect()');

      // forceNew: each console client gets its own Manager, i.e. its own
      // engine.io connection, like separate browser tabs would.
      const opts = { path: readSocketioPath(), ...options, forceNew: true, autoConnect: false };
      // Only pass what was given: an explicit `query: undefined` would replace
      // engine.io's default {} and break the handshake URL.
      if (auth !== undefined) opts.auth = auth;
      if (query !== undefined) opts.query = query;

      const socket = window.io(nsp, opts);
      this.socket = socket;
      const promise = new Promise((resolve, reject) => {
        this._pending = { socket, resolve, reject };
      });
      this._wire(socket);
      this._setStatus('connecting');
      socket.connect();
      return promise;
    }

    /** Closes the connection and stops any automatic reconnection. */
    disconnect() {
      const socket = this.socket;
      if (!socket) return;
      const wasTrying = socket.active && !socket.connected;
      // Fires 'disconnect' synchronously when connected, which logs the entry.
      if (socket.active || socket.connected) socket.disconnect();
      this._rejectPending('disconnect() called before the connection was established');
      // A refusal stays visible until the user connects again; an attempt in
      // progress (first connect or auto-reconnect) is now simply cancelled.
      if (wasTrying) this._setStatus('disconnected');
      this._updateControls();
    }

    /**
     * Emits an event; the entry is logged by onAnyOutgoing when it is actually
     * sent. While a connection attempt is in progress Socket.IO buffers it.
     */
    emit(event, ...args) {
      const socket = this.socket;
      if (!socket || !(socket.connected || socket.active)) {
        this.log('sys', 'error', 'not connected: nothing sent');
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
        const err = new RangeError(`${this.name}: ack timeout must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}`);
        this.log('sys', 'error', err.message);
        return Promise.reject(err);
      }
      const socket = this.socket;
      if (!socket || !(socket.connected || socket.active)) {
        this.log('sys', 'error', 'not connected: nothing sent');
        return Promise.reject(new Error(`${this.name}: not connected: nothing sent`));
      }
      if (RESERVED_EVENTS.has(name)) {
        // Same text as socket.emit's own error; checked here so that the
        // timeout flag is not left set on the socket for its next emit.
        const err = new Error(`"${name}" is a reserved event name`);
        this.log('sys', 'error', err.message);
        return Promise.reject(err);
      }
      return new Promise((resolve, reject) => {
        const onAck = (err, ...ackArgs) => {
          // Answers for a socket this client has replaced are not its story any more.
          const shown = this.socket === socket && this.panel.isConnected;
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
          reject(timedOut ? new Error(`${this.name}: no ack for "${name}" within ${ms} ms`) : err);
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
     * Rejects after timeoutMs (pass Infinity for no timeout).
     */
    waitFor(event, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const waiter = { event, resolve, reject, timer: null };
        if (Number.isFinite(timeoutMs)) {
          waiter.timer = setTimeout(() => {
            this._waiters.delete(waiter);
            reject(new Error(`${this.name}: no "${event}" event within ${timeoutMs} ms`));
          }, timeoutMs);
        }
        this._waiters.add(waiter);
      });
    }

    /**
     * Appends a log entry and returns the <li>. `args` is the array of event
     * arguments; a string is shown verbatim (used for sys notes).
     * Directions: in | out | sys | ack. Outgoing entries get a "Code" button.
     */
    log(direction, event, args) {
      return this._appendEntry(direction, event, args);
    }

    /** Removes the panel, closing the connection. */
    remove() {
      this._close('client removed');
      for (const waiter of [...this._waiters]) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`${this.name}: client removed`));
      }
      this._waiters.clear();
      this.panel.remove();
      const list = this._playground.clients;
      const index = list.indexOf(this);
      if (index !== -1) list.splice(index, 1);
      this._playground._clientsChanged();
    }

    clearLog() {
      this._log.replaceChildren();
    }

    // ---- internals

    /** `emit`: for outgoing entries, {namespace, ack, timeout} of the emit. */
    _appendEntry(direction, event, args, emit = null) {
      const dir = Object.prototype.hasOwnProperty.call(DIRECTIONS, direction) ? direction : 'sys';
      const name = String(event);
      let text;
      let shown = [];
      let ackRequested = false;
      if (Array.isArray(args)) {
        shown = args;
        // Socket.IO appends the ack callback to incoming args; it is not payload.
        if (dir === 'in' && typeof args[args.length - 1] === 'function') {
          shown = args.slice(0, -1);
          ackRequested = true;
        }
        text = formatArgs(shown);
      } else if (args === undefined) {
        text = '';
      } else if (typeof args === 'string') {
        text = args;
        shown = [args];
      } else {
        text = formatValue(args);
        shown = [args];
      }
      if (dir === 'out' && emit?.ack) ackRequested = true;

      const now = new Date();
      const { symbol, label } = DIRECTIONS[dir];
      let ackBadge = null;
      if (ackRequested) {
        const waits = dir === 'out' && emit.timeout !== undefined ? `, waits up to ${emit.timeout} ms` : '';
        ackBadge = el('span', { class: 'ack', title: `The sender asked for an acknowledgement${waits}`, text: 'ack requested' });
      }
      const codeBtn = dir === 'out' ? el('button', { type: 'button', class: 'copy-code', 'aria-expanded': 'false', text: 'Code' }) : null;
      const li = el('li', { class: 'entry', 'data-direction': dir, 'data-event': name }, [
        el('time', { class: 'time', datetime: now.toISOString(), text: formatTime(now) }),
        el('span', { class: 'direction', 'aria-hidden': 'true', title: label, text: symbol }),
        el('span', { class: 'pg-sr-only', text: `${label} ` }),
        el('span', { class: 'event', text: name }),
        ackBadge,
        codeBtn,
        el('pre', { class: 'payload', text }),
      ]);
      li.hidden = !this._matchesFilter(name);

      if (codeBtn) {
        const spec = {
          event: name,
          args: shown,
          ack: Boolean(emit?.ack),
          timeout: emit?.timeout,
          namespace: emit?.namespace ?? this.socket?.nsp ?? normalizeNamespace(this._nsInput.value),
        };
        codeBtn.setAttribute('aria-label', `Code for ${name}`);
        codeBtn.title = 'Show this emit as browser and test-client code';
        codeBtn.addEventListener('click', () => this._toggleCode(li, codeBtn, spec));
      }

      const log = this._log;
      // Follow new entries only if the reader is already at the bottom, so
      // scrolling up to read older entries is not undone by the next event.
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
      log.append(li);
      while (log.childElementCount > MAX_ENTRIES) log.firstElementChild.remove();
      if (atBottom) log.scrollTop = log.scrollHeight;
      return li;
    }

    /** Shows/hides the "copy as code" block under an outgoing entry (built on first use). */
    _toggleCode(li, button, spec) {
      let block = li.querySelector(':scope > .code');
      if (!block) {
        const id = nextId('code');
        block = el('div', { class: 'code', id, role: 'group', 'aria-label': `Code for ${spec.event}` }, [
          codeLine('js', 'JavaScript (browser client)', jsCode(spec)),
          codeLine('py', 'Python (Flask-SocketIO test client)', pyCode(spec)),
        ]);
        block.hidden = true;
        button.setAttribute('aria-controls', id);
        li.append(block);
      }
      block.hidden = !block.hidden;
      button.setAttribute('aria-expanded', String(!block.hidden));
    }

    _wire(socket) {
      // Events from a socket this client has replaced must not touch the panel.
      const current = () => this.socket === socket;

      socket.on('connect', () => {
        if (!current()) return;
        this._setStatus('connected');
        this._sid.textContent = socket.id ?? '';
        this._transport.textContent = socket.io.engine?.transport?.name ?? '';
        this.log('sys', 'connect', [{ sid: socket.id, namespace: socket.nsp }]);
        this._playground._clientsChanged();
        if (this._pending?.socket === socket) {
          this._pending.resolve();
          this._pending = null;
        }
        this._dispatch('connect', []);
      });

      socket.on('disconnect', (reason) => {
        if (!current()) return;
        this._setStatus('disconnected');
        this._clearMeta();
        this.log('sys', 'disconnect', [{ reason }]);
        this._playground._clientsChanged();
        this._dispatch('disconnect', [reason]);
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
        // A namespace refusal destroys the socket (socket.active is false), so
        // Socket.IO will not retry and 'refused' stays until the next Connect.
        // A transport failure keeps it active: the Manager retries and
        // 'reconnect_attempt' below shows 'connecting' again.
        this._setStatus('refused');
        this._clearMeta();
        const payload = { message: err.message };
        if (err.data !== undefined) payload.data = err.data;
        this.log('sys', 'connect_error', [payload]);
        if (this._pending?.socket === socket) {
          this._pending.reject(err);
          this._pending = null;
        }
        this._dispatch('connect_error', [err]);
      });

      socket.onAny((event, ...args) => {
        if (!current()) return;
        this.log('in', event, args);
        this._dispatch(event, args);
      });

      // What each emit asked for (an ack? with which timeout?), for the
      // outgoing entry and its code. onAnyOutgoing only gets the event and
      // arguments, so the socket's own emit() and timeout() are wrapped (on this
      // instance only): a connected socket notifies synchronously inside
      // emit(); a buffered emit is notified in order when the socket connects.
      const buffered = [];
      let emitting = null;
      let pendingTimeout;
      const originalEmit = socket.emit;
      const originalTimeout = socket.timeout;
      socket.timeout = function timeout(ms) {
        pendingTimeout = ms;
        return originalTimeout.call(this, ms);
      };
      socket.emit = function emit(event, ...args) {
        const ack = typeof args[args.length - 1] === 'function';
        const meta = { event: String(event), argc: args.length - (ack ? 1 : 0), ack, timeout: ack ? pendingTimeout : undefined, used: false };
        pendingTimeout = undefined;
        const wasConnected = this.connected;
        emitting = meta;
        try {
          return originalEmit.call(this, event, ...args);
        } finally {
          emitting = null;
          if (!meta.used && !wasConnected) {
            buffered.push(meta);
            if (buffered.length > 200) buffered.shift();
          }
        }
      };

      socket.onAnyOutgoing((event, ...args) => {
        if (!current()) return;
        const matches = (m) => m && !m.used && m.event === String(event) && m.argc === args.length;
        let meta = matches(emitting) ? emitting : null;
        if (!meta) {
          const index = buffered.findIndex(matches);
          if (index !== -1) meta = buffered.splice(index, 1)[0];
        }
        if (meta) meta.used = true;
        this._appendEntry('out', event, args, { namespace: socket.nsp, ack: meta?.ack, timeout: meta?.timeout });
      });

      // The Manager creates a new engine on every (re)connection, so hook the
      // upgrade listener each time one opens.
      socket.io.on('open', () => {
        if (!current()) return;
        socket.io.engine.on('upgrade', (transport) => {
          if (current() && socket.connected) this._transport.textContent = transport.name;
          this._playground._clientsChanged(); // the server view shows our transport at once
        });
      });

      socket.io.on('reconnect_attempt', () => {
        if (current() && !socket.connected) this._setStatus('connecting');
      });
    }

    /** Closes the current socket (if any) before it is replaced or removed. */
    _close(reason) {
      const socket = this.socket;
      if (socket && (socket.active || socket.connected)) socket.disconnect();
      this._rejectPending(reason);
    }

    _rejectPending(reason) {
      if (!this._pending) return;
      const { reject } = this._pending;
      this._pending = null;
      reject(new Error(`${this.name}: ${reason}`));
    }

    _dispatch(event, args) {
      for (const waiter of [...this._waiters]) {
        if (waiter.event !== event) continue;
        clearTimeout(waiter.timer);
        this._waiters.delete(waiter);
        waiter.resolve(args);
      }
    }

    _setStatus(status) {
      this._status = status;
      this._statusEl.textContent = status;
      this._statusEl.dataset.status = status;
      this.panel.dataset.status = status; // lets CSS tint the whole panel
      this._updateControls();
    }

    _clearMeta() {
      this._sid.textContent = '';
      this._transport.textContent = '';
    }

    _updateControls() {
      const focused = document.activeElement;
      const connectBtn = this._connectBtn;
      const disconnectBtn = this._disconnectBtn;
      connectBtn.disabled = this._status === 'connected' || this._status === 'connecting';
      // Disconnect also cancels a pending attempt or automatic reconnection.
      disconnectBtn.disabled = !this.socket?.active;
      // Disabling the focused button would drop keyboard focus on <body>.
      if (focused === connectBtn && connectBtn.disabled && !disconnectBtn.disabled) disconnectBtn.focus();
      if (focused === disconnectBtn && disconnectBtn.disabled && !connectBtn.disabled) connectBtn.focus();
    }

    _matchesFilter(eventName) {
      const needle = this._filter.value.trim().toLowerCase();
      return needle === '' || eventName.toLowerCase().includes(needle);
    }

    _applyFilter() {
      for (const li of this._log.children) li.hidden = !this._matchesFilter(li.dataset.event || '');
      // Show the newest matches, and re-arm auto-scroll (it follows only at the bottom).
      this._log.scrollTop = this._log.scrollHeight;
    }

    // ---- emit form: arguments

    _addArgument(focus = true) {
      const removeBtn = el('button', { type: 'button', class: 'remove-arg', text: 'Remove' });
      const field = createPayloadField({
        label: 'Argument',
        value: '',
        onSubmitShortcut: () => this._emitForm.requestSubmit(),
        extra: removeBtn,
      });
      field.removeBtn = removeBtn;
      field.root.classList.add('field-extra-arg');
      removeBtn.addEventListener('click', () => this._removeArgument(field));
      this._payloadFields.push(field);
      this._argsBox.append(field.root);
      this._renumberArguments();
      if (focus) field.textarea.focus();
      return field;
    }

    _removeArgument(field) {
      const index = this._payloadFields.indexOf(field);
      if (index <= 0) return; // the first field stays
      this._payloadFields.splice(index, 1);
      field.root.remove();
      this._renumberArguments();
      const next = this._payloadFields[index] || this._payloadFields[index - 1];
      (next ? next.textarea : this._addArgBtn).focus();
    }

    _renumberArguments() {
      this._payloadFields.forEach((field, i) => {
        if (i === 0) return; // "Payload (JSON)" is argument 1
        field.label.textContent = `Argument ${i + 1} (JSON)`;
        field.removeBtn.setAttribute('aria-label', `Remove argument ${i + 1}`);
        // Refusing empties only makes sense at submit; re-check JSON only.
        field.validate();
      });
      this._argsBox.dataset.count = String(this._payloadFields.length);
    }

    _build(namespace, auth) {
      const name = this.name;

      // Header: name, status badge, remove.
      this._statusEl = el('span', { class: 'status', role: 'status' });
      const removeBtn = el('button', {
        type: 'button',
        class: 'remove',
        'aria-label': `Remove ${name}`,
        title: `Remove ${name} (disconnects it)`,
        text: 'Remove',
      });
      const header = el('header', { class: 'client-header' }, [
        el('h3', { class: 'client-name', text: name }),
        this._statusEl,
        removeBtn,
      ]);

      // Connection: a form so Enter in the namespace field connects. Forms are
      // left unnamed: a named form becomes a landmark, two per client is noise.
      const nsId = nextId('namespace');
      this._nsInput = el('input', {
        id: nsId,
        name: 'namespace',
        type: 'text',
        value: namespace,
        autocomplete: 'off',
        autocapitalize: 'off',
        spellcheck: 'false',
      });
      this._connectBtn = el('button', { type: 'submit', class: 'connect', text: 'Connect' });
      this._disconnectBtn = el('button', { type: 'button', class: 'disconnect', text: 'Disconnect' });
      const connectForm = el('form', { class: 'connect-form' });
      let authText = '';
      if (typeof auth === 'string') authText = auth;
      else if (auth !== null && typeof auth === 'object') authText = literal(auth, 'js'); // JSON, spaced
      this._authField = createJsonField({
        name: 'auth',
        label: 'auth (JSON)',
        value: authText,
        parse: parseAuth,
        fieldClass: 'field-auth',
        errorClass: 'auth-error',
        rows: 1,
        placeholder: 'none, or {"token": "abc"}',
        onSubmitShortcut: () => connectForm.requestSubmit(),
      });
      connectForm.append(
        el('div', { class: 'field field-namespace' }, [el('label', { for: nsId, text: 'Namespace' }), this._nsInput]),
        this._authField.root,
        el('div', { class: 'connect-actions' }, [this._connectBtn, this._disconnectBtn]),
      );

      this._sid = el('dd', { class: 'sid' });
      this._transport = el('dd', { class: 'transport' });
      const meta = el('dl', { class: 'meta' }, [
        el('div', {}, [el('dt', { text: 'sid' }), this._sid]),
        el('div', {}, [el('dt', { text: 'transport' }), this._transport]),
      ]);

      // Emit form. Enter in the event field submits (implicit submission), so
      // the Emit button must stay enabled even while disconnected.
      const eventId = nextId('event');
      const eventInput = el('input', {
        id: eventId,
        name: 'event',
        type: 'text',
        required: true,
        placeholder: 'e.g. greet',
        autocomplete: 'off',
        autocapitalize: 'off',
        spellcheck: 'false',
      });
      const emitForm = el('form', { class: 'emit-form' });
      this._emitForm = emitForm;
      this._payloadFields = [createPayloadField({ onSubmitShortcut: () => emitForm.requestSubmit() })];
      this._argsBox = el('div', { class: 'args', 'data-count': '1' }, this._payloadFields.map((f) => f.root));
      this._addArgBtn = el('button', { type: 'button', class: 'add-arg', text: 'Add argument' });

      const ackId = nextId('ack');
      const timeoutId = nextId('ack-timeout');
      const timeoutErrorId = `${timeoutId}-error`;
      this._ackToggle = el('input', { id: ackId, name: 'ack', type: 'checkbox' });
      this._ackTimeout = el('input', {
        id: timeoutId,
        name: 'ack-timeout',
        type: 'number',
        inputmode: 'numeric',
        min: 1,
        step: 1,
        value: DEFAULT_ACK_TIMEOUT_MS,
        autocomplete: 'off',
        'aria-describedby': timeoutErrorId,
      });
      const timeoutError = el('p', { id: timeoutErrorId, class: 'ack-timeout-error', 'aria-live': 'polite', hidden: true });
      const validateTimeout = () => {
        const ms = parseTimeout(this._ackTimeout.value);
        timeoutError.textContent = ms === null ? 'Timeout: a whole number of ms, 1 or more' : '';
        timeoutError.hidden = ms !== null;
        if (ms === null) this._ackTimeout.setAttribute('aria-invalid', 'true');
        else this._ackTimeout.removeAttribute('aria-invalid');
        return ms;
      };
      const emitBtn = el('button', { type: 'submit', class: 'emit', text: 'Emit' });
      emitForm.append(
        el('div', { class: 'field field-event' }, [el('label', { for: eventId, text: 'Event' }), eventInput]),
        this._argsBox,
        el('div', { class: 'emit-options' }, [
          this._addArgBtn,
          el('div', { class: 'ack-options' }, [
            el('div', { class: 'field-check field-ack' }, [this._ackToggle, el('label', { for: ackId, text: 'Ask for ack' })]),
            el('div', { class: 'field-inline field-ack-timeout' }, [
              el('label', { for: timeoutId, text: 'timeout (ms)' }),
              this._ackTimeout,
            ]),
          ]),
          timeoutError,
        ]),
        el('div', { class: 'emit-actions' }, [el('span', { class: 'hint', text: 'Ctrl+Enter emits from the payload' }), emitBtn]),
      );

      // Log tools and the log itself.
      const filterId = nextId('filter');
      this._filter = el('input', {
        id: filterId,
        name: 'filter',
        type: 'search',
        placeholder: 'Filter by event',
        autocomplete: 'off',
        spellcheck: 'false',
      });
      const clearBtn = el('button', { type: 'button', class: 'clear-log', text: 'Clear log' });
      const tools = el('div', { class: 'log-tools' }, [
        el('label', { for: filterId, class: 'pg-sr-only', text: 'Filter log' }),
        this._filter,
        clearBtn,
      ]);
      // Focusable so keyboard users can scroll it; polite live region so new
      // events are announced without interrupting. Labels here avoid the word
      // "event" so that the label "Event" names exactly one control.
      this._log = el('ol', {
        class: 'log',
        tabindex: '0',
        'aria-label': `${name} log`,
        'aria-live': 'polite',
        'aria-relevant': 'additions',
      });

      const panel = el('section', { class: 'client', 'data-client': name, 'aria-label': `Client ${name}` }, [
        header,
        connectForm,
        meta,
        emitForm,
        tools,
        this._log,
      ]);

      // ---- behaviour
      connectForm.addEventListener('submit', (e) => {
        e.preventDefault();
        // An invalid auth refuses inline: the field says why, nothing is logged.
        if (!this._authField.validate().ok) {
          this._authField.textarea.focus();
          return;
        }
        this.connect().catch(() => {}); // failure is already in the log and the badge
      });
      this._disconnectBtn.addEventListener('click', () => this.disconnect());
      removeBtn.addEventListener('click', () => this._playground._removeFromUi(this));
      this._addArgBtn.addEventListener('click', () => this._addArgument());
      this._ackTimeout.addEventListener('input', validateTimeout);

      emitForm.addEventListener('submit', (e) => {
        e.preventDefault();
        const event = eventInput.value.trim();
        if (event === '') {
          eventInput.focus();
          return;
        }
        // One field: empty means no argument. Several: each must hold a value.
        const strict = this._payloadFields.length > 1;
        const results = this._payloadFields.map((field) => field.validate(strict));
        const invalid = results.findIndex((r) => !r.ok);
        if (invalid !== -1) {
          this._payloadFields[invalid].textarea.focus();
          return; // the field shows why; nothing is sent
        }
        const args = results.flatMap((r) => r.args);
        const ack = this._ackToggle.checked;
        const timeout = ack ? validateTimeout() : null;
        if (ack && timeout === null) {
          this._ackTimeout.focus();
          return;
        }
        if (!this.socket?.connected) {
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
      });

      this._filter.addEventListener('input', () => this._applyFilter());
      clearBtn.addEventListener('click', () => this.clearLog());

      return panel;
    }
  }

  // -------------------------------------------------------------- server view

  /**
   * A live, read-only view of the server's sockets and rooms, fed by
   * python-socketio's admin instrumentation (the events the Socket.IO Admin
   * UI uses): config, all_sockets, socket_connected, socket_disconnected,
   * socket_updated, room_joined, room_left, server_stats, event_received,
   * event_sent.
   */
  class ServerView {
    constructor(playground, rawConfig) {
      this._playground = playground;
      this.socket = null;
      this._status = 'off';
      this._adminNsp = '/admin';
      this._namespaces = new Map(); // nsp -> {sockets: Map<sid, {sid, transport}>, rooms: Map<room, Set<sid>>}
      this._renderQueued = false;
      this._config = null;
      this._configError = null;
      if (rawConfig !== null) {
        try {
          const config = JSON.parse(rawConfig);
          if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new TypeError('not a JSON object');
          this._config = config;
          this._adminNsp = normalizeNamespace(config.namespace ?? '/admin');
        } catch (err) {
          this._configError = `invalid data-server-view: ${err.message}`;
          console.error('[playground] invalid data-server-view attribute:', err);
        }
      }
      this.section = this._build();
      this._setStatus(rawConfig === null ? 'off' : 'disconnected');
      if (this._configError) this._setError(this._configError);
    }

    /** live | disconnected | off */
    get status() {
      return this._status;
    }

    /** Plain data: {"/": {sockets: [{sid, transport, client}], rooms: {room: [sid, ...]}}, ...}. */
    snapshot() {
      const out = {};
      for (const [nsp, ns] of this._namespaces) {
        if (nsp === this._adminNsp) continue;
        out[nsp] = {
          sockets: [...ns.sockets.values()].map((s) => ({ sid: s.sid, transport: this._transport(s), client: this._clientName(s.sid) })),
          rooms: Object.fromEntries([...ns.rooms].map(([room, members]) => [room, [...members]])),
        };
      }
      return out;
    }

    start() {
      if (!this._config) return;
      if (typeof window.io !== 'function') {
        this._setError('Socket.IO client not loaded (global io is missing)');
        return;
      }
      const opts = { path: readSocketioPath(), forceNew: true };
      if (this._config.auth !== undefined && this._config.auth !== null) opts.auth = this._config.auth;
      const socket = window.io(this._adminNsp, opts);
      this.socket = socket;

      socket.on('connect', () => {
        this._setError('');
        this._setStatus('live');
      });
      socket.on('disconnect', () => this._setStatus('disconnected'));
      socket.on('connect_error', (err) => {
        this._setStatus('disconnected');
        const data = err.data === undefined ? '' : ` ${formatCompact([err.data])}`;
        this._setError(`${err.message || 'connection refused'}${data}`);
      });

      socket.on('config', (config) => {
        const features = Array.isArray(config?.supportedFeatures) ? config.supportedFeatures : [];
        this.section.dataset.readOnly = String(!features.includes('EMIT'));
      });
      socket.on('all_sockets', (sockets) => {
        // A fresh snapshot (sent on every admin (re)connection): start over.
        for (const ns of this._namespaces.values()) {
          ns.sockets.clear();
          ns.rooms.clear();
        }
        for (const s of Array.isArray(sockets) ? sockets : []) this._upsertSocket(s);
        this._queueRender();
      });
      socket.on('socket_connected', (s) => {
        // Also re-sent for every socket with each ping: an upsert with the current rooms.
        this._upsertSocket(s);
        this._queueRender();
      });
      socket.on('socket_disconnected', (nsp, sid) => {
        this._forgetSocket(nsp, sid);
        this._queueRender();
      });
      socket.on('socket_updated', (update) => {
        const entry = this._ns(update?.nsp)?.sockets.get(update?.id);
        if (entry && update.transport) entry.transport = update.transport;
        this._queueRender();
      });
      socket.on('room_joined', (nsp, room, sid) => {
        const ns = this._ns(nsp, true);
        if (!ns) return;
        const key = String(room);
        if (!ns.rooms.has(key)) ns.rooms.set(key, new Set());
        ns.rooms.get(key).add(sid);
        this._queueRender();
      });
      socket.on('room_left', (nsp, room, sid) => {
        const ns = this._ns(nsp);
        if (!ns) return;
        const key = String(room);
        ns.rooms.get(key)?.delete(sid);
        if (ns.rooms.get(key)?.size === 0) ns.rooms.delete(key);
        // Leaving its own room only happens on the way out; a connection that
        // the connect handler refused gets no socket_disconnected, only this.
        if (key === sid) this._forgetSocket(nsp, sid);
        this._queueRender();
      });
      socket.on('server_stats', (stats) => {
        for (const item of Array.isArray(stats?.namespaces) ? stats.namespaces : []) this._ns(item?.name, true);
        this._queueRender();
      });
      socket.on('event_received', (nsp, sid, data) => this._addServerEvent('in', nsp, sid, data));
      socket.on('event_sent', (nsp, sid, data) => this._addServerEvent('out', nsp, sid, data));
      this._queueRender();
    }

    /** Re-renders (coalesced), e.g. when a console client connects and its sid gets a name. */
    refresh() {
      this._queueRender();
    }

    // ---- state

    _ns(nsp, create = false) {
      if (typeof nsp !== 'string' || nsp === this._adminNsp) return null;
      let ns = this._namespaces.get(nsp);
      if (!ns && create) {
        ns = { sockets: new Map(), rooms: new Map() };
        this._namespaces.set(nsp, ns);
      }
      return ns ?? null;
    }

    _upsertSocket(s) {
      if (!s || typeof s.id !== 'string') return;
      const ns = this._ns(s.nsp, true);
      if (!ns) return;
      const previous = ns.sockets.get(s.id);
      ns.sockets.set(s.id, { sid: s.id, transport: s.transport ?? previous?.transport ?? '' });
      if (!Array.isArray(s.rooms)) return;
      const rooms = new Set(s.rooms.map(String));
      for (const [room, members] of ns.rooms) {
        if (members.has(s.id) && !rooms.has(room)) {
          members.delete(s.id);
          if (members.size === 0) ns.rooms.delete(room);
        }
      }
      for (const room of rooms) {
        if (!ns.rooms.has(room)) ns.rooms.set(room, new Set());
        ns.rooms.get(room).add(s.id);
      }
    }

    _forgetSocket(nsp, sid) {
      const ns = this._ns(nsp);
      if (!ns) return;
      ns.sockets.delete(sid);
      for (const [room, members] of ns.rooms) {
        members.delete(sid);
        if (members.size === 0) ns.rooms.delete(room);
      }
    }

    /**
     * The admin feed reports an upgrade to websocket only on a 5 s poll (python-socketio's
     * _check_for_upgrade); for the console's own clients the browser knows it at once.
     */
    _transport(entry) {
      const client = this._playground.clients.find((c) => c.socket && c.socket.id === entry.sid);
      return client?.socket.io.engine?.transport?.name ?? entry.transport;
    }

    _clientName(sid) {
      return this._playground.clients.find((c) => c.socket && c.socket.id === sid)?.name ?? null;
    }

    // ---- DOM

    _setStatus(status) {
      this._status = status;
      this._statusEl.textContent = status;
      this._statusEl.dataset.status = status;
      this.section.dataset.status = status;
      this._toggleBtn.hidden = status === 'off';
      this._queueRender();
    }

    _setError(text) {
      this._errorEl.textContent = text;
      this._errorEl.hidden = text === '';
      this._queueRender();
    }

    _build() {
      const bodyId = nextId('server-view');
      this._statusEl = el('span', { class: 'server-view-status', role: 'status' });
      this._errorEl = el('span', { class: 'server-view-error', hidden: true });
      this._toggleBtn = el('button', {
        type: 'button',
        class: 'server-view-toggle',
        'aria-expanded': 'true',
        'aria-controls': bodyId,
        text: 'Hide',
      });
      const title = el('h3', { class: 'server-view-title', text: 'Server view' });
      const header = el('header', { class: 'server-view-header' }, [title, this._statusEl, this._errorEl, this._toggleBtn]);

      this._body = el('div', { class: 'server-view-body', id: bodyId });
      if (this._config === null && this._configError === null) {
        this._body.append(el('p', { class: 'server-view-hint', text: SERVER_VIEW_OFF_TEXT }));
      } else {
        const sidRoomsId = nextId('sid-rooms');
        this._sidRoomsToggle = el('input', { id: sidRoomsId, type: 'checkbox', name: 'show-sid-rooms' });
        this._sidRoomsToggle.addEventListener('change', () => this._render());
        this._nsBox = el('div', { class: 'server-view-namespaces' });
        this._eventsList = el('ol', { class: 'server-event-list', tabindex: '0', 'aria-label': 'Events the server received and sent' });
        this._eventsSummary = el('summary', { text: 'Server events (0)' });
        this._eventCount = 0;
        this._body.append(
          this._nsBox,
          el('div', { class: 'server-view-tools' }, [
            el('div', { class: 'field-check' }, [
              this._sidRoomsToggle,
              el('label', { for: sidRoomsId, text: "Show each socket's own room (named by its sid)" }),
            ]),
          ]),
          el('details', { class: 'server-events' }, [this._eventsSummary, this._eventsList]),
        );
      }
      this._toggleBtn.addEventListener('click', () => {
        const open = this._body.hidden;
        this._body.hidden = !open;
        this._toggleBtn.textContent = open ? 'Hide' : 'Show';
        this._toggleBtn.setAttribute('aria-expanded', String(open));
      });
      return el('section', { class: 'server-view', 'aria-label': 'Server view' }, [header, this._body]);
    }

    _queueRender() {
      if (this._renderQueued || !this._nsBox) return;
      this._renderQueued = true;
      Promise.resolve().then(() => {
        this._renderQueued = false;
        this._render();
      });
    }

    _who(sid, tag) {
      const name = this._clientName(sid);
      return [
        el('span', { class: name ? 'sv-client' : 'sv-client sv-other', text: name ?? 'not in this console' }),
        ' ', // read as words, not run together, by screen readers and textContent
        el(tag, { class: 'sv-sid', text: sid }),
      ];
    }

    _render() {
      if (!this._nsBox) return;
      const showSidRooms = this._sidRoomsToggle.checked;
      const names = [...this._namespaces.keys()].filter((n) => n !== this._adminNsp).sort((a, b) => (a === '/' ? -1 : b === '/' ? 1 : a.localeCompare(b)));
      const blocks = names.map((nsp) => {
        const ns = this._namespaces.get(nsp);
        const sockets = [...ns.sockets.values()].sort((a, b) => (this._clientName(a.sid) ?? '\uffff').localeCompare(this._clientName(b.sid) ?? '\uffff'));
        const socketItems = sockets.map((s) =>
          el('li', { class: 'socket', 'data-sid': s.sid, 'data-client-name': this._clientName(s.sid) ?? undefined }, [
            ...this._who(s.sid, 'code'),
            ' ',
            el('span', { class: 'sv-transport', title: 'transport', text: this._transport(s) }),
          ]),
        );
        const rooms = [...ns.rooms].map(([room, members]) => ({ room, members: [...members], sidRoom: members.has(room) }));
        rooms.sort((a, b) => a.sidRoom - b.sidRoom || a.room.localeCompare(b.room));
        const hiddenSidRooms = rooms.filter((r) => r.sidRoom).length;
        const roomItems = rooms
          .filter((r) => showSidRooms || !r.sidRoom)
          .map((r) =>
            el('li', { class: r.sidRoom ? 'room sid-room' : 'room', 'data-room': r.room }, [
              el('div', { class: 'sv-room-head' }, [
                el('span', { class: 'sv-room-name', text: r.room }),
                ' ',
                el('span', { class: 'sv-count', text: r.sidRoom ? 'own room' : `${r.members.length} member${r.members.length === 1 ? '' : 's'}` }),
              ]),
              el(
                'ul',
                { class: 'members', 'aria-label': `Members of ${r.room}` },
                r.members.map((sid) => el('li', { class: 'member', 'data-sid': sid }, this._who(sid, 'span'))),
              ),
            ]),
          );
        const n = sockets.length;
        const headingId = nextId('sv-ns');
        return el('section', { class: 'sv-namespace', 'data-namespace': nsp, 'aria-labelledby': headingId }, [
          el('h4', { id: headingId, class: 'sv-namespace-name' }, [
            el('span', { class: 'pg-sr-only', text: 'Namespace ' }),
            el('code', { text: nsp }),
            ' ',
            el('span', { class: 'sv-count', text: `${n} socket${n === 1 ? '' : 's'}` }),
          ]),
          el('div', { class: 'sv-columns' }, [
            el('div', { class: 'sv-column' }, [
              el('h5', { text: 'Sockets' }),
              socketItems.length
                ? el('ul', { class: 'sockets', 'aria-label': `Sockets in ${nsp}` }, socketItems)
                : el('p', { class: 'sv-empty', text: 'No sockets connected.' }),
            ]),
            el('div', { class: 'sv-column' }, [
              el('h5', { text: 'Rooms' }),
              roomItems.length
                ? el('ul', { class: 'rooms', 'aria-label': `Rooms in ${nsp}` }, roomItems)
                : el('p', {
                    class: 'sv-empty',
                    text: hiddenSidRooms ? 'Only the sockets’ own rooms.' : 'No rooms.',
                  }),
            ]),
          ]),
        ]);
      });
      if (blocks.length === 0) {
        let text = 'Waiting for the server…';
        if (this._status === 'live') text = 'No namespaces with sockets yet.';
        else if (!this._errorEl.hidden) text = 'Not connected to the server view.';
        blocks.push(el('p', { class: 'sv-empty', text }));
      }
      this._nsBox.replaceChildren(...blocks);
    }

    _addServerEvent(direction, nsp, sid, data) {
      if (!this._eventsList || nsp === this._adminNsp || !Array.isArray(data)) return;
      const [event, ...args] = data;
      const now = new Date();
      const who = this._clientName(sid);
      const parts = [
        el('time', { class: 'time', datetime: now.toISOString(), text: formatTime(now) }),
        el('span', { class: 'sv-dir', text: direction === 'in' ? 'received from' : 'sent to' }),
        el('span', { class: who ? 'sv-client' : 'sv-client sv-other', text: who ?? sid }),
        el('code', { class: 'sv-ns', text: nsp }),
        el('span', { class: 'sv-event', text: String(event) }),
        el('span', { class: 'sv-args', text: formatCompact(args) }),
      ];
      const li = el('li', { class: 'server-event', 'data-direction': direction, 'data-event': String(event), 'data-namespace': nsp });
      parts.forEach((part, i) => li.append(...(i ? [' ', part] : [part])));
      const list = this._eventsList;
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
      list.append(li);
      while (list.childElementCount > MAX_SERVER_EVENTS) list.firstElementChild.remove();
      if (atBottom) list.scrollTop = list.scrollHeight;
      this._eventCount += 1;
      this._eventsSummary.textContent = `Server events (${this._eventCount})`;
    }
  }

  // --------------------------------------------------------------- playground

  let host = null;
  let list = null;
  let addBtn = null;
  let serverView = null;

  function nextFreeName(clients) {
    const taken = new Set(clients.map((c) => c.name));
    const free = NAMES.find((n) => !taken.has(n));
    if (free) return free;
    for (let n = NAMES.length + 1; ; n++) if (!taken.has(`Client ${n}`)) return `Client ${n}`;
  }

  /**
   * Runs a lesson scenario: disables the button meanwhile, logs a failure as a
   * sys 'error' entry on the first client and in the browser console.
   */
  async function runScenario(fn, button) {
    const hadFocus = button && document.activeElement === button;
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      button.dataset.state = 'running';
    }
    try {
      const result = await fn(Playground);
      if (button) button.dataset.state = 'done';
      return result;
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : `Error: ${String(err)}`;
      if (Playground.clients[0]) Playground.clients[0].log('sys', 'error', message);
      console.error('[playground] scenario failed:', err);
      if (button) button.dataset.state = 'failed';
      throw err;
    } finally {
      if (button) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
        // Disabling moved focus to <body>; give it back for keyboard users.
        if (hadFocus && (document.activeElement === document.body || !document.activeElement)) button.focus();
      }
    }
  }

  const Playground = {
    /** Clients in panel order. The same array instance for the page's lifetime. */
    clients: [],

    Client,

    /** Where this page's Socket.IO server listens: pass it as `path` to your own io() calls. */
    get socketioPath() {
      return readSocketioPath();
    },

    /** The server view ({status, snapshot(), refresh()}), or null before the console is built. */
    get serverView() {
      return serverView;
    },

    addClient({ name, namespace = '/', auth } = {}) {
      if (!init()) throw new Error('Playground: no #console element on this page');
      const finalName = name === undefined || name === null || String(name).trim() === '' ? nextFreeName(this.clients) : String(name).trim();
      if (this.client(finalName)) throw new Error(`Playground: a client named "${finalName}" already exists`);
      const client = new Client({ name: finalName, namespace, auth }, this);
      this.clients.push(client);
      list.append(client.panel);
      this._clientsChanged();
      return client;
    },

    client(name) {
      return this.clients.find((c) => c.name === name);
    },

    /**
     * Binds a click handler to a button (element or selector) that runs
     * `await fn(Playground)`. Returns a function that runs the scenario
     * programmatically (its promise rejects if the scenario throws).
     */
    scenario(target, fn) {
      if (typeof fn !== 'function') throw new TypeError('Playground.scenario(target, fn): fn must be a function');
      const bind = () => {
        const buttons = typeof target === 'string' ? [...document.querySelectorAll(target)] : target ? [target] : [];
        if (buttons.length === 0) console.warn('[playground] scenario(): no element matches', target);
        for (const button of buttons) {
          button.addEventListener('click', (e) => {
            e.preventDefault();
            // Already logged and sent to console.error by runScenario.
            runScenario(fn, button).catch(() => {});
          });
        }
      };
      // Lesson scripts may run before the buttons are parsed.
      if (typeof target === 'string' && document.readyState === 'loading' && !document.querySelector(target)) {
        document.addEventListener('DOMContentLoaded', bind, { once: true });
      } else {
        bind();
      }
      return () => runScenario(fn, null);
    },

    /** Remove via the UI: keeps keyboard focus somewhere sensible. */
    _removeFromUi(client) {
      const index = this.clients.indexOf(client);
      client.remove();
      const neighbour = this.clients[index] || this.clients[index - 1];
      (neighbour ? neighbour.panel.querySelector('button.remove') : addBtn)?.focus();
    },

    /** A client was added, removed, connected or disconnected: server view names may change. */
    _clientsChanged() {
      serverView?.refresh();
    },
  };

  function readClientSpecs(element) {
    const raw = element.getAttribute('data-clients');
    if (raw === null) return [{ name: 'Alice', namespace: '/' }];
    try {
      const specs = JSON.parse(raw);
      if (!Array.isArray(specs)) throw new TypeError('data-clients must be a JSON array');
      return specs;
    } catch (err) {
      console.error('[playground] invalid data-clients attribute:', err);
      return [];
    }
  }

  /** Builds the console once; returns false when #console is not in the DOM yet. */
  function init() {
    if (host) return true;
    const element = document.getElementById('console');
    if (!element) return false;
    host = element;

    addBtn = el('button', { type: 'button', class: 'add-client', text: 'Add client' });
    addBtn.addEventListener('click', () => {
      const client = Playground.addClient();
      client.panel.scrollIntoView({ block: 'nearest' });
      client._nsInput.focus();
    });
    const toolbar = el('div', { class: 'console-toolbar' }, [
      el('h2', { class: 'console-title', text: 'Console' }),
      el('p', { class: 'console-hint', text: 'Each client is its own Socket.IO connection.' }),
      addBtn,
    ]);
    serverView = new ServerView(Playground, host.getAttribute('data-server-view'));
    list = el('div', { class: 'clients' });
    host.append(toolbar, serverView.section, list);

    for (const spec of readClientSpecs(host)) {
      try {
        Playground.addClient({ name: spec?.name, namespace: spec?.namespace ?? '/', auth: spec?.auth });
      } catch (err) {
        console.error('[playground] could not add client', spec, err);
      }
    }
    serverView.start();
    return true;
  }

  window.Playground = Playground;

  // Build right away when #console is already parsed (the script is at the end
  // of <body>) so inline lesson code after this script can use the clients.
  if (!init()) {
    const later = () => {
      if (!init()) console.warn('[playground] no #console element: console not built');
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', later, { once: true });
    else later();
  }
})();
