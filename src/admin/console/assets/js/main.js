// The console's shell: who is signed in decides between the sign-in page, the "not allowed" page and the screens;
// the URL's hash (#/users?q=…) names the screen and its filters, so reload and the back button restore them.
import { ApiError, call, describeError } from './api.js';
import { h, replace } from './dom.js';
import { canRead, loadSession, session, signOut } from './session.js';
import { SCREENS } from './screens/index.js';
import { enrolMfaScreen } from './screens/enrol-mfa.js';
import { notAllowedScreen } from './screens/not-allowed.js';
import { signInScreen } from './screens/signin.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const DEFAULT_ROUTE = '#/approvals';
let renderSeq = 0;

/** `#/users/abc?q=x` → { path: '/users/abc', query: URLSearchParams }. */
export function currentRoute() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : DEFAULT_ROUTE.slice(1);
  const at = hash.indexOf('?');
  return { path: at < 0 ? hash : hash.slice(0, at), query: new URLSearchParams(at < 0 ? '' : hash.slice(at + 1)) };
}

function renderNav(activeId) {
  const items = SCREENS.filter((s) => s.nav).map((s) =>
    h('li', {}, h('a', { href: `#${s.navPath}`, 'aria-current': s.id === activeId ? 'page' : null }, s.title)),
  );
  replace(nav, h('ul', {}, items));
  nav.hidden = false;
}

function renderWho() {
  const s = session();
  const out = h('button', { type: 'button', class: 'secondary', onclick: doSignOut }, 'Sign out');
  replace(who, h('span', {}, `Signed in as ${s.role}`, s.role === 'auditor' ? ' (read only)' : ''), out);
}

async function doSignOut() {
  let logoutUrl = null;
  try {
    logoutUrl = await signOut();
  } finally {
    // The issuer's own logout page, when there is one (hosted login), ends its session too.
    if (logoutUrl) location.assign(logoutUrl);
    else location.replace(location.pathname);
  }
}

/** Renders the screen the hash names; a later navigation wins over a slower earlier one. */
async function route() {
  const seq = ++renderSeq;
  const { path, query } = currentRoute();
  for (const screen of SCREENS) {
    const params = screen.match(path);
    if (!params) continue;
    renderNav(screen.navId ?? screen.id);
    const view = h('div', {});
    try {
      await screen.render(view, params, query);
    } catch (err) {
      replace(view, h('h1', { tabindex: '-1' }, screen.title), h('p', { class: 'error', role: 'alert' }, describeError(err)));
    }
    if (seq !== renderSeq) return;
    replace(main, view);
    const heading = main.querySelector('h1');
    document.title = `${heading ? heading.textContent : screen.title} · Gatehouse admin`;
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
    return;
  }
  replace(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'No such page. '), h('a', { href: DEFAULT_ROUTE }, 'Go to approvals'));
  document.title = 'Not found · Gatehouse admin';
}

async function boot(notice) {
  let s;
  try {
    s = await loadSession();
  } catch (err) {
    // A cookie Gatehouse no longer accepts (expired, revoked, a blocked account): clear it and sign in again, saying why.
    if (err instanceof ApiError && (err.status === 401 || err.status === 403) && !notice) {
      await call('POST', '/auth/logout', {}).catch(() => undefined);
      return boot(describeError(err));
    }
    replace(main, h('h1', {}, 'Gatehouse admin'), h('p', { class: 'error', role: 'alert' }, describeError(err)));
    return;
  }
  if (!s.authenticated) {
    nav.hidden = true;
    replace(who);
    signInScreen(main, s, () => boot(), notice);
    return;
  }
  renderWho();
  if (canRead(s) && s.status === 'pending_mfa') {
    nav.hidden = true;
    enrolMfaScreen(main, () => boot());
    return;
  }
  if (!canRead(s) || s.status !== 'active') {
    nav.hidden = true;
    notAllowedScreen(main, s);
    return;
  }
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', DEFAULT_ROUTE);
  await route();
}

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/') && canRead(session())) void route();
});
// The skip link moves focus without touching the hash (the hash is the router's).
document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
void boot();
