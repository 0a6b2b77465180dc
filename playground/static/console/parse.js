// Parsing what users type (payload, auth, ack timeout, namespace); no DOM here.

export const DEFAULT_ACK_TIMEOUT_MS = 5000;
export const MAX_TIMEOUT_MS = 2147483647; // setTimeout's limit

/**
 * One payload text = one argument. Empty text means "no argument".
 * Returns {ok, args} or {ok: false, error}.
 */
export function parsePayload(text) {
  if (text.trim() === '') return { ok: true, args: [] };
  try {
    return { ok: true, args: [JSON.parse(text)] };
  } catch (err) {
    return { ok: false, error: `Invalid JSON: ${err.message}` };
  }
}

/** The auth field: empty = no auth; else a JSON object (what Socket.IO sends in CONNECT). */
export function parseAuth(text) {
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
export function parseTimeout(value) {
  const text = String(value ?? '').trim();
  if (!/^\d+$/.test(text)) return null;
  const ms = Number(text);
  return ms >= 1 && ms <= MAX_TIMEOUT_MS ? ms : null;
}

/** "chat", " /chat ", "//chat" -> "/chat"; "" -> "/". A leading "//" would be read as a host. */
export function normalizeNamespace(value) {
  const text = String(value ?? '').trim();
  return text === '' ? '/' : `/${text.replace(/^\/+/, '')}`;
}

/** The server view's settings (data-server-view): {namespace, auth} of its admin connection. */
export function parseServerViewConfig(text) {
  try {
    const config = JSON.parse(text);
    if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new TypeError('not a JSON object');
    return { ok: true, value: { namespace: normalizeNamespace(config.namespace ?? '/admin'), auth: config.auth } };
  } catch (err) {
    return { ok: false, error: `invalid data-server-view: ${err.message}` };
  }
}
