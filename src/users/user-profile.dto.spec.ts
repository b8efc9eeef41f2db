import type { Principal } from '../common/principal';
import { UserProfileDto } from './user-profile.dto';
import type { UserEntity } from './user.entity';

describe('UserProfileDto.cached', () => {
  const row = (over: Partial<UserEntity> = {}): UserEntity =>
    ({
      id: 'u1', email: 'ada@example.com', fullName: 'Ada', status: 'active', emailVerified: true, mfaMethod: null, mfaRequired: false,
      authProvider: 'cognito', createdAt: new Date('2026-01-02T03:04:05.000Z'), ...over,
    }) as UserEntity;
  const principal = (over: Partial<Principal> = {}): Principal => ({ userId: 'u1', role: 'user', organizationId: null, ...over }) as Principal;

  it('answers what from() answers', () => {
    const [u, p] = [row(), principal()];
    expect(UserProfileDto.cached(u, p)).toEqual(UserProfileDto.from(u, p));
  });

  it('the same principal and row object: the same frozen profile, built once', () => {
    const [u, p] = [row(), principal()];
    const first = UserProfileDto.cached(u, p);
    expect(UserProfileDto.cached(u, p)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('a new row object (the row changed) or another principal: built again from what they say', () => {
    const p = principal();
    const first = UserProfileDto.cached(row(), p);
    expect(UserProfileDto.cached(row({ status: 'suspended', fullName: 'Ada L.' }), p)).toMatchObject({ status: 'suspended', fullName: 'Ada L.' });
    const u = row();
    UserProfileDto.cached(u, p);
    expect(UserProfileDto.cached(u, principal({ role: 'admin', organizationId: 'org-1' }))).toMatchObject({ role: 'admin', organizationId: 'org-1' });
    expect(first.status).toBe('active');
  });
});
