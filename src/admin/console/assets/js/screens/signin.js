// Sign-in: the hosted login where the provider has one, and the provider's password login with its second step
// (a TOTP or recovery code; Cognito's "new password required"). Success leaves only the HTTP-only session cookie.
import { call, describeError } from '../api.js';
import { field, h, replace } from '../dom.js';

const STEP_LABEL = {
  SOFTWARE_TOKEN_MFA: ['Authenticator code', 'The 6-digit code from your authenticator app, or a recovery code.'],
  SMS_MFA: ['Text message code', 'The code sent to your phone.'],
  NEW_PASSWORD_REQUIRED: ['New password', 'Your password must be changed before you can sign in.'],
};

export function signInScreen(main, status, onSignedIn, notice) {
  document.title = 'Sign in · Gatehouse admin';
  const error = h('p', { class: 'error', role: 'alert' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', novalidate: true }, field('Email', email), field('Password', password), error, submit);
  const heading = h('h1', { tabindex: '-1' }, 'Sign in to Gatehouse admin');
  const hosted = status.hostedLogin
    ? h('p', {}, h('a', { class: 'button', href: '/api/v1/auth/hosted/login?returnTo=console' }, 'Sign in with the hosted login page'))
    : null;
  const why = notice ? h('p', { class: 'error', role: 'alert' }, `Your session ended: ${notice}`) : null;
  replace(main, heading, why, hosted, hosted ? h('p', {}, 'Or with a password:') : null, form);
  heading.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!email.value.trim() || !password.value) {
      error.textContent = 'Enter your email and password.';
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    try {
      const { body } = await call('POST', '/auth/session/login', { email: email.value.trim(), password: password.value });
      if (body.signedIn) return void onSignedIn();
      secondStep(main, body, onSignedIn);
    } catch (err) {
      error.textContent = describeError(err);
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
}

/** The challenge's step: one field, posted with the challenge's session; a further challenge repeats the step. */
function secondStep(main, challenge, onSignedIn) {
  const [label, hint] = STEP_LABEL[challenge.challenge] ?? ['Code', `Answer the ${challenge.challenge} challenge.`];
  const isPassword = challenge.challenge === 'NEW_PASSWORD_REQUIRED';
  const code = h('input', isPassword
    ? { type: 'password', name: 'code', autocomplete: 'new-password', required: true }
    : { type: 'text', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Continue');
  const form = h('form', { class: 'signin', novalidate: true }, field(label, code, hint), error, submit);
  const heading = h('h1', { tabindex: '-1' }, isPassword ? 'Choose a new password' : 'Second step');
  replace(main, heading, form);
  code.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!code.value.trim()) {
      error.textContent = `Enter the ${label.toLowerCase()}.`;
      code.focus();
      return;
    }
    submit.disabled = true;
    try {
      const { body } = await call('POST', '/auth/session/mfa', { session: challenge.session, code: isPassword ? code.value : code.value.trim() });
      if (body.signedIn) return void onSignedIn();
      secondStep(main, body, onSignedIn);
    } catch (err) {
      error.textContent = describeError(err);
      code.value = '';
      code.focus();
    } finally {
      submit.disabled = false;
    }
  });
}
