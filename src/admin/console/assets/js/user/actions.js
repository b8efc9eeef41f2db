// The user page's actions: each behind a dialog that names the user and the effect; the ones that take something
// away require a reason. Every write carries If-Match with the ETag the page was drawn from: if someone else changed
// the user meanwhile, the API answers 412 and the page reloads instead of acting on a stale view.
import { call, describeError } from '../api.js';
import { confirmAction } from '../dialog.js';
import { announce, field, h, select } from '../dom.js';

import { session } from '../session.js';
import { allowedActions } from './action-rules.js';

const ACTIONS = {
  approve: { label: 'Approve', effect: (n) => `${n} moves past the approval step of onboarding.` },
  reject: { label: 'Reject', destructive: true, reason: true, effect: (n) => `${n} is refused and signed out everywhere.` },
  suspend: { label: 'Suspend', destructive: true, reason: true, until: true, effect: (n) => `${n} is signed out everywhere and cannot sign in until reactivated (or until the date given).` },
  reactivate: { label: 'Reactivate', effect: (n) => `${n}'s suspension is lifted; they return to where their onboarding stands.` },
  disable: { label: 'Disable', destructive: true, reason: true, effect: (n) => `${n} is disabled at the provider and signed out everywhere.` },
  enable: { label: 'Enable', effect: (n) => `${n} is enabled again at the provider.` },
  'require-mfa': { label: 'Require a second factor', effect: (n) => `${n} must enrol a second factor before going further.` },
  'reset-password': { label: 'Reset password', effect: (n) => `${n}'s password is reset; they must choose a new one with the mailed code.` },
  role: { label: 'Change role', effect: (n) => `${n}'s role changes at once; their next request carries it.` },
  delete: { label: 'Delete', destructive: true, reason: true, effect: (n) => `${n} is deleted from the provider and from Gatehouse. This cannot be undone.` },
};

export const actionsSection = {
  id: 'actions',
  title: 'Actions',
  render(ctx) {
    const ids = allowedActions(ctx.user, session());
    if (ids.length === 0) return null;
    return h('div', { class: 'actions-bar' }, ids.map((id) => button(id, ctx)));
  },
};

function button(id, ctx) {
  const spec = ACTIONS[id];
  const b = h('button', { type: 'button', class: spec.destructive ? 'danger' : '', 'data-action': id }, spec.label);
  b.addEventListener('click', () => run(id, spec, ctx, b));
  return b;
}

async function run(id, spec, ctx, trigger) {
  const extra = [];
  let until = null;
  let role = null;
  if (spec.until) {
    until = h('input', { type: 'datetime-local', name: 'until' });
    extra.push(field('Lift automatically at (optional, your local time)', until));
  }
  if (id === 'role') {
    role = select('role', [['user', 'user'], ['auditor', 'auditor'], ['admin', 'admin']], ctx.user.role);
    extra.push(field('New role', role));
  }
  const answer = await confirmAction({
    title: `${spec.label}: ${ctx.name}?`,
    effect: spec.effect(`${ctx.name} (${ctx.user.email ?? ctx.user.id})`),
    confirmLabel: spec.label,
    destructive: spec.destructive,
    reasonRequired: spec.reason,
    extra: extra.length ? h('div', {}, extra) : null,
    focus: role ?? undefined,
  });
  if (!answer) return void trigger.focus();
  const path = `/admin/users/${encodeURIComponent(ctx.user.id)}`;
  const headers = ctx.etag ? { 'if-match': ctx.etag } : {};
  try {
    if (id === 'delete') {
      await call('DELETE', path, { reason: answer.reason }, headers);
      announce(`Deleted ${ctx.name}.`);
      location.hash = '#/users';
      return;
    }
    if (id === 'role') await call('PUT', `${path}/role`, { role: role.value }, headers);
    else {
      const body = answer.reason ? { reason: answer.reason } : {};
      if (until && until.value) body.until = new Date(until.value).toISOString();
      await call('POST', `${path}/${id}`, body, headers);
    }
    const message = `${spec.label}: done for ${ctx.name}.`;
    announce(message);
    await ctx.reload(message);
  } catch (err) {
    const message = err.status === 412 ? `${ctx.name} was changed by someone else meanwhile; the page now shows the current state. Nothing was done.` : `${spec.label} failed: ${describeError(err)}`;
    announce(message);
    await ctx.reload(message, true).catch(() => undefined);
  }
}

