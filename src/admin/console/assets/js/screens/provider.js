// The identity provider as the operator needs it: which settings are present (never their values), the pool's MFA
// mode and password policy, the app client, the newest users, how many Gatehouse mirrors, and the Test connection
// matrix: one row per check, a denied one naming the IAM action to grant.
import { describeError, get, post } from '../api.js';
import { announce, facts, h, replace, tableWrap } from '../dom.js';
import { when, yesNo } from '../format.js';
import { canAct } from '../session.js';

const unavailable = (part) => part && typeof part === 'object' && 'unavailable' in part;
const th = (labels) => h('thead', {}, h('tr', {}, labels.map((t) => h('th', { scope: 'col' }, t))));

export const providerScreen = {
  id: 'provider',
  title: 'Provider',
  nav: true,
  navPath: '/provider',
  match: (path) => (path === '/provider' ? {} : null),
  async render(view) {
    const p = await get('/admin/provider');
    const testArea = h('div', {});
    replace(
      view,
      h('h1', {}, `Provider: ${p.provider.active}`),
      p.provider.fellBack
        ? h('p', { class: 'error' }, `AUTH_PROVIDER=${p.provider.requested} is missing ${p.provider.missing.join(', ')}; Gatehouse fell back to ${p.provider.active}.`)
        : null,
      canAct() ? testSection(testArea) : null,
      section('Settings', tableWrap('Settings', h('table', {}, h('caption', {}, 'Whether each setting is present (values are never shown)'), th(['Setting', 'Present']),
        h('tbody', {}, p.settings.map((s) => h('tr', {}, h('td', {}, s.name), h('td', {}, yesNo(s.present)))))))),
      section('Directory', directory(p.directory)),
      section('App client', client(p.client)),
      section('Newest users', newest(p.newestUsers, p.mirroredUsers)),
    );
  },
};

function section(title, body) {
  const id = `provider-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), body);
}

function directory(d) {
  if (unavailable(d)) return h('p', {}, `The provider could not describe its directory (${d.unavailable}).`);
  const pol = d.passwordPolicy ?? {};
  return facts([
    ['Id', d.id],
    ['Name', d.name ?? '—'],
    ['MFA mode', d.mfa ?? '—'],
    ['Sign-in attributes', (d.usernameAttributes ?? []).join(', ') || '—'],
    ['Auto-verified', (d.autoVerifiedAttributes ?? []).join(', ') || '—'],
    ['Password policy', `at least ${pol.minLength ?? '?'} characters; upper case ${yesNo(pol.requireUppercase)}, lower case ${yesNo(pol.requireLowercase)}, digits ${yesNo(pol.requireNumbers)}, symbols ${yesNo(pol.requireSymbols)}`],
    ['Estimated users', d.estimatedUsers ?? '—'],
  ]);
}

function client(c) {
  if (unavailable(c)) return h('p', {}, `The provider could not describe the app client (${c.unavailable}).`);
  return facts([
    ['Id', c.id],
    ['Name', c.name ?? '—'],
    ['Auth flows', c.authFlows.join(', ') || 'none'],
    ['Writable attributes', c.writeAttributes.join(', ') || 'none'],
    ['Readable attributes', c.readAttributes.join(', ') || 'none'],
    ['Has a client secret', yesNo(c.hasSecret)],
  ]);
}

function newest(n, mirrored) {
  const mirror = h('p', {}, `Gatehouse mirrors ${mirrored} ${mirrored === 1 ? 'user' : 'users'} of this provider.`);
  if (unavailable(n)) return h('div', {}, mirror, h('p', {}, `The provider could not list its users (${n.unavailable}).`));
  return h('div', {}, mirror, tableWrap('Newest provider users', h('table', {},
    h('caption', {}, n.complete ? `The ${n.users.length} newest` : `The newest among the first ${n.scanned} scanned`),
    th(['Email', 'Username', 'Enabled', 'Status', 'Factors', 'Created']),
    h('tbody', {}, n.users.map((u) => h('tr', {},
      h('td', {}, u.email ?? '—'), h('td', {}, u.username), h('td', {}, yesNo(u.enabled)), h('td', {}, u.status ?? '—'),
      h('td', {}, u.mfa.join(', ') || 'none'), h('td', {}, when(u.createdAt))))))));
}

/** Test connection: runs POST /admin/provider/test and draws its matrix (admins only: the test is audited). */
function testSection(area) {
  const button = h('button', { type: 'button' }, 'Test connection');
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(area, h('p', {}, 'Testing…'));
    try {
      const { body } = await post('/admin/provider/test');
      const failed = body.checks.filter((c) => c.status === 'fail');
      const summary = body.ok ? `All ${body.checks.length} checks passed.` : `${failed.length} of ${body.checks.length} checks failed: ${failed.map((c) => c.iamAction ?? c.check).join(', ')}.`;
      replace(area, h('p', { class: body.ok ? 'ok' : 'error' }, summary), matrix(body.checks));
      announce(summary);
    } catch (err) {
      replace(area, h('p', { class: 'error', role: 'alert' }, describeError(err)));
    } finally {
      button.disabled = false;
    }
  });
  return section('Test connection', h('div', {}, h('p', {}, 'Checks the credentials, the pool and each operation Gatehouse uses. A denied operation names the IAM action to grant.'), button, area));
}

function matrix(checks) {
  return tableWrap('Test connection results', h('table', {}, h('caption', {}, 'One row per check'), th(['Check', 'Result', 'IAM action', 'Detail']),
    h('tbody', {}, checks.map((c) => h('tr', { 'data-check': c.check },
      h('td', {}, c.check), h('td', { class: `status-${c.status}` }, c.status), h('td', {}, c.iamAction ?? '—'), h('td', {}, c.detail))))));
}
