// The user's audit tab: the latest rows about this user (GET /admin/audit?target=…), and a link to the Audit screen
// filtered on them for the rest (paging, filters, export).
import { get, query } from '../api.js';
import { h, tableWrap } from '../dom.js';
import { auditTable } from '../audit-table.js';
import { asyncSection } from './async-section.js';

const LATEST = 20;

export const auditSection = {
  id: 'audit',
  title: 'Audit trail',
  render: (ctx) =>
    asyncSection(async () => {
      const page = await get(`/admin/audit${query({ target: ctx.user.id, limit: LATEST })}`);
      const all = h('p', {}, h('a', { href: `#/audit${query({ target: ctx.user.id })}` }, `All audit rows about ${ctx.name}`));
      if (page.entries.length === 0) return [h('p', {}, 'No audit rows about this user.'), all];
      const caption = page.nextCursor ? `The latest ${page.entries.length} rows, newest first` : `${page.entries.length} rows, newest first`;
      return [tableWrap(`Audit trail of ${ctx.name}`, auditTable(caption, page.entries, { showTarget: false })), all];
    }),
};
