import { roleFor } from './role-mapping';

const MAP = { admin: 'admin', Admins: 'admin', auditor: 'auditor', Auditors: 'auditor' } as const;

describe('roleFor', () => {
  it('maps groups through the map; the strongest role wins; unmapped is user', () => {
    expect(roleFor(['Admins'], MAP)).toBe('admin');
    expect(roleFor(['Auditors', 'admin'], MAP)).toBe('admin');
    expect(roleFor(['Auditors', 'Staff'], MAP)).toBe('auditor');
    expect(roleFor(['Staff'], MAP)).toBe('user');
    expect(roleFor([], MAP)).toBe('user');
  });
  it('is case-sensitive and ignores prototype keys', () => {
    expect(roleFor(['ADMINS', 'constructor', '__proto__', 'toString'], MAP)).toBe('user');
  });
  it('honours a role claim only when one is passed (the caller decides trust), and only a known role', () => {
    expect(roleFor([], MAP, 'admin')).toBe('admin');
    expect(roleFor(['Admins'], MAP, 'root')).toBe('admin');
    expect(roleFor([], MAP, null)).toBe('user');
  });
});
