// A client's log entry: one event in or out, a system note or an acknowledgement, as an <li>.

import { codeBlock } from './code.js';
import { el } from './dom.js';
import { byteLength, formatArgs, formatBytes, formatTime, formatValue } from './format.js';

// A payload longer than this is shown cut, with its size and a button to show all of it: a
// 3 MB payload rendered whole would make the log unusable.
const PREVIEW_CHARS = 2000;

const DIRECTIONS = {
  in: { symbol: '↓', label: 'incoming' },
  out: { symbol: '↑', label: 'outgoing' },
  sys: { symbol: '•', label: 'system' },
  ack: { symbol: '↩', label: 'acknowledgement' },
};

/**
 * The entry for `event` with `args` (an array of event arguments; a string is shown verbatim,
 * as sys notes are). Directions: in | out | sys | ack. `emit` = {namespace, ack, timeout}
 * of the emit: outgoing entries get a "Code" button showing it as code.
 */
export function logEntry(direction, event, args, emit = {}) {
  const dir = Object.hasOwn(DIRECTIONS, direction) ? direction : 'sys';
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
  if (dir === 'out' && emit.ack) ackRequested = true;

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
    ...payloadView(text),
  ]);

  if (codeBtn) {
    const spec = { event: name, args: shown, ack: Boolean(emit.ack), timeout: emit.timeout, namespace: emit.namespace };
    codeBtn.setAttribute('aria-label', `Code for ${name}`);
    codeBtn.title = 'Show this emit as browser and test-client code';
    codeBtn.addEventListener('click', () => toggleCode(li, codeBtn, spec));
  }
  return li;
}

/** The payload's <pre>; a long one cut to its start, with its size and a Show all button. */
function payloadView(text) {
  if (text.length <= PREVIEW_CHARS) return [el('pre', { class: 'payload', text })];
  const preview = `${text.slice(0, PREVIEW_CHARS)}…`;
  const pre = el('pre', { class: 'payload', 'data-truncated': 'true', text: preview });
  const size = `${text.length.toLocaleString('en')} characters, ${formatBytes(byteLength(text))}`;
  const button = el('button', { type: 'button', class: 'show-all', 'aria-expanded': 'false', text: 'Show all' });
  button.addEventListener('click', () => {
    const all = pre.dataset.truncated === 'true';
    pre.textContent = all ? text : preview; // text, never HTML
    pre.dataset.truncated = String(!all);
    button.textContent = all ? 'Show less' : 'Show all';
    button.setAttribute('aria-expanded', String(all));
  });
  const note = el('span', { text: `${size}; the first ${PREVIEW_CHARS.toLocaleString('en')} characters shown` });
  return [pre, el('div', { class: 'payload-more' }, [note, button])];
}

/** Shows/hides the "copy as code" block under an outgoing entry (built on first use). */
function toggleCode(li, button, spec) {
  let block = li.querySelector(':scope > .code');
  if (!block) {
    block = codeBlock(spec);
    block.hidden = true;
    button.setAttribute('aria-controls', block.id);
    li.append(block);
  }
  block.hidden = !block.hidden;
  button.setAttribute('aria-expanded', String(!block.hidden));
}
