// LogView: a list of entries that keeps the newest ones and follows them while read at the bottom.

// How close to the bottom counts as "at the bottom" (a fraction of a line is not scrolling up).
const AT_BOTTOM_PX = 24;

export class LogView {
  #matches = () => true;

  /** `list`: the <ol> to fill; `max`: entries kept (a long-running page must not grow forever). */
  constructor(list, { max }) {
    this.list = list;
    this.max = max;
  }

  /** Appends `item` (hidden when the filter refuses it), drops the oldest past `max`. */
  append(item) {
    const list = this.list;
    item.hidden = !this.#matches(item);
    // Follow new entries only if the reader is already at the bottom, so scrolling up to read
    // older entries is not undone by the next event.
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < AT_BOTTOM_PX;
    list.append(item);
    while (list.childElementCount > this.max) list.firstElementChild.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
    return item;
  }

  clear() {
    this.list.replaceChildren();
  }

  /** Shows only the entries `matches(item)` accepts, now and from now on. */
  filter(matches) {
    this.#matches = matches;
    for (const item of this.list.children) item.hidden = !matches(item);
    // Show the newest matches, and re-arm following (it follows only at the bottom).
    this.list.scrollTop = this.list.scrollHeight;
  }
}
