// The server's payload limit: the maxPayload of its Engine.IO handshake, and what an emit weighs.

import { binarySize, byteLength, formatBytes } from './format.js';

const WEBSOCKET_MESSAGE_TOO_BIG = 1009; // the close code of a server refusing an oversized message
const ENGINE_MESSAGE = '4'; // the Engine.IO packet type that carries Socket.IO packets
const EVENT = 2; // Socket.IO packet types: an event, and one with binary attachments
const BINARY_EVENT = 5;

/** Where the lessons' limit is set, for the messages that name it. */
export const LIMIT_SOURCE = 'MAX_HTTP_BUFFER_SIZE in playground/wiring.py DEFAULTS (64 KiB)';


/**
 * Calls `onLimit(maxPayload)` with the limit each Engine.IO handshake of `manager` announces
 * (engine.io-client emits "handshake" on its engine, with the open packet's data; it keeps
 * `maxPayload` only as a private field). The Manager makes a new engine in open(), on the
 * first connection and on every reconnection: wrapping this instance's open() hooks each one.
 */
export function watchMaxPayload(manager, onLimit) {
  const open = manager.open;
  manager.open = function openAndWatch(...args) {
    const result = open.apply(this, args);
    this.engine?.once('handshake', (data) => {
      if (Number.isFinite(data?.maxPayload)) onLimit(data.maxPayload);
    });
    return result;
  };
}

/** `args` with each binary value replaced by socket.io-parser's placeholder; the binaries' sizes. */
function withPlaceholders(value, sizes) {
  const size = binarySize(value);
  if (size !== null) {
    sizes.push(size);
    return { _placeholder: true, num: sizes.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => withPlaceholders(item, sizes));
  if (value && typeof value === 'object' && typeof value.toJSON !== 'function') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withPlaceholders(item, sizes)]));
  }
  return value;
}

/**
 * The size in bytes of the largest message an emit sends: its text packet (Engine.IO type,
 * Socket.IO type, namespace, ack id, JSON of [event, ...args]) or one of its binary
 * attachments, each a message of its own. The server's limit applies to each message.
 * `ackId`: the id the emit will carry, or null for none.
 */
export function largestMessage({ namespace, event, args, ackId = null }) {
  const sizes = [];
  const data = JSON.stringify(withPlaceholders([event, ...args], sizes));
  const type = sizes.length ? `${BINARY_EVENT}${sizes.length}-` : String(EVENT);
  const nsp = namespace && namespace !== '/' ? `${namespace},` : '';
  const text = `${ENGINE_MESSAGE}${type}${nsp}${ackId ?? ''}${data}`;
  return Math.max(byteLength(text), ...sizes);
}

/** Why an emit of `size` bytes is refused before it is sent, or null when it fits `limit`. */
export function refusal(size, limit) {
  if (limit === null || size <= limit) return null;
  return (
    `not sent: ${formatBytes(size)}, over the server's limit of ${formatBytes(limit)} ` +
    `(maxPayload, from its Engine.IO handshake; set by ${LIMIT_SOURCE})`
  );
}

/**
 * Why the server closed the connection, when it was for a message over its limit: the
 * WebSocket close code says so, or the last message sent was over the limit. Else null.
 * `details`: socket.io-client's second "disconnect" argument; `lastSent`: the size of the
 * last message sent, or null.
 */
export function sizeDisconnect(reason, details, { lastSent, limit }) {
  if (reason !== 'transport close' && reason !== 'transport error') return null;
  const code = details?.context?.code;
  const over = limit !== null && lastSent !== null && lastSent > limit;
  if (code !== WEBSOCKET_MESSAGE_TOO_BIG && !over) return null;
  const what = lastSent === null ? 'a message' : `a message of ${formatBytes(lastSent)}`;
  const bound = limit === null ? 'its limit' : `its limit of ${formatBytes(limit)}`;
  const closed = code === WEBSOCKET_MESSAGE_TOO_BIG ? ' (WebSocket close code 1009, message too big)' : '';
  return `the server closed the connection${closed}: ${what} was sent, over ${bound} (maxPayload; set by ${LIMIT_SOURCE})`;
}
