import { clearCookieOptions, cookieOptions, sessionCookieNames } from './session-cookies';

describe('session cookies', () => {
  it('use the __Host- prefix only when Secure (browsers refuse it otherwise)', () => {
    expect(sessionCookieNames(true)).toEqual({ session: '__Host-gatehouse_session', transaction: '__Host-gatehouse_login' });
    expect(sessionCookieNames(false)).toEqual({ session: 'gatehouse_session', transaction: 'gatehouse_login' });
  });

  it('are HTTP-only, SameSite=Lax, host-wide (Path=/, no Domain) and Secure when asked', () => {
    expect(cookieOptions(true, 600)).toEqual({ httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 600 });
    expect(cookieOptions(false, 60)).toMatchObject({ httpOnly: true, secure: false, sameSite: 'lax', path: '/' });
    expect(cookieOptions(true, 1)).not.toHaveProperty('domain');
  });

  it('are cleared with the attributes they were set with', () => {
    const { maxAge: _maxAge, ...set } = cookieOptions(true, 600);
    expect(clearCookieOptions(true)).toEqual(set);
  });
});
