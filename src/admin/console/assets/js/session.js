// Who is signed in, as Gatehouse says (GET /auth/status reads the HTTP-only cookie; the page never sees a token).
import { call, get } from './api.js';

let current = null;

export async function loadSession() {
  current = await get('/auth/status');
  return current;
}

export const session = () => current;

/** Admins act; auditors read everything; nobody else may use the console. */
export const canRead = (s = current) => !!s && s.authenticated && (s.role === 'admin' || s.role === 'auditor');
export const canAct = (s = current) => !!s && s.authenticated && s.role === 'admin';

export async function signOut() {
  const { body } = await call('POST', '/auth/logout', {});
  current = null;
  return body && body.logoutUrl ? body.logoutUrl : null;
}
