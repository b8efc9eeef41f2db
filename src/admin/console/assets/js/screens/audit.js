// The audit trail (GET /admin/audit): filters kept in the URL, newest first with keyset paging; the same filters
// exported as NDJSON or CSV through plain same-origin links (the session cookie goes with them; no script, no blob:
// URL, so the CSP has nothing to allow); and "Verify chain" walking the hash chain (GET /admin/audit/verify).
import { describeError, get, query } from '../api.js';
import { announce, field, h, replace, select, tableWrap } from '../dom.js';
import { auditTable } from '../audit-table.js';

const FILTERS = ['actor', 'target', 'action', 'result', 'from', 'to', 'requestId'];
const RESULTS = [['', 'Any'], ['success', 'success'], ['refused', 'refused'], ['error', 'error']];

export const auditScreen = {
  id: 'audit',
  title: 'Audit',
  nav: true,
  navPath: '/audit',
  match: (path) => (path === '/audit' ? {} : null),
  async render(view, _params, q) {
    const current = Object.fromEntries(FILTERS.map((k) => [k, q.get(k) ?? '']));
    const cursor = q.get('cursor') ?? '';
    const filters = apiFilters(current);
    replace(view, h('h1', {}, 'Audit trail'), filterForm(current), verifyBox(), exportLinks(filters));
    const page = await get(`/admin/audit${query({ ...filters, cursor })}`);
    const summary = page.entries.length === 0 ? 'No audit rows match.' : `${page.entries.length} rows${page.nextCursor ? ' on this page' : ''}, newest first.`;
    view.append(h('p', { role: 'status' }, summary));
    if (page.entries.length) view.append(tableWrap('Audit rows', auditTable('Matching audit rows', page.entries)));
    const here = Object.fromEntries(Object.entries(current).filter(([, v]) => v));
    view.append(h('div', { class: 'pager' },
      cursor ? h('a', { href: `#/audit${query(here)}` }, 'Newest') : null,
      page.nextCursor ? h('a', { href: `#/audit${query({ ...here, cursor: page.nextCursor })}` }, 'Older rows') : null));
  },
};

/** Date fields hold a day; the API takes an instant: the start of that day (UTC). */
function apiFilters(f) {
  return { ...f, from: f.from ? `${f.from}T00:00:00Z` : '', to: f.to ? `${f.to}T00:00:00Z` : '' };
}

function filterForm(current) {
  const text = (name, max) => h('input', { type: 'text', name, value: current[name], maxlength: String(max), autocomplete: 'off' });
  const form = h('form', { role: 'search', 'aria-label': 'Filter the audit trail', class: 'filters' },
    field('Actor', text('actor', 200), 'As written (admin:<id>, system…) or a user id'),
    field('Target user id', text('target', 36)),
    field('Action', text('action', 100), 'A type, or a prefix ending in * (login.*)'),
    field('Result', select('result', RESULTS, current.result)),
    field('From (UTC day)', h('input', { type: 'date', name: 'from', value: current.from })),
    field('Before (UTC day)', h('input', { type: 'date', name: 'to', value: current.to })),
    field('Request id', text('requestId', 200)),
    h('button', { type: 'submit' }, 'Apply'),
    h('a', { href: '#/audit' }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const k of FILTERS) {
      const v = String(data.get(k) ?? '').trim();
      if (v) next[k] = v;
    }
    location.hash = `#/audit${query(next)}`;
  });
  return form;
}

function exportLinks(filters) {
  const link = (format, label) =>
    h('a', { class: 'button', href: `/api/v1/admin/audit/export${query({ ...filters, format })}`, download: `gatehouse-audit.${format}` }, label);
  return h('section', { class: 'card', 'aria-labelledby': 'audit-export' },
    h('h2', { id: 'audit-export' }, 'Export'),
    h('p', {}, 'Every row matching the filters above, oldest first. Exporting is itself audited.'),
    h('div', { class: 'actions-bar' }, link('ndjson', 'Download NDJSON'), link('csv', 'Download CSV')));
}

function verifyBox() {
  const result = h('p', { role: 'status', 'data-testid': 'verify-result' });
  const button = h('button', { type: 'button' }, 'Verify chain');
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.className = '';
    result.textContent = 'Verifying…';
    try {
      const v = await get('/admin/audit/verify');
      const head = v.head ? ` Head: row ${v.head.seq ?? '—'}, hash ${String(v.head.hash ?? '').slice(0, 16)}…` : '';
      if (v.ok) {
        result.className = 'ok';
        result.textContent = `Chain intact: ${v.checked} rows checked.${head}`;
      } else {
        const at = v.brokenAt ?? {};
        result.className = 'error';
        result.textContent = `Chain BROKEN at row ${at.id ?? '?'} (sequence ${at.seq ?? '?'}): ${at.why ?? 'unknown'}. ${v.checked} rows checked before it.${head}`;
      }
    } catch (err) {
      result.className = 'error';
      result.textContent = `Verify failed: ${describeError(err)}`;
    } finally {
      button.disabled = false;
      announce(result.textContent);
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'audit-verify' },
    h('h2', { id: 'audit-verify' }, 'Integrity'),
    h('p', {}, 'Walks the hash chain from its anchor: a row edited, removed, reordered or written with the triggers off shows here.'),
    button, result);
}
