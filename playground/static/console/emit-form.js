// The emit form: an event name, its JSON arguments, and "ask for ack" with a timeout.

import { el, nextId } from './dom.js';
import { createPayloadField } from './fields.js';
import { DEFAULT_ACK_TIMEOUT_MS, parseTimeout } from './parse.js';

/** `.element` is the <form>; on a submit with every field valid it calls `onEmit({event, args, ack, timeout})`. */
export class EmitForm {
  #fields = [];
  #argsBox;
  #addArgBtn;

  constructor({ onEmit }) {
    // Enter in the event field submits (implicit submission), so
    // the Emit button must stay enabled even while disconnected.
    const eventId = nextId('event');
    const eventInput = el('input', {
      id: eventId,
      name: 'event',
      type: 'text',
      required: true,
      placeholder: 'e.g. greet',
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
    });
    const form = el('form', { class: 'emit-form' });
    this.element = form;
    this.#fields = [createPayloadField({ onSubmitShortcut: () => form.requestSubmit() })];
    this.#argsBox = el('div', { class: 'args', 'data-count': '1' }, this.#fields.map((f) => f.root));
    this.#addArgBtn = el('button', { type: 'button', class: 'add-arg', text: 'Add argument' });

    const ackId = nextId('ack');
    const timeoutId = nextId('ack-timeout');
    const timeoutErrorId = `${timeoutId}-error`;
    const ackToggle = el('input', { id: ackId, name: 'ack', type: 'checkbox' });
    const ackTimeout = el('input', {
      id: timeoutId,
      name: 'ack-timeout',
      type: 'number',
      inputmode: 'numeric',
      min: 1,
      step: 1,
      value: DEFAULT_ACK_TIMEOUT_MS,
      autocomplete: 'off',
      'aria-describedby': timeoutErrorId,
    });
    const timeoutError = el('p', { id: timeoutErrorId, class: 'ack-timeout-error', 'aria-live': 'polite', hidden: true });
    const validateTimeout = () => {
      const ms = parseTimeout(ackTimeout.value);
      timeoutError.textContent = ms === null ? 'Timeout: a whole number of ms, 1 or more' : '';
      timeoutError.hidden = ms !== null;
      if (ms === null) ackTimeout.setAttribute('aria-invalid', 'true');
      else ackTimeout.removeAttribute('aria-invalid');
      return ms;
    };
    const emitBtn = el('button', { type: 'submit', class: 'emit', text: 'Emit' });
    form.append(
      el('div', { class: 'field field-event' }, [el('label', { for: eventId, text: 'Event' }), eventInput]),
      this.#argsBox,
      el('div', { class: 'emit-options' }, [
        this.#addArgBtn,
        el('div', { class: 'ack-options' }, [
          el('div', { class: 'field-check field-ack' }, [ackToggle, el('label', { for: ackId, text: 'Ask for ack' })]),
          el('div', { class: 'field-inline field-ack-timeout' }, [el('label', { for: timeoutId, text: 'timeout (ms)' }), ackTimeout]),
        ]),
        timeoutError,
      ]),
      el('div', { class: 'emit-actions' }, [el('span', { class: 'hint', text: 'Ctrl+Enter emits from the payload' }), emitBtn]),
    );

    this.#addArgBtn.addEventListener('click', () => this.#addArgument());
    ackTimeout.addEventListener('input', validateTimeout);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const event = eventInput.value.trim();
      if (event === '') {
        eventInput.focus();
        return;
      }
      // One field: empty means no argument. Several: each must hold a value.
      const strict = this.#fields.length > 1;
      const results = this.#fields.map((field) => field.validate(strict));
      const invalid = results.findIndex((r) => !r.ok);
      if (invalid !== -1) {
        this.#fields[invalid].textarea.focus();
        return; // the field shows why; nothing is sent
      }
      const ack = ackToggle.checked;
      const timeout = ack ? validateTimeout() : null;
      if (ack && timeout === null) {
        ackTimeout.focus();
        return;
      }
      onEmit({ event, args: results.flatMap((r) => r.args), ack, timeout });
    });
  }

  #addArgument() {
    const removeBtn = el('button', { type: 'button', class: 'remove-arg', text: 'Remove' });
    const field = createPayloadField({
      label: 'Argument',
      value: '',
      onSubmitShortcut: () => this.element.requestSubmit(),
      extra: removeBtn,
    });
    field.removeBtn = removeBtn;
    field.root.classList.add('field-extra-arg');
    removeBtn.addEventListener('click', () => this.#removeArgument(field));
    this.#fields.push(field);
    this.#argsBox.append(field.root);
    this.#renumberArguments();
    field.textarea.focus();
  }

  #removeArgument(field) {
    const index = this.#fields.indexOf(field);
    if (index <= 0) return; // the first field stays
    this.#fields.splice(index, 1);
    field.root.remove();
    this.#renumberArguments();
    const next = this.#fields[index] || this.#fields[index - 1];
    (next ? next.textarea : this.#addArgBtn).focus();
  }

  #renumberArguments() {
    this.#fields.forEach((field, i) => {
      if (i === 0) return; // "Payload (JSON)" is argument 1
      field.label.textContent = `Argument ${i + 1} (JSON)`;
      field.removeBtn.setAttribute('aria-label', `Remove argument ${i + 1}`);
      // Refusing empties only makes sense at submit; re-check JSON only.
      field.validate();
    });
    this.#argsBox.dataset.count = String(this.#fields.length);
  }
}
