// Copy as code: an emit as the browser-client line and the Flask-SocketIO test_client line.

import { el, nextId } from './dom.js';
import { pad } from './format.js';

function bytesOf(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * A value as a literal of the target language: "js" or "py". Follows what
 * JSON.stringify (i.e. Socket.IO) would send: object members that are
 * undefined or functions are left out.
 */
export function literal(value, lang, seen = new Set()) {
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

/** The browser-client line that sends this emit: {event, args, ack, timeout}. */
function jsCode({ event, args, ack, timeout }) {
  const params = [JSON.stringify(event), ...args.map((a) => literal(a, 'js'))].join(', ');
  if (!ack) return `socket.emit(${params});`;
  const via = timeout === undefined ? 'socket' : `socket.timeout(${timeout})`;
  // socket.io-client 4.8 resolves emitWithAck with the first ack argument only (lesson 07).
  return `const reply = await ${via}.emitWithAck(${params}); // the first ack argument`;
}

/** The Flask-SocketIO test_client line that sends the same emit: {event, args, ack, namespace}. */
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

/** The block of both lines for one emit {event, args, ack, timeout, namespace}, with its id. */
export function codeBlock(spec) {
  return el('div', { class: 'code', id: nextId('code'), role: 'group', 'aria-label': `Code for ${spec.event}` }, [
    codeLine('js', 'JavaScript (browser client)', jsCode(spec)),
    codeLine('py', 'Python (Flask-SocketIO test client)', pyCode(spec)),
  ]);
}
