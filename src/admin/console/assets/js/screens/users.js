// User search: every filter lives in the URL (#/users?q=…&status=…), so reload, bookmarks and the back button
// restore it; paging follows the API's cursor (kept in the URL too), and the total honours the filters.
import { get, query } from '../api.js';
import { announce, field, h, replace, select, tableWrap } from '../dom.js';
import { when, words } from '../format.js';

// `limit` has no control (50 a page) but is honoured from the URL, like every other parameter.
const FILTERS = ['q', 'status', 'provider', 'role', 'mfa', 'createdFrom', 'createdTo', 'sort', 'limit'];
const STATUSES = ['pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription', 'active', 'suspended', 'disabled', 'rejected'];
const any = [['', 'Any']];

export const usersScreen = {
  id: 'users',
  title: 'Users',
  nav: true,
  navPath: '/users',
  match: (path) => (path === '/users' ? {} : null),
  async render(view, _params, q) {
    const current = Object.fromEntries(FILTERS.map((k) => [k, q.get(k) ?? '']));
    const cursor = q.get('cursor') ?? '';
    const form = filterForm(current);
    replace(view, h('h1', {}, 'Users'), form);
    const page = await get(`/admin/users${query({ ...apiFilters(current), cursor })}`);
    const summary = `${page.total} ${page.total === 1 ? 'user matches' : 'users match'}${page.items.length < page.total ? `; showing ${page.items.length}` : ''}.`;
    view.append(h('p', { role: 'status' }, summary));
    announce(summary);
    if (page.items.length > 0) view.append(tableWrap('Users', table(page.items)));
    const here = Object.fromEntries(Object.entries(current).filter(([, v]) => v));
    view.append(
      h('div', { class: 'pager' },
        cursor ? h('a', { href: `#/users${query(here)}` }, 'First page') : null,
        page.nextCursor ? h('a', { href: `#/users${query({ ...here, cursor: page.nextCursor })}` }, 'Next page') : null),
    );
  },
};

/** Date fields hold a day; the API takes an instant: the start of that day (UTC). */
function apiFilters(f) {
  return { ...f, createdFrom: f.createdFrom ? `${f.createdFrom}T00:00:00Z` : '', createdTo: f.createdTo ? `${f.createdTo}T00:00:00Z` : '' };
}

function filterForm(current) {
  const q = h('input', { type: 'search', name: 'q', value: current.q, maxlength: '200' });
  const controls = [
    field('Search', q, 'Address, name or the start of an id'),
    field('Status', select('status', [...any, ...STATUSES.map((s) => [s, words(s)])], current.status)),
    field('Provider', select('provider', [...any, ['local', 'local'], ['cognito', 'cognito'], ['oidc', 'oidc']], current.provider)),
    field('Role', select('role', [...any, ['admin', 'admin'], ['auditor', 'auditor'], ['user', 'user']], current.role)),
    field('Second factor', select('mfa', [...any, ['true', 'enrolled'], ['false', 'none']], current.mfa)),
    field('Created from', h('input', { type: 'date', name: 'createdFrom', value: current.createdFrom })),
    field('Created before', h('input', { type: 'date', name: 'createdTo', value: current.createdTo })),
    field('Sort', select('sort', [['createdAt:desc', 'Newest first'], ['createdAt:asc', 'Oldest first'], ['email:asc', 'Email A–Z'], ['email:desc', 'Email Z–A']], current.sort || 'createdAt:desc')),
  ];
  const form = h('form', { role: 'search', 'aria-label': 'Filter users', class: 'filters' }, controls, h('button', { type: 'submit' }, 'Apply'), h('a', { href: '#/users' }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const k of FILTERS) {
      const v = String(data.get(k) ?? '').trim();
      if (v && !(k === 'sort' && v === 'createdAt:desc')) next[k] = v;
    }
    // A new search starts at the first page: the old cursor belongs to the old filters.
    location.hash = `#/users${query(next)}`;
  });
  return form;
}

function table(items) {
  return h(
    'table',
    {},
    h('caption', {}, 'Matching users'),
    h('thead', {}, h('tr', {}, ['Name', 'Email', 'Status', 'Role', 'Provider', 'Second factor', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, items.map((u) =>
      h('tr', { 'data-user-id': u.id },
        h('td', {}, h('a', { href: `#/users/${encodeURIComponent(u.id)}` }, u.fullName || '(no name)')),
        h('td', {}, u.email ?? '—'),
        h('td', {}, words(u.status), u.waitingFor ? h('span', { class: 'hint' }, ` (waits for ${words(u.waitingFor)})`) : null),
        h('td', {}, u.role),
        h('td', {}, u.provider),
        h('td', {}, u.mfa.enrolled ? u.mfa.method || 'enrolled' : 'none'),
        h('td', {}, when(u.createdAt))))),
  );
}
