// "Why can't this user sign in?" (GET /admin/users/:id/diagnosis): the verdict, what stops or holds the user (each
// with who can fix it and how), and where Gatehouse and the provider disagree. Admins get "Reconcile" when some drift
// can safely take the provider's truth (POST …/reconcile, audited); auditors read only.
import { call, describeError, get } from '../api.js';
import { confirmAction } from '../dialog.js';
import { announce, h } from '../dom.js';
import { canAct, session } from '../session.js';
import { asyncSection, resultLine, settle } from './async-section.js';

const EFFECT = { refused: 'refuses sign-in', held: 'signs in but is held', info: 'worth knowing' };
const WHO = { reconcile: 'Reconcile', admin: 'An administrator', user: 'The user', time: 'Time' };

export const diagnosisSection = {
  id: 'diagnosis',
  title: "Why can't this user sign in?",
  render: (ctx) => asyncSection((refill, note) => draw(ctx, refill, note)),
};

async function draw(ctx, refill, note) {
  const d = await get(`/admin/users/${encodeURIComponent(ctx.user.id)}/diagnosis`);
  const verdict = d.canSignIn
    ? d.blockers.length ? `${ctx.name} can sign in, with the notes below.` : `${ctx.name} can sign in: nothing stops them.`
    : `${ctx.name} cannot sign in.`;
  const out = [h('p', { class: d.canSignIn ? 'ok' : 'error', 'data-testid': 'diagnosis-verdict' }, verdict)];
  out.push(h('h3', {}, 'Reasons'));
  out.push(d.blockers.length ? findings(d.blockers) : h('p', {}, 'None.'));
  out.push(h('h3', {}, `Gatehouse and the provider (${d.provider.provider})`));
  out.push(d.drift.length ? findings(d.drift, true) : h('p', {}, d.provider.available ? 'They agree.' : 'The provider could not be read.'));
  const reconcilable = d.drift.filter((x) => x.reconcile);
  // Reconcile on oneself is refused by the API (SELF_ACTION_FORBIDDEN); the button follows.
  if (canAct() && reconcilable.length && ctx.user.id !== session().userId) {
    out.push(h('div', { class: 'actions-bar' }, h('button', { type: 'button', onclick: () => reconcile(ctx, reconcilable, refill) }, 'Reconcile')));
  }
  out.push(resultLine(note));
  return out;
}

function findings(list, drift = false) {
  return h('ul', { class: 'findings' }, list.map((f) =>
    h('li', { 'data-finding': f.kind },
      h('strong', {}, f.kind), ` (${EFFECT[f.effect] ?? f.effect}): `, f.message,
      drift ? h('span', { class: 'hint' }, ` Gatehouse: ${show(f.gatehouse)}; provider: ${show(f.provider)}.`) : null,
      f.fixes.length ? h('ul', {}, f.fixes.map((x) => h('li', {}, `Fix: ${WHO[x.by] ?? x.by}: ${x.action}`, x.route ? h('span', { class: 'hint' }, ` (${x.route})`) : null))) : null)));
}

const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

async function reconcile(ctx, drift, refill) {
  const ok = await confirmAction({
    title: `Reconcile ${ctx.name}?`,
    effect: `Gatehouse takes the provider's truth for ${ctx.name} (${ctx.user.email ?? ctx.user.id}) where that is safe: ${drift.map((x) => x.kind).join(', ')}. Each change is audited; anything else stays for you to decide.`,
    confirmLabel: 'Reconcile',
  });
  if (!ok) return;
  try {
    const { body } = await call('POST', `/admin/users/${encodeURIComponent(ctx.user.id)}/reconcile`, {});
    const applied = body.entries.filter((e) => e.result === 'applied').map((e) => e.kind);
    const refused = body.entries.filter((e) => e.result === 'refused').map((e) => `${e.kind} (${e.reason ?? 'refused'})`);
    const parts = [applied.length ? `Reconciled: ${applied.join(', ')}.` : 'Nothing needed reconciling.'];
    if (refused.length) parts.push(`Refused: ${refused.join(', ')}.`);
    if (body.manual.length) parts.push(`Left to you: ${body.manual.join(', ')}.`);
    // Reconcile may move the user on the ladder: the whole page is redrawn from the new state, the result on top.
    const message = parts.join(' ');
    announce(message);
    await ctx.reload(message);
  } catch (err) {
    await settle(refill, `Reconcile failed: ${describeError(err)}`, true);
  }
}
