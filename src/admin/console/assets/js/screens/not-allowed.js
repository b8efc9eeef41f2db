import { h, replace } from '../dom.js';

/** Signed in, but neither admin nor auditor: say so plainly, with the way out. */
export function notAllowedScreen(main, s) {
  document.title = 'Not allowed · Gatehouse admin';
  const heading = h('h1', { tabindex: '-1' }, 'Not allowed');
  replace(
    main,
    heading,
    s.role === 'admin' || s.role === 'auditor'
      ? h('p', {}, `You are signed in, but your account is ${String(s.status).replace(/_/g, ' ')}: the console opens once it is active.`)
      : h('p', {}, `You are signed in, but your role (${s.role ?? 'none'}) may not use the admin console.`),
    h('p', {}, 'Ask an administrator for help, or sign out and sign in with another account.'),
  );
  heading.focus();
}
