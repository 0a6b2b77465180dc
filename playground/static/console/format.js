// Formatting for the logs: values as JSON text (binary and functions shown as stand-ins), times.

export const pad = (n, width = 2) => String(n).padStart(width, '0');

const encoder = new TextEncoder();

/** The bytes of `text` in UTF-8, as it travels. */
export const byteLength = (text) => encoder.encode(text).length;

export const formatBytes = (n) => `${n.toLocaleString('en')} bytes`;

export const formatTime = (d) =>
  `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;

/** Byte size of a binary value, or null when the value is not binary. */
export function binarySize(value) {
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

export function formatValue(value) {
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
export function formatArgs(args) {
  if (args.length === 0) return '';
  if (args.length === 1) return formatValue(args[0]);
  return formatValue(args);
}

/** One line, for the server view's event list. */
export function formatCompact(args) {
  let text;
  try {
    text = args.map((a) => JSON.stringify(a, jsonReplacer) ?? String(a)).join(', ');
  } catch {
    text = args.map(String).join(', ');
  }
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}
