// The audit trail as a table, shared by the Audit screen and the user page's audit tab. Every value (the reason an
// administrator typed, a client's user agent, the detail) is shown as text.
import { h } from './dom.js';
import { when, words } from './format.js';

const COLUMNS = ['When', 'Action', 'Actor', 'Target', 'Status', 'Result', 'Reason', 'Request'];

/** `opts.showTarget`: false on a user's own tab (the target is that user). */
export function auditTable(caption, entries, opts = { showTarget: true }) {
  const cols = COLUMNS.filter((c) => c !== 'Target' || opts.showTarget);
  return h('table', { class: 'audit' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, entries.map((e) => h('tr', { 'data-audit-id': e.id },
      h('td', {}, when(e.at)),
      h('td', {}, e.action),
      h('td', {}, e.actor.id, e.actor.role ? ` (${e.actor.role})` : '', e.actor.ip ? h('span', { class: 'hint' }, ` from ${e.actor.ip}`) : null),
      opts.showTarget ? h('td', {}, h('a', { href: `#/users/${encodeURIComponent(e.target)}` }, e.target)) : null,
      h('td', {}, e.fromStatus || e.toStatus ? `${words(e.fromStatus)} → ${words(e.toStatus)}` : '—'),
      h('td', {}, e.result, e.resultCode ? ` (${e.resultCode})` : ''),
      h('td', {}, e.reason ?? '—'),
      h('td', {}, e.requestId ?? '—')))));
}
