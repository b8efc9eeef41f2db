// The Stripe webhook ledger: one row per verified event, newest first, with what Gatehouse did with it.
import { get, query } from '../api.js';
import { field, h, replace, select, tableWrap } from '../dom.js';
import { when } from '../format.js';

const OUTCOMES = [['', 'Any'], ['applied', 'applied'], ['stale', 'stale (older than what is known)'], ['unmapped', 'unmapped (no Gatehouse user)'], ['ignored', 'ignored']];

export const billingScreen = {
  id: 'billing',
  title: 'Billing',
  nav: true,
  navPath: '/billing',
  match: (path) => (path === '/billing' ? {} : null),
  async render(view, _params, q) {
    const outcome = q.get('outcome') ?? '';
    const cursor = q.get('cursor') ?? '';
    const choose = select('outcome', OUTCOMES, outcome);
    const form = h('form', { class: 'filters', 'aria-label': 'Filter events' }, field('Outcome', choose), h('button', { type: 'submit' }, 'Apply'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      location.hash = `#/billing${query({ outcome: choose.value })}`;
    });
    const page = await get(`/admin/billing/events${query({ outcome, cursor })}`);
    replace(view, h('h1', {}, 'Billing events'), h('p', {}, 'Stripe webhook events Gatehouse verified, newest first.'), form);
    if (page.items.length === 0) view.append(h('p', { role: 'status' }, 'No events.'));
    else
      view.append(
        tableWrap('Billing events', h('table', {}, h('caption', {}, `${page.items.length} events`),
          h('thead', {}, h('tr', {}, ['Received', 'Type', 'Event', 'Outcome', 'User', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, page.items.map((e) => h('tr', {},
            h('td', {}, when(e.receivedAt)), h('td', {}, e.type), h('td', {}, e.eventId, e.livemode ? '' : ' (test mode)'), h('td', {}, e.outcome),
            h('td', {}, e.userId ? h('a', { href: `#/users/${encodeURIComponent(e.userId)}` }, e.userId) : '—'), h('td', {}, e.detail ?? '—')))))),
      );
    view.append(h('div', { class: 'pager' },
      cursor ? h('a', { href: `#/billing${query({ outcome })}` }, 'Newest') : null,
      page.nextCursor ? h('a', { href: `#/billing${query({ outcome, cursor: page.nextCursor })}` }, 'Older events') : null));
  },
};
