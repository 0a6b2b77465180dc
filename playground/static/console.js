/*
 * Playground console: one panel per Socket.IO client, each its own connection.
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
  // Keeps a long-running page (e.g. a server that is down and retried every few
  // seconds) from growing the DOM without bound.
  const MAX_ENTRIES = 1000;
  const CONNECT_ERROR_PACKET = 4; // Socket.IO protocol packet type
  const DIRECTIONS = {
    in: { symbol: '↓', label: 'incoming' },
    out: { symbol: '↑', label: 'outgoing' },
    sys: { symbol: '•', label: 'system' },
  };

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

  /** "chat", " /chat ", "//chat" -> "/chat"; "" -> "/". A leading "//" would be read as a host. */
  function normalizeNamespace(value) {
    const text = String(value ?? '').trim();
    return text === '' ? '/' : `/${text.replace(/^\/+/, '')}`;
  }

  // ------------------------------------------------------------ payload field

  /**
   * A labelled JSON textarea with live validation. The emit form holds a list
   * of these (today exactly one); each valid field contributes its arguments.
   */
  function createPayloadField({ label = 'Payload (JSON)', value = DEFAULT_PAYLOAD, onSubmitShortcut } = {}) {
    const id = nextId('payload');
    const errorId = `${id}-error`;
    const textarea = el('textarea', {
      id,
      name: 'payload',
      rows: 2,
      spellcheck: 'false',
      autocomplete: 'off',
      autocapitalize: 'off',
      'aria-describedby': errorId,
    });
    textarea.defaultValue = value; // so a form reset restores it
    textarea.value = value;
    // Polite, not an alert: it updates on every keystroke.
    const error = el('p', { id: errorId, class: 'payload-error', 'aria-live': 'polite', hidden: true });
    const root = el('div', { class: 'field field-payload' }, [el('label', { for: id, text: label }), textarea, error]);

    function validate() {
      const result = parsePayload(textarea.value);
      error.textContent = result.ok ? '' : result.error;
      error.hidden = result.ok;
      if (result.ok) textarea.removeAttribute('aria-invalid');
      else textarea.setAttribute('aria-invalid', 'true');
      return result;
    }

    textarea.addEventListener('input', validate);
    // Ctrl/Cmd+Enter emits from the textarea, where plain Enter is a newline.
    textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && onSubmitShortcut) {
        e.preventDefault();
        onSubmitShortcut();
      }
    });
    validate();
    return { root, textarea, error, validate };
  }

  // ------------------------------------------------------------------- client

  class Client {
    constructor({ name, namespace = '/' } = {}, playground) {
      this.name = name;
      this.socket = null;
      this._playground = playground;
      this._status = 'disconnected';
      this._pending = null; // {socket, resolve, reject} of the connect() in flight
      this._waiters = new Set(); // waitFor() calls in flight
      this.panel = this._build(normalizeNamespace(namespace));
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
     * Extra options (e.g. transports) are passed to io() as-is.
     */
    connect({ namespace, auth, query, ...options } = {}) {
      if (typeof window.io !== 'function') {
        const err = new Error('Socket.IO client not loaded (global io is missing)');
        this.log('sys', 'error', err.message);
        return Promise.reject(err);
      }
      if (namespace !== undefined) this._nsInput.value = namespace;
      const nsp = normalizeNamespace(this._nsInput.value);
      this._nsInput.value = nsp;

      this._close('superseded by a new connect()');

      // forceNew: each console client gets its own Manager, i.e. its own
      // engine.io connection, like separate browser tabs would.
      const opts = { ...options, forceNew: true, autoConnect: false };
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
     */
    log(direction, event, args) {
      const dir = Object.prototype.hasOwnProperty.call(DIRECTIONS, direction) ? direction : 'sys';
      const name = String(event);
      let text;
      let ackRequested = false;
      if (Array.isArray(args)) {
        let shown = args;
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
      } else {
        text = formatValue(args);
      }

      const now = new Date();
      const { symbol, label } = DIRECTIONS[dir];
      const li = el('li', { class: 'entry', 'data-direction': dir, 'data-event': name }, [
        el('time', { class: 'time', datetime: now.toISOString(), text: formatTime(now) }),
        el('span', { class: 'direction', 'aria-hidden': 'true', title: label, text: symbol }),
        el('span', { class: 'pg-sr-only', text: `${label} ` }),
        el('span', { class: 'event', text: name }),
        ackRequested ? el('span', { class: 'ack', text: 'ack requested' }) : null,
        el('pre', { class: 'payload', text }),
      ]);
      li.hidden = !this._matchesFilter(name);

      const log = this._log;
      // Follow new entries only if the reader is already at the bottom, so
      // scrolling up to read older entries is not undone by the next event.
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
      log.append(li);
      while (log.childElementCount > MAX_ENTRIES) log.firstElementChild.remove();
      if (atBottom) log.scrollTop = log.scrollHeight;
      return li;
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
    }

    clearLog() {
      this._log.replaceChildren();
    }

    // ---- internals

    _wire(socket) {
      // Events from a socket this client has replaced must not touch the panel.
      const current = () => this.socket === socket;

      socket.on('connect', () => {
        if (!current()) return;
        this._setStatus('connected');
        this._sid.textContent = socket.id ?? '';
        this._transport.textContent = socket.io.engine?.transport?.name ?? '';
        this.log('sys', 'connect', [{ sid: socket.id, namespace: socket.nsp }]);
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

      socket.onAnyOutgoing((event, ...args) => {
        if (current()) this.log('out', event, args);
      });

      // The Manager creates a new engine on every (re)connection, so hook the
      // upgrade listener each time one opens.
      socket.io.on('open', () => {
        if (!current()) return;
        socket.io.engine.on('upgrade', (transport) => {
          if (current() && socket.connected) this._transport.textContent = transport.name;
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

    _build(namespace) {
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
      const connectForm = el('form', { class: 'connect-form' }, [
        el('div', { class: 'field field-namespace' }, [el('label', { for: nsId, text: 'Namespace' }), this._nsInput]),
        el('div', { class: 'connect-actions' }, [this._connectBtn, this._disconnectBtn]),
      ]);

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
      this._payloadFields = [createPayloadField({ onSubmitShortcut: () => emitForm.requestSubmit() })];
      const emitBtn = el('button', { type: 'submit', class: 'emit', text: 'Emit' });
      emitForm.append(
        el('div', { class: 'field field-event' }, [el('label', { for: eventId, text: 'Event' }), eventInput]),
        ...this._payloadFields.map((f) => f.root),
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
        this.connect().catch(() => {}); // failure is already in the log and the badge
      });
      this._disconnectBtn.addEventListener('click', () => this.disconnect());
      removeBtn.addEventListener('click', () => this._playground._removeFromUi(this));

      emitForm.addEventListener('submit', (e) => {
        e.preventDefault();
        const event = eventInput.value.trim();
        if (event === '') {
          eventInput.focus();
          return;
        }
        const results = this._payloadFields.map((field) => field.validate());
        const invalid = results.findIndex((r) => !r.ok);
        if (invalid !== -1) {
          this._payloadFields[invalid].textarea.focus();
          return; // the field shows why; nothing is sent
        }
        if (!this.socket?.connected) {
          this.log('sys', 'error', 'not connected: nothing sent');
          return;
        }
        try {
          this.emit(event, ...results.flatMap((r) => r.args));
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

  // --------------------------------------------------------------- playground

  let host = null;
  let list = null;
  let addBtn = null;

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

    addClient({ name, namespace = '/' } = {}) {
      if (!init()) throw new Error('Playground: no #console element on this page');
      const finalName = name === undefined || name === null || String(name).trim() === '' ? nextFreeName(this.clients) : String(name).trim();
      if (this.client(finalName)) throw new Error(`Playground: a client named "${finalName}" already exists`);
      const client = new Client({ name: finalName, namespace }, this);
      this.clients.push(client);
      list.append(client.panel);
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
    list = el('div', { class: 'clients' });
    host.append(toolbar, list);

    for (const spec of readClientSpecs(host)) {
      try {
        Playground.addClient({ name: spec?.name, namespace: spec?.namespace ?? '/' });
      } catch (err) {
        console.error('[playground] could not add client', spec, err);
      }
    }
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
