// The approvals queue: pending_approval users, oldest first, with how long each has waited. Approve in one step;
// reject only with a reason, in a dialog that names the user. The row leaves and the result is announced.
import { describeError, get, post, query } from '../api.js';
import { announce, h, replace, tableWrap } from '../dom.js';
import { confirmAction } from '../dialog.js';
import { age, when, words } from '../format.js';
import { canAct } from '../session.js';

const who = (u) => u.fullName || u.email || u.id;

export const approvalsScreen = {
  id: 'approvals',
  title: 'Approvals',
  nav: true,
  navPath: '/approvals',
  match: (path) => (path === '/approvals' ? {} : null),
  async render(view, _params, q) {
    const cursor = q.get('cursor') || undefined;
    const page = await get(`/admin/approvals${query({ cursor })}`);
    const result = h('p', { class: 'ok', role: 'status' });
    replace(view, h('h1', {}, 'Approvals'), h('p', {}, 'Users who verified their address and wait for an administrator, longest-waiting first.'), result);
    if (page.items.length === 0) {
      view.append(h('p', {}, cursor ? 'No more users wait on this page.' : 'Nobody is waiting for approval.'));
    } else {
      const body = h('tbody', {}, page.items.map((u) => row(u, result)));
      const table = h(
        'table',
        {},
        h('caption', {}, `${page.items.length} waiting${page.nextCursor ? ' on this page' : ''}`),
        h('thead', {}, h('tr', {}, ['Name', 'Email', 'Provider', 'Waiting', canAct() ? 'Actions' : null].filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
        body,
      );
      view.append(tableWrap('Approvals queue', table));
    }
    view.append(
      h('div', { class: 'pager' },
        cursor ? h('a', { href: '#/approvals' }, 'First page') : null,
        page.nextCursor ? h('a', { href: `#/approvals${query({ cursor: page.nextCursor })}` }, 'Next page') : null),
    );
  },
};

function row(u, result) {
  const name = who(u);
  const cells = [
    h('td', {}, h('a', { href: `#/users/${encodeURIComponent(u.id)}` }, u.fullName || '(no name)')),
    h('td', {}, u.email ?? '—'),
    h('td', {}, words(u.provider)),
    h('td', {}, age(u.waitingSeconds), h('span', { class: 'hint' }, ` since ${when(u.waitingSince)}`)),
  ];
  const tr = h('tr', { 'data-user-id': u.id });
  if (canAct()) {
    const approve = h('button', { type: 'button', 'aria-label': `Approve ${name}` }, 'Approve');
    const reject = h('button', { type: 'button', class: 'danger', 'aria-label': `Reject ${name}` }, 'Reject');
    const done = (message) => {
      // Focus moves to the next row's first action (or the heading) so keyboard users keep their place.
      const next = tr.nextElementSibling ?? tr.previousElementSibling;
      tr.remove();
      result.textContent = message;
      announce(message);
      (next?.querySelector('button') ?? document.querySelector('main h1'))?.focus();
    };
    const failed = (err) => {
      result.textContent = '';
      announce(describeError(err));
      tr.querySelector('.row-error')?.remove();
      cells[0].append(h('p', { class: 'error row-error', role: 'alert' }, describeError(err)));
    };
    approve.addEventListener('click', async () => {
      approve.disabled = true;
      try {
        const { body: user } = await post(`/admin/users/${encodeURIComponent(u.id)}/approve`);
        done(`Approved ${name}: now ${words(user.user.status)}.`);
      } catch (err) {
        approve.disabled = false;
        failed(err);
      }
    });
    reject.addEventListener('click', async () => {
      const answer = await confirmAction({
        title: `Reject ${name}?`,
        effect: `${name} (${u.email ?? u.id}) will be refused and signed out everywhere; they cannot sign in until an administrator changes this.`,
        confirmLabel: 'Reject',
        destructive: true,
        reasonRequired: true,
      });
      if (!answer) return void reject.focus();
      try {
        await post(`/admin/users/${encodeURIComponent(u.id)}/reject`, { reason: answer.reason });
        done(`Rejected ${name}.`);
      } catch (err) {
        failed(err);
        reject.focus();
      }
    });
    cells.push(h('td', { class: 'actions' }, approve, reject));
  }
  tr.append(...cells);
  return tr;
}
