// The public Playground object: the console's clients, lesson scenarios, and reset().

import { Client } from './client.js';
import { el } from './dom.js';
import { ServerView } from './server-view.js';
import { readClientSpecs, readServerViewConfig, readSocketioPath } from './settings.js';

const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi'];

// Set by buildConsole().
let host = null;
let list = null;
let addBtn = null;
let serverView = null;
const clients = [];
const scenarioButtons = new Set();
// Counts resets: a scenario started before the latest reset() no longer owns its button or the log.
let generation = 0;

function nextFreeName() {
  const taken = new Set(clients.map((c) => c.name));
  const free = NAMES.find((n) => !taken.has(n));
  if (free) return free;
  for (let n = NAMES.length + 1; ; n++) if (!taken.has(`Client ${n}`)) return `Client ${n}`;
}

/** The console client whose socket has this sid: what the server view names and reads. */
function clientOf(sid) {
  const client = clients.find((c) => c.socket && c.socket.id === sid);
  return client ? { name: client.name, transport: client.socket.io.engine?.transport?.name } : null;
}

/** A client was removed: forget it; after its Remove button, keep keyboard focus nearby. */
function onRemoved(client, fromUi) {
  const index = clients.indexOf(client);
  if (index !== -1) clients.splice(index, 1);
  serverView.refresh();
  if (!fromUi) return;
  const neighbour = clients[index] || clients[index - 1];
  (neighbour ? neighbour.panel.querySelector('button.remove') : addBtn)?.focus();
}

function addInitialClients() {
  for (const spec of readClientSpecs(host)) {
    try {
      Playground.addClient({ name: spec?.name, namespace: spec?.namespace ?? '/', auth: spec?.auth });
    } catch (err) {
      console.error('[playground] could not add client', spec, err);
    }
  }
}

/**
 * What a scenario did, in view: the first client's newest log entry (where a failure is logged
 * too), scrolled to only as far as needed; smoothly unless the reader asked for less motion.
 */
function revealResult() {
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  clients[0]?.reveal(reduced ? 'auto' : 'smooth');
}

/**
 * Runs a lesson scenario: disables the button meanwhile, logs a failure as a
 * sys 'error' entry on the first client and in the browser console. The first client's log
 * is brought into view when it starts and when it ends.
 */
async function runScenario(fn, button) {
  const started = generation;
  const ours = () => started === generation;
  const hadFocus = button && document.activeElement === button;
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.dataset.state = 'running';
    revealResult();
  }
  try {
    const result = await fn(Playground);
    if (button && ours()) button.dataset.state = 'done';
    return result;
  } catch (err) {
    if (!ours()) throw err; // ended by a reset: the page it ran on is gone
    const message = err instanceof Error ? `${err.name}: ${err.message}` : `Error: ${String(err)}`;
    if (clients[0]) clients[0].log('sys', 'error', message);
    console.error('[playground] scenario failed:', err);
    if (button) button.dataset.state = 'failed';
    throw err;
  } finally {
    if (button && ours()) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      // Disabling moved focus to <body>; give it back for keyboard users (without scrolling
      // back to it: the result stays in view, and Enter runs the scenario again).
      if (hadFocus && (document.activeElement === document.body || !document.activeElement)) button.focus({ preventScroll: true });
      revealResult();
    }
  }
}

function resetButton(button) {
  button.disabled = false;
  button.removeAttribute('aria-busy');
  delete button.dataset.state;
}

export const Playground = {
  /** Clients in panel order. The same array instance for the page's lifetime. */
  clients,

  Client,

  /** Where this page's Socket.IO server listens: pass it as `path` to your own io() calls. */
  get socketioPath() {
    return readSocketioPath(document.getElementById('console'));
  },

  /** The server view ({status, snapshot(), refresh()}), or null before the console is built. */
  get serverView() {
    return serverView;
  },

  addClient({ name, namespace = '/', auth } = {}) {
    if (!host) throw new Error('Playground: no #console element on this page');
    const finalName = name === undefined || name === null || String(name).trim() === '' ? nextFreeName() : String(name).trim();
    if (this.client(finalName)) throw new Error(`Playground: a client named "${finalName}" already exists`);
    const client = new Client({ name: finalName, namespace, auth, socketioPath: readSocketioPath(host) });
    // Connected, disconnected, upgraded: the server view's names and transports may change.
    client.addEventListener('change', () => serverView.refresh());
    client.addEventListener('removed', (e) => onRemoved(client, e.detail.fromUi));
    clients.push(client);
    list.append(client.panel);
    serverView.refresh();
    return client;
  },

  client(name) {
    return clients.find((c) => c.name === name);
  },

  /**
   * Binds a click handler to a button (element or selector) that runs
   * `await fn(Playground)`. Returns a function that runs the scenario
   * programmatically (its promise rejects if the scenario throws).
   */
  scenario(target, fn) {
    if (typeof fn !== 'function') throw new TypeError('Playground.scenario(target, fn): fn must be a function');
    const buttons = typeof target === 'string' ? [...document.querySelectorAll(target)] : target ? [target] : [];
    if (buttons.length === 0) console.warn('[playground] scenario(): no element matches', target);
    for (const button of buttons) {
      scenarioButtons.add(button);
      button.addEventListener('click', (e) => {
        e.preventDefault();
        // Already logged and sent to console.error by runScenario.
        runScenario(fn, button).catch(() => {});
      });
    }
    return () => runScenario(fn, null);
  },

  /**
   * Back to the state of a freshly loaded page, without reloading it: every client's
   * connection closed (no reconnection left) and its waitFor() calls rejected, its panel
   * removed; the clients of #console's data-clients added anew; the scenario buttons as new;
   * the server view emptied of events (still connected: it shows the server as it is). Then
   * dispatches "playground:reset" on window, for lesson scripts that keep state of their own.
   * Resolves once that is done; the server notices the closed connections a moment later.
   */
  async reset() {
    if (!host) throw new Error('Playground: no #console element on this page');
    generation += 1;
    const closedSids = clients.map((c) => c.socket?.id).filter(Boolean);
    for (const client of clients.slice()) client.remove(); // a copy: each takes itself out
    for (const button of scenarioButtons) resetButton(button);
    serverView.reset(closedSids);
    addInitialClients();
    window.dispatchEvent(new CustomEvent('playground:reset'));
  },
};

/** Builds the console in `element` (the page's #console), once. */
export function buildConsole(element) {
  if (host) return;
  host = element;
  addBtn = el('button', { type: 'button', class: 'add-client', text: 'Add client' });
  addBtn.addEventListener('click', () => {
    const client = Playground.addClient();
    client.panel.scrollIntoView({ block: 'nearest' });
    client.focus();
  });
  const toolbar = el('div', { class: 'console-toolbar' }, [
    el('h2', { class: 'console-title', text: 'Console' }),
    el('p', { class: 'console-hint', text: 'Each client is its own Socket.IO connection.' }),
    addBtn,
  ]);
  serverView = new ServerView({ settings: readServerViewConfig(host), socketioPath: readSocketioPath(host), clientOf });
  list = el('div', { class: 'clients' });
  // The clients first, right under the scenario on a narrow screen; the server's side after them.
  host.append(toolbar, list, serverView.section);
  addInitialClients();
  serverView.start();
}
