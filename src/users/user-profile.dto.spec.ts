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
    expect(UserProfileDto.cached(u, p, 1)).toEqual(UserProfileDto.from(u, p));
  });

  it('the same principal and row object: the same frozen profile, built once', () => {
    const [u, p] = [row(), principal()];
    const first = UserProfileDto.cached(u, p, 1);
    expect(UserProfileDto.cached(u, p, 1)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('a new row object (the row changed) or another principal: built again from what they say', () => {
    const p = principal();
    const first = UserProfileDto.cached(row(), p, 1);
    expect(UserProfileDto.cached(row({ status: 'suspended', fullName: 'Ada L.' }), p, 1)).toMatchObject({ status: 'suspended', fullName: 'Ada L.' });
    const u = row();
    UserProfileDto.cached(u, p, 1);
    expect(UserProfileDto.cached(u, principal({ role: 'admin', organizationId: 'org-1' }), 1)).toMatchObject({ role: 'admin', organizationId: 'org-1' });
    expect(first.status).toBe('active');
  });

  it('kept: the last profile of a principal while the user cache is at the generation it was built at, nothing after a move', () => {
    const p = principal();
    expect(UserProfileDto.kept(p, 7)).toBeUndefined();
    const first = UserProfileDto.cached(row(), p, 7);
    expect(UserProfileDto.kept(p, 7)).toBe(first);
    expect(UserProfileDto.kept(p, 8)).toBeUndefined();
    // The same row confirmed at a later generation is kept again from there.
    const u = row({ status: 'suspended' });
    const second = UserProfileDto.cached(u, p, 8);
    expect(UserProfileDto.kept(p, 8)).toBe(second);
    expect(UserProfileDto.cached(u, p, 9)).toBe(second);
    expect(UserProfileDto.kept(p, 9)).toBe(second);
    expect(UserProfileDto.kept(p, 8)).toBeUndefined();
  });
});
