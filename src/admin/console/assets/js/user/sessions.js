// The user's sessions (GET /admin/users/:id/sessions): device, address, when it began, was last used and ends.
// Admins end one (its refresh token fails at once, its access tokens on their next request) or all of them; the
// dialog names the user, the session and the effect. Auditors see the list only. Cognito lists none: its note says so.
import { call, describeError, get } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, tableWrap } from '../dom.js';
import { when } from '../format.js';
import { canAct, session } from '../session.js';
import { asyncSection, resultLine, settle } from './async-section.js';

export const sessionsSection = {
  id: 'sessions',
  title: 'Sessions',
  render: (ctx) => asyncSection((refill, note) => draw(ctx, refill, note)),
};

async function draw(ctx, refill, note) {
  const base = `/admin/users/${encodeURIComponent(ctx.user.id)}/sessions`;
  const list = await get(base);
  const admin = canAct();
  const done = (message, isError) => settle(refill, message, isError);
  const out = [];
  if (!list.listed) out.push(h('p', {}, list.note ?? 'The provider does not list sessions.'));
  else if (list.sessions.length === 0) out.push(h('p', {}, 'No live sessions.'));
  else out.push(tableWrap(`Sessions of ${ctx.name}`, table(ctx, list.sessions, admin ? (s) => revokeOne(ctx, base, s, done) : null)));
  // Ending one's own sessions here would sign this console out too; the API refuses it (SELF_ACTION_FORBIDDEN).
  if (admin && ctx.user.id !== session().userId) {
    out.push(h('div', { class: 'actions-bar' }, h('button', { type: 'button', class: 'danger', onclick: () => revokeAll(ctx, base, done) }, 'End all sessions')));
  }
  out.push(resultLine(note));
  return out;
}

function table(ctx, sessions, onRevoke) {
  const cols = ['Device', 'Address', 'Started', 'Last used', 'Expires', ...(onRevoke ? ['Action'] : [])];
  return h('table', {},
    h('caption', {}, `${sessions.length} live ${sessions.length === 1 ? 'session' : 'sessions'}`),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, sessions.map((s) => h('tr', { 'data-session-id': s.id },
      h('td', {}, s.device ?? 'unknown device', s.current ? ' (this console)' : ''),
      h('td', {}, s.ip ?? '—'),
      h('td', {}, when(s.createdAt)),
      h('td', {}, when(s.lastUsedAt)),
      h('td', {}, when(s.expiresAt)),
      onRevoke ? h('td', { class: 'actions' }, h('button', { type: 'button', class: 'danger', 'aria-label': `End session started ${when(s.createdAt)} on ${s.device ?? 'unknown device'}`, onclick: () => onRevoke(s) }, 'End session')) : null))));
}

async function revokeOne(ctx, base, s, done) {
  const ok = await confirmAction({
    title: `End a session of ${ctx.name}?`,
    effect: `The session started ${when(s.createdAt)} on ${s.device ?? 'an unknown device'} ends: its refresh token stops working at once and its access tokens on their next request. ${ctx.name}'s other sessions go on.`,
    confirmLabel: 'End session',
    destructive: true,
  });
  if (!ok) return;
  try {
    await call('DELETE', `${base}/${encodeURIComponent(s.id)}`);
    await done(`Session ended for ${ctx.name}.`);
  } catch (err) {
    await done(`Ending the session failed: ${describeError(err)}`, true);
  }
}

async function revokeAll(ctx, base, done) {
  const ok = await confirmAction({
    title: `End every session of ${ctx.name}?`,
    effect: `${ctx.name} (${ctx.user.email ?? ctx.user.id}) is signed out everywhere: every refresh token and every access token issued so far stops working.`,
    confirmLabel: 'End all sessions',
    destructive: true,
  });
  if (!ok) return;
  try {
    await call('POST', `${base}/revoke-all`, {});
    await done(`Every session of ${ctx.name} ended.`);
  } catch (err) {
    await done(`Ending the sessions failed: ${describeError(err)}`, true);
  }
}
