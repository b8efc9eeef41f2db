// One user: profile, the ladder (where they stand and what they wait for), blocks with their reasons, MFA, the
// provider's own view, and the actions the API allows for this user and this administrator (hidden otherwise).
// The page is a list of sections; the sessions, audit and diagnosis sections (phase 2) are one entry each.
import { call } from '../api.js';
import { h, replace } from '../dom.js';
import { USER_SECTIONS } from '../user/sections.js';

export const userScreen = {
  id: 'user',
  navId: 'users',
  title: 'User',
  nav: false,
  match: (path) => {
    const m = /^\/users\/([0-9A-Za-z-]{1,64})$/.exec(path);
    return m ? { id: decodeURIComponent(m[1]) } : null;
  },
  async render(view, params) {
    const res = await fetchUser(params.id);
    const reload = async (message, isError = false) => {
      const fresh = await fetchUser(params.id);
      fill(view, fresh, reload, message, isError);
    };
    fill(view, res, reload);
  },
};

const fetchUser = (id) => call('GET', `/admin/users/${encodeURIComponent(id)}`);

/** (Re)draws the page from one answer; `message` is the last action's result (kept visible and announced). */
function fill(view, { body: user, etag }, reload, message, isError) {
  const name = user.fullName || user.email || user.id;
  const ctx = { user, etag, name, reload };
  const result = h('p', { class: isError ? 'error' : 'ok', role: 'status' }, message ?? '');
  replace(
    view,
    h('p', {}, h('a', { href: '#/users' }, 'All users')),
    h('h1', {}, name),
    result,
    USER_SECTIONS.map((section) => {
      const body = section.render(ctx);
      if (!body) return null;
      const id = `section-${section.id}`;
      return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, section.title), body);
    }),
  );
  // After an action the page is redrawn: put focus back at its top so keyboard users are not lost.
  if (message !== undefined) {
    const heading = view.querySelector('h1');
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}
