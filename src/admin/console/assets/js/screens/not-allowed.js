import { h, replace } from '../dom.js';

/** Signed in, but neither admin nor auditor: say so plainly, with the way out. */
export function notAllowedScreen(main, s) {
  document.title = 'Not allowed · Gatehouse admin';
  const heading = h('h1', { tabindex: '-1' }, 'Not allowed');
  replace(
    main,
    heading,
    h('p', {}, `You are signed in, but your role (${s.role ?? 'none'}) may not use the admin console.`),
    h('p', {}, 'Ask an administrator for the admin or auditor role, or sign out and sign in with another account.'),
  );
  heading.focus();
}
