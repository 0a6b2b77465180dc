// The console's settings, as the #console element's data- attributes give them.

import { parseServerViewConfig } from './parse.js';

const DEFAULT_SOCKETIO_PATH = '/socket.io';

/** data-socketio-path: this page's Socket.IO path (mounted lessons: "/lessons/NN/socket.io"). */
export function readSocketioPath(element) {
  const raw = element?.getAttribute('data-socketio-path');
  return raw && raw.trim() !== '' ? raw.trim() : DEFAULT_SOCKETIO_PATH;
}

/** data-clients: the clients a fresh page shows, [{name, namespace, auth}, ...]. */
export function readClientSpecs(element) {
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

/**
 * data-server-view: null when absent (the view is off), else {ok: true, value: {namespace,
 * auth}} or {ok: false, error}.
 */
export function readServerViewConfig(element) {
  const raw = element.getAttribute('data-server-view');
  if (raw === null) return null;
  const result = parseServerViewConfig(raw);
  if (!result.ok) console.error('[playground] invalid data-server-view attribute:', result.error);
  return result;
}

/** data-server-view-off: why this page has no server view (absent: the runner was told so). */
export function readServerViewOffText(element) {
  return element.getAttribute('data-server-view-off');
}
