// The console's own second-factor enrolment: a new administrator (made by users:create-admin with the MFA step on)
// stands at pending_mfa and can do nothing else until TOTP is enrolled, so the console takes them through it:
// the secret for manual entry, a code to confirm, the recovery codes once.
import { call, describeError } from '../api.js';
import { field, h, replace } from '../dom.js';

export function enrolMfaScreen(main, onDone) {
  document.title = 'Set up a second factor · Gatehouse admin';
  const heading = h('h1', { tabindex: '-1' }, 'Set up a second factor');
  const error = h('p', { class: 'error', role: 'alert' });
  const start = h('button', { type: 'button' }, 'Set up an authenticator app');
  replace(
    main,
    heading,
    h('p', {}, 'Administrators sign in with a password and a code from an authenticator app. Set one up to continue.'),
    error,
    start,
  );
  heading.focus();
  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      const { body } = await call('POST', '/auth/mfa/enroll', {});
      confirmStep(main, body, onDone);
    } catch (err) {
      error.textContent = describeError(err);
      start.disabled = false;
    }
  });
}

/** Groups of four, as authenticator apps show secrets for typing. */
const grouped = (secret) => secret.replace(/(.{4})/g, '$1 ').trim();

function confirmStep(main, enrolment, onDone) {
  const heading = h('h1', { tabindex: '-1' }, 'Confirm your authenticator');
  const code = h('input', { type: 'text', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'signin', novalidate: true }, field('Code from the app', code, 'The 6-digit code it shows now.'), error, h('button', { type: 'submit' }, 'Confirm'));
  replace(
    main,
    heading,
    h('p', {}, 'Add an account in your authenticator app with this key (time-based):'),
    h('p', {}, h('code', { 'data-testid': 'totp-secret' }, grouped(enrolment.secret))),
    h('p', { class: 'hint' }, 'Or paste this setup address into an app that accepts one: ', h('code', {}, enrolment.otpauthUrl)),
    form,
  );
  heading.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!code.value.trim()) {
      error.textContent = 'Enter the code from the app.';
      return void code.focus();
    }
    try {
      const { body } = await call('POST', '/auth/mfa/verify', { code: code.value.trim() });
      if (body.recoveryCodes && body.recoveryCodes.length) return void recoveryStep(main, body.recoveryCodes, onDone);
      onDone();
    } catch (err) {
      error.textContent = describeError(err);
      code.value = '';
      code.focus();
    }
  });
}

function recoveryStep(main, codes, onDone) {
  const heading = h('h1', { tabindex: '-1' }, 'Keep your recovery codes');
  const go = h('button', { type: 'button', onclick: onDone }, 'I have stored them: continue');
  replace(
    main,
    heading,
    h('p', {}, 'Each code signs you in once if you lose the app. They are shown only now: store them somewhere safe.'),
    h('ul', { 'aria-label': 'Recovery codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
    go,
  );
  heading.focus();
}
