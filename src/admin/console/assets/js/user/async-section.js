// A user-page section whose content comes from its own API call: drawn at once as a busy placeholder, then filled
// (or replaced by the error, with its code), so the rest of the page never waits for it.
import { describeError } from '../api.js';
import { announce, h, replace } from '../dom.js';

/**
 * `load(refill, note)` resolves the section's content (nodes). An action inside calls `refill(note)` to redraw the
 * section with `note` ({ message, isError }: the action's result, shown in the section and already announced).
 */
export function asyncSection(load) {
  const box = h('div', { 'aria-busy': 'true' }, h('p', {}, 'Loading…'));
  const refill = async (note) => {
    box.setAttribute('aria-busy', 'true');
    try {
      replace(box, await load(refill, note));
    } catch (err) {
      replace(box, h('p', { class: 'error', role: 'alert' }, describeError(err)));
    } finally {
      box.removeAttribute('aria-busy');
    }
  };
  void refill();
  return box;
}

/** The section's result line for `note` (a status region, so it is read when it changes). */
export function resultLine(note) {
  return h('p', { role: 'status', class: note ? (note.isError ? 'error' : 'ok') : null }, note ? note.message : '');
}

/** Announces `message` and redraws the section with it as the result line. */
export async function settle(refill, message, isError = false) {
  announce(message);
  await refill({ message, isError });
}
