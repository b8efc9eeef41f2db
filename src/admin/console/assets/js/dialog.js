// Confirmation dialogs: a native <dialog> (focus is trapped and Escape cancels, by the browser), named by its
// heading, saying whom it affects and what happens. A destructive action requires a reason before it can proceed.
import { field, h, uid } from './dom.js';

/**
 * Resolves { reason } when confirmed, null when cancelled.
 * opts: { title, effect, confirmLabel, destructive, reasonRequired, extra (nodes, e.g. an input), collect() }
 */
export function confirmAction(opts) {
  return new Promise((resolve) => {
    const titleId = uid('dlg-title');
    const errorId = uid('dlg-error');
    const reason = opts.reasonRequired ? h('textarea', { name: 'reason', maxlength: '500', required: true, 'aria-required': 'true' }) : null;
    const error = h('p', { class: 'error', id: errorId, role: 'alert' });
    const confirm = h('button', { type: 'submit', class: opts.destructive ? 'danger' : '' }, opts.confirmLabel);
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close('cancel') }, 'Cancel');
    const form = h(
      'form',
      { novalidate: true },
      h('h2', { id: titleId }, opts.title),
      h('p', {}, opts.effect),
      opts.extra ?? null,
      reason ? field('Reason (required, kept in the audit trail)', reason) : null,
      error,
      h('div', { class: 'buttons' }, cancel, confirm),
    );
    const dialog = h('dialog', { 'aria-labelledby': titleId }, form);
    let result = null;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = reason ? reason.value.trim() : '';
      if (reason && !text) {
        error.textContent = 'A reason is required.';
        reason.setAttribute('aria-invalid', 'true');
        reason.setAttribute('aria-describedby', errorId);
        reason.focus();
        return;
      }
      const collected = opts.collect ? opts.collect() : {};
      if (collected === null) return;
      result = { reason: text || undefined, ...collected };
      dialog.close('confirm');
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (reason ?? opts.focus ?? cancel).focus();
  });
}
