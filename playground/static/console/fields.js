// JSON fields: a labelled textarea that validates as you type, says why it refuses, fits its text.

import { el, nextId } from './dom.js';
import { parsePayload } from './parse.js';

const DEFAULT_PAYLOAD = '"hello"';

/** Its height to its content's (CSS caps it with max-height, and it scrolls past that). */
function fitToContent(textarea) {
  const style = getComputedStyle(textarea);
  const borders = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
  textarea.style.height = 'auto'; // so that scrollHeight is the content's, not the box's
  textarea.style.height = `${textarea.scrollHeight + borders}px`;
}

/**
 * Keeps a textarea fitted to its content: as it is typed in, and whenever its width changes,
 * which rewraps its text; the first time is when it is laid out, i.e. on load. Fitted on the
 * next frame, not inside the observer's callback: a size changed there would be reported
 * again in the same frame (a "ResizeObserver loop" error).
 */
function autoGrow(textarea) {
  let width = null;
  const observer = new ResizeObserver(([entry]) => {
    if (entry.contentRect.width === width) return; // its own height changed: already fitted
    width = entry.contentRect.width;
    requestAnimationFrame(() => fitToContent(textarea));
  });
  observer.observe(textarea);
  textarea.addEventListener('input', () => fitToContent(textarea));
}

/**
 * A labelled JSON textarea with live validation: `parse(text)` returns
 * {ok, ...} or {ok: false, error}; the error is shown under the field.
 * Returns {root, textarea, error, label, validate, show}.
 */
export function createJsonField({
  name,
  label,
  value = '',
  parse,
  fieldClass,
  errorClass,
  rows = 2,
  placeholder,
  onSubmitShortcut,
  extra = null,
}) {
  const id = nextId(name);
  const errorId = `${id}-error`;
  const textarea = el('textarea', {
    id,
    name,
    rows,
    placeholder,
    spellcheck: 'false',
    autocomplete: 'off',
    autocapitalize: 'off',
    'aria-describedby': errorId,
  });
  textarea.defaultValue = value; // so a form reset restores it
  textarea.value = value;
  // Polite, not an alert: it updates on every keystroke.
  const error = el('p', { id: errorId, class: errorClass, 'aria-live': 'polite', hidden: true });
  const labelEl = el('label', { for: id, text: label });
  const head = extra ? el('div', { class: 'field-head' }, [labelEl, extra]) : labelEl;
  const root = el('div', { class: `field ${fieldClass}` }, [head, textarea, error]);

  function show(result) {
    error.textContent = result.ok ? '' : result.error;
    error.hidden = result.ok;
    if (result.ok) textarea.removeAttribute('aria-invalid');
    else textarea.setAttribute('aria-invalid', 'true');
    return result;
  }

  const validate = (...more) => show(parse(textarea.value, ...more));

  textarea.addEventListener('input', () => validate());
  autoGrow(textarea);
  // Ctrl/Cmd+Enter submits from the textarea, where plain Enter is a newline.
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && onSubmitShortcut) {
      e.preventDefault();
      onSubmitShortcut();
    }
  });
  validate();
  return { root, textarea, error, label: labelEl, validate, show };
}

/**
 * One argument of the emit form. `validate(strict)`: strict (at submit, with
 * several fields) also refuses an empty field, which has no JSON meaning.
 */
export function createPayloadField({ label = 'Payload (JSON)', value = DEFAULT_PAYLOAD, onSubmitShortcut, extra } = {}) {
  return createJsonField({
    name: 'payload',
    label,
    value,
    fieldClass: 'field-payload',
    errorClass: 'payload-error',
    parse: (text, strict = false) =>
      strict && text.trim() === ''
        ? { ok: false, error: 'Empty argument: type a JSON value (null for none)' }
        : parsePayload(text),
    onSubmitShortcut,
    extra,
  });
}
