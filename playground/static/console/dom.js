// DOM helpers: el() builds an element whose text is always set as text, never parsed as HTML.

let uid = 0;

/** A fresh element id: labels need ids, and client names may contain spaces, so ids are counters. */
export const nextId = (part) => `pg-${part}-${++uid}`;

/**
 * `el('button', {type: 'button', class: 'connect', text: 'Connect'}, [children])`.
 * `text` sets textContent, so it is safe for any data; an attribute set to undefined, null or
 * false is left out, true gives an empty attribute.
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}
