// The server view: a live, read-only view of the server's sockets, rooms and events.

import { el, nextId } from './dom.js';
import { formatCompact, formatTime } from './format.js';
import { LogView } from './log-view.js';
import { ServerModel } from './server-model.js';
import { namespaceBlocks } from './server-namespaces.js';

const MAX_SERVER_EVENTS = 100;
const OFF_TEXT =
  "Server view: off in this server, started with --no-server-view (nox -s lesson and nox -s playground turn it on).";

/**
 * Fed by python-socketio's admin instrumentation (the events the Socket.IO Admin UI uses):
 * config, all_sockets, socket_connected, socket_disconnected, socket_updated, room_joined,
 * room_left, server_stats, event_received, event_sent.
 *
 * `settings`: null (the page has no server view: it says how to get one), or
 * {ok: true, value: {namespace, auth}} or {ok: false, error} (see settings.js).
 * `clientOf(sid)`: {name, transport} of the console's client with that sid, or null; a
 * console client's transport is read from the browser, which knows an upgrade at once.
 */
export class ServerView {
  #settings;
  #adminNsp;
  #socketioPath;
  #clientOf;
  #model;
  #status;
  #error = '';
  #readOnly = null;
  #eventCount = 0;
  #renderQueued = false;
  #closed = new Set(); // sids reset() closed, until the server reports each gone
  // The DOM, made by #build(): reset() builds it anew, so a reset view is a fresh one.
  #statusEl;
  #errorEl;
  #toggleBtn;
  #nsBox = null;
  #sidRoomsToggle;
  #events = null;
  #eventsSummary;

  constructor({ settings, socketioPath, clientOf }) {
    this.#settings = settings;
    this.#socketioPath = socketioPath;
    this.#clientOf = clientOf;
    this.#adminNsp = settings?.ok ? settings.value.namespace : '/admin';
    this.#model = new ServerModel(this.#adminNsp);
    this.socket = null;
    this.#status = settings === null ? 'off' : 'disconnected';
    if (settings && !settings.ok) this.#error = settings.error;
    this.#build();
  }

  /** live | disconnected | off */
  get status() {
    return this.#status;
  }

