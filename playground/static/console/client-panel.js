// A client's panel: its header, connect and emit forms, and its log, on screen.

import { literal } from './code.js';
import { logEntry } from './client-log.js';
import { el, nextId } from './dom.js';
import { EmitForm } from './emit-form.js';
import { createJsonField } from './fields.js';
import { LogView } from './log-view.js';
import { parseAuth } from './parse.js';

// Keeps a long-running page (e.g. a server that is down and retried every few
// seconds) from growing the DOM without bound.
const MAX_ENTRIES = 1000;
// What the status badge says, where the status's name alone would not.
const STATUS_TEXT = { unreachable: 'server unreachable — retrying' };

/**
 * The panel of one client. It validates what is typed and asks its client to act through
 * `actions`: connect(), disconnect(), emit({event, args, ack, timeout}), remove(). The client
 * shows its state with setState(), showMeta() and addEntry().
 */
export class ClientPanel {
  #nsInput;
  #authField;
  #statusEl;
  #connectBtn;
  #disconnectBtn;
  #sid;
  #transport;
  #log;

  constructor({ name, namespace, auth, actions }) {
    this.element = this.#build(name, namespace, auth, actions);
  }

  /** The namespace field's value (what Connect will use). */
  get namespace() {
    return this.#nsInput.value;
  }

  set namespace(value) {
    this.#nsInput.value = value;
  }

  /** Validates the auth field (its error shows under it): {ok, value} or {ok: false, error}. */
  readAuth() {
    return this.#authField.validate();
  }

  /** The status badge (see Client.status), and which buttons work. */
  setState({ status, active }) {
    this.#statusEl.textContent = STATUS_TEXT[status] ?? status;
    this.#statusEl.dataset.status = status;
    this.element.dataset.status = status; // lets CSS tint the whole panel
    const focused = document.activeElement;
    const connectBtn = this.#connectBtn;
    const disconnectBtn = this.#disconnectBtn;
    connectBtn.disabled = status === 'connected' || status === 'connecting';
    // Disconnect also cancels a pending attempt or automatic reconnection.
    disconnectBtn.disabled = !active;
    // Disabling the focused button would drop keyboard focus on <body>.
    if (focused === connectBtn && connectBtn.disabled && !disconnectBtn.disabled) disconnectBtn.focus();
    if (focused === disconnectBtn && disconnectBtn.disabled && !connectBtn.disabled) connectBtn.focus();
  }

  /** The connection's sid and transport; none: both shown as empty. */
  showMeta({ sid = '', transport = '' } = {}) {
    this.#sid.textContent = sid;
    this.#transport.textContent = transport;
  }

  /** Appends a log entry (see logEntry) and returns its <li>. */
  addEntry(direction, event, args, emit) {
    return this.#log.append(logEntry(direction, event, args, emit));
  }

  /** Scrolls the page (and the log) just enough to show the newest entry, or the empty log. */
  reveal(behavior) {
    const newest = [...this.#log.list.children].findLast((li) => !li.hidden);
    (newest ?? this.#log.list).scrollIntoView({ block: 'nearest', inline: 'nearest', behavior });
  }

  clearLog() {
    this.#log.clear();
  }

  /** Keyboard focus on the first field, e.g. for a panel just added. */
  focus() {
    this.#nsInput.focus();
  }

  #build(name, namespace, auth, actions) {
    // Header: name, status badge, remove.
    this.#statusEl = el('span', { class: 'status', role: 'status' });
    const removeBtn = el('button', {
      type: 'button',
      class: 'remove',
      'aria-label': `Remove ${name}`,
      title: `Remove ${name} (disconnects it)`,
      text: 'Remove',
    });
    const header = el('header', { class: 'client-header' }, [
      el('h3', { class: 'client-name', text: name }),
      this.#statusEl,
      removeBtn,
    ]);
    removeBtn.addEventListener('click', () => actions.remove());

    // The log right under the header: what a scenario did is the first thing in view; the
    // forms to do more come after it.
    return el('section', { class: 'client', 'data-client': name, 'aria-label': `Client ${name}` }, [
      header,
      this.#buildMeta(),
      ...this.#buildLog(name),
      this.#buildConnectForm(namespace, auth, actions),
      new EmitForm({ onEmit: actions.emit }).element,
    ]);
  }

  // Connection: a form so Enter in the namespace field connects. Forms are
  // left unnamed: a named form becomes a landmark, two per client is noise.
  #buildConnectForm(namespace, auth, actions) {
    const nsId = nextId('namespace');
    this.#nsInput = el('input', {
      id: nsId,
      name: 'namespace',
      type: 'text',
      value: namespace,
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
    });
    this.#connectBtn = el('button', { type: 'submit', class: 'connect', text: 'Connect' });
    this.#disconnectBtn = el('button', { type: 'button', class: 'disconnect', text: 'Disconnect' });
    const form = el('form', { class: 'connect-form' });
    let authText = '';
    if (typeof auth === 'string') authText = auth;
    else if (auth !== null && typeof auth === 'object') authText = literal(auth, 'js'); // JSON, spaced
    this.#authField = createJsonField({
      name: 'auth',
      label: 'auth (JSON)',
      value: authText,
      parse: parseAuth,
      fieldClass: 'field-auth',
      errorClass: 'auth-error',
      rows: 1,
      placeholder: 'none, or {"token": "abc"}',
      onSubmitShortcut: () => form.requestSubmit(),
    });
    form.append(
      el('div', { class: 'field field-namespace' }, [el('label', { for: nsId, text: 'Namespace' }), this.#nsInput]),
      this.#authField.root,
      el('div', { class: 'connect-actions' }, [this.#connectBtn, this.#disconnectBtn]),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      // An invalid auth refuses inline: the field says why, nothing is logged.
      if (!this.#authField.validate().ok) {
        this.#authField.textarea.focus();
        return;
      }
      actions.connect();
    });
    this.#disconnectBtn.addEventListener('click', () => actions.disconnect());
    return form;
  }

  #buildMeta() {
    this.#sid = el('dd', { class: 'sid' });
    this.#transport = el('dd', { class: 'transport' });
    return el('dl', { class: 'meta' }, [
      el('div', {}, [el('dt', { text: 'sid' }), this.#sid]),
      el('div', {}, [el('dt', { text: 'transport' }), this.#transport]),
    ]);
  }

  /** The log tools (filter, clear) and the log. */
  #buildLog(name) {
    const filterId = nextId('filter');
    const filter = el('input', {
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
      filter,
      clearBtn,
    ]);
    // Focusable so keyboard users can scroll it; polite live region so new
    // events are announced without interrupting. Labels here avoid the word
    // "event" so that the label "Event" names exactly one control.
    const list = el('ol', {
      class: 'log',
      tabindex: '0',
      'aria-label': `${name} log`,
      'aria-live': 'polite',
      'aria-relevant': 'additions',
    });
    this.#log = new LogView(list, { max: MAX_ENTRIES });
    filter.addEventListener('input', () => {
      const needle = filter.value.trim().toLowerCase();
      this.#log.filter((li) => needle === '' || (li.dataset.event || '').toLowerCase().includes(needle));
    });
    clearBtn.addEventListener('click', () => this.clearLog());
    return [tools, list];
  }
}
