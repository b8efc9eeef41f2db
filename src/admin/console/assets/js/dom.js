// The one way the console builds DOM: elements and text nodes, never HTML strings. Anything a user typed (names,
// reasons, addresses) reaches the page as a Text node, so markup in it is shown, never parsed or run.

/**
 * h('button', { class: 'danger', onclick: fn, 'aria-label': 'Reject x' }, 'Reject')
 * Props: `class`, `on<event>` (a function: addEventListener), `hidden`/`disabled`/`checked`/`required`/`selected`
 * (booleans), anything else becomes an attribute. Children: nodes, strings/numbers (Text nodes), null/false (skipped),
 * arrays (flattened).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Says `message` through the page's polite live region (screen readers read it once). */
export function announce(message) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  // A fresh text a tick later, so the same message twice is announced twice.
  setTimeout(() => (region.textContent = message), 30);
}

let ids = 0;
/** A unique id for label/aria wiring. */
export const uid = (prefix) => `${prefix}-${++ids}`;

/** A labelled form field: label bound to the control by id, an optional hint bound by aria-describedby. */
export function field(labelText, control, hint) {
  control.id = control.id || uid('f');
  const hintEl = hint ? h('p', { class: 'hint', id: uid('hint') }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), hintEl, control);
}

/** A select with `options` as [value, label] pairs. */
export function select(name, options, current) {
  return h('select', { name }, options.map(([value, label]) => h('option', { value, selected: value === (current ?? '') }, label)));
}

/** A definition list from [term, value] pairs (values are text or nodes). */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]));
}

/** A scrollable table wrapper that keyboard users can scroll too (focusable, named). */
export function tableWrap(label, table) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, table);
}