  /** Plain data: {"/": {sockets: [{sid, transport, client}], rooms: {room: [sid, ...]}}, ...}. */
  snapshot() {
    const out = {};
    for (const [nsp, ns] of this.#model.namespaces()) {
      out[nsp] = {
        sockets: [...ns.sockets.values()].map((s) => ({ sid: s.sid, transport: this.#transport(s), client: this.#clientName(s.sid) })),
        rooms: Object.fromEntries([...ns.rooms].map(([room, members]) => [room, [...members]])),
      };
    }
    return out;
  }

  /** Connects to the admin feed (when the page has a valid server view). */
  start() {
    if (!this.#settings?.ok) return;
    if (typeof window.io !== 'function') {
      this.#setError('Socket.IO client not loaded (global io is missing)');
      return;
    }
    const { namespace, auth } = this.#settings.value;
    const opts = { path: this.#socketioPath, forceNew: true };
    if (auth !== undefined && auth !== null) opts.auth = auth;
    const socket = window.io(namespace, opts);
    this.socket = socket;
    const model = this.#model;
    // An event that changes the model: render (coalesced) after it.
    const onChange = (event, change) =>
      socket.on(event, (...args) => {
        change(...args);
        this.#queueRender();
      });

    socket.on('connect', () => {
      this.#setError('');
      this.#setStatus('live');
    });
    socket.on('disconnect', () => this.#setStatus('disconnected'));
    socket.on('connect_error', (err) => {
      this.#setStatus('disconnected');
      const data = err.data === undefined ? '' : ` ${formatCompact([err.data])}`;
      this.#setError(`${err.message || 'connection refused'}${data}`);
    });

    socket.on('config', (config) => {
      const features = Array.isArray(config?.supportedFeatures) ? config.supportedFeatures : [];
      this.#readOnly = !features.includes('EMIT');
      this.section.dataset.readOnly = String(this.#readOnly);
    });
    onChange('all_sockets', (sockets) => model.replaceSockets(sockets));
    // Also re-sent for every socket with each ping: an upsert with the current rooms.
    onChange('socket_connected', (s) => model.upsertSocket(s));
    onChange('socket_disconnected', (nsp, sid) => {
      model.forgetSocket(nsp, sid);
      this.#closed.delete(sid);
    });
    onChange('socket_updated', (update) => model.updateSocket(update));
    onChange('room_joined', (nsp, room, sid) => model.joinRoom(nsp, room, sid));
    onChange('room_left', (nsp, room, sid) => model.leaveRoom(nsp, room, sid));
    onChange('server_stats', (stats) => model.listNamespaces(stats));
    socket.on('event_received', (nsp, sid, data) => this.#addServerEvent('in', nsp, sid, data));
    socket.on('event_sent', (nsp, sid, data) => this.#addServerEvent('out', nsp, sid, data));
    this.#queueRender();
  }

  /** Re-renders (coalesced), e.g. when a console client connects and its sid gets a name. */
  refresh() {
    this.#queueRender();
  }

  /**
   * As freshly built (no events, controls as new), still connected and showing the server.
   * `closedSids`: the console's connections just closed; what they still cause on the server
   * (say, a "left" sent to one of them) is not shown as new events: a fresh page never sees it.
   */
  reset(closedSids = []) {
    this.#closed = new Set(closedSids);
    this.#eventCount = 0;
    const old = this.section;
    this.#build();
    old.replaceWith(this.section);
  }

  // ---- helpers

  #clientName(sid) {
    return this.#clientOf(sid)?.name ?? null;
  }

  /**
   * The admin feed reports an upgrade to websocket only on a 5 s poll (python-socketio's
   * _check_for_upgrade); for the console's own clients the browser knows it at once.
   */
  #transport(entry) {
    return this.#clientOf(entry.sid)?.transport ?? entry.transport;
  }

  // ---- DOM

  #setStatus(status) {
    this.#status = status;
    this.#showStatus();
    this.#queueRender();
  }

  #setError(text) {
    this.#error = text;
    this.#showStatus();
    this.#queueRender();
  }

  #showStatus() {
    this.#statusEl.textContent = this.#status;
    this.#statusEl.dataset.status = this.#status;
    this.section.dataset.status = this.#status;
    this.#toggleBtn.hidden = this.#status === 'off';
    this.#errorEl.textContent = this.#error;
    this.#errorEl.hidden = this.#error === '';
  }

  #build() {
    const bodyId = nextId('server-view');
    this.#statusEl = el('span', { class: 'server-view-status', role: 'status' });
    this.#errorEl = el('span', { class: 'server-view-error', hidden: true });
    this.#toggleBtn = el('button', {
      type: 'button',
      class: 'server-view-toggle',
      'aria-expanded': 'true',
      'aria-controls': bodyId,
      text: 'Hide',
    });
    const title = el('h3', { class: 'server-view-title', text: 'Server view' });
    const header = el('header', { class: 'server-view-header' }, [title, this.#statusEl, this.#errorEl, this.#toggleBtn]);

    const body = el('div', { class: 'server-view-body', id: bodyId });
    if (this.#settings === null) {
      body.append(el('p', { class: 'server-view-hint', text: OFF_TEXT }));
    } else {
      const sidRoomsId = nextId('sid-rooms');
      this.#sidRoomsToggle = el('input', { id: sidRoomsId, type: 'checkbox', name: 'show-sid-rooms' });
      this.#sidRoomsToggle.addEventListener('change', () => this.#render());
      this.#nsBox = el('div', { class: 'server-view-namespaces' });
      const list = el('ol', { class: 'server-event-list', tabindex: '0', 'aria-label': 'Events the server received and sent' });
      this.#events = new LogView(list, { max: MAX_SERVER_EVENTS });
      this.#eventsSummary = el('summary', { text: 'Server events (0)' });
      body.append(
        this.#nsBox,
        el('div', { class: 'server-view-tools' }, [
          el('div', { class: 'field-check' }, [
            this.#sidRoomsToggle,
            el('label', { for: sidRoomsId, text: "Show each socket's own room (named by its sid)" }),
          ]),
        ]),
        el('details', { class: 'server-events' }, [this.#eventsSummary, list]),
      );
    }
    this.#toggleBtn.addEventListener('click', () => {
      const open = body.hidden;
      body.hidden = !open;
      this.#toggleBtn.textContent = open ? 'Hide' : 'Show';
      this.#toggleBtn.setAttribute('aria-expanded', String(open));
    });
    this.section = el('section', { class: 'server-view', 'aria-label': 'Server view' }, [header, body]);
    if (this.#readOnly !== null) this.section.dataset.readOnly = String(this.#readOnly);
    this.#showStatus();
    this.#queueRender();
  }

  #queueRender() {
    if (this.#renderQueued || !this.#nsBox) return;
    this.#renderQueued = true;
    Promise.resolve().then(() => {
      this.#renderQueued = false;
      this.#render();
    });
  }

  #render() {
    if (!this.#nsBox) return;
    let empty = 'Waiting for the server…';
    if (this.#status === 'live') empty = 'No namespaces with sockets yet.';
    else if (this.#error !== '') empty = 'Not connected to the server view.';
    this.#nsBox.replaceChildren(
      ...namespaceBlocks(this.#model.namespaces(), {
        showSidRooms: this.#sidRoomsToggle.checked,
        clientName: (sid) => this.#clientName(sid),
        transport: (entry) => this.#transport(entry),
        empty,
      }),
    );
  }

  #addServerEvent(direction, nsp, sid, data) {
    if (!this.#events || nsp === this.#adminNsp || !Array.isArray(data) || this.#closed.has(sid)) return;
    const [event, ...args] = data;
    const now = new Date();
    const who = this.#clientName(sid);
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
    this.#events.append(li);
    this.#eventCount += 1;
    this.#eventsSummary.textContent = `Server events (${this.#eventCount})`;
  }
}
