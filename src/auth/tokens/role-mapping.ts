import type { Role } from '../../config/config.types';
import { ROLES } from '../../config/config.types';

const PRECEDENCE: readonly Role[] = ['admin', 'auditor', 'user'];

/**
 * Maps group memberships to one role through ROLE_GROUP_MAP; the strongest mapped role wins, no mapped group means
 * `user`. `custom:role` is honoured only when trusted (TRUST_ROLE_CLAIM, and only on ID tokens): it is a user
 * attribute, and a user who may write it could otherwise make themselves admin.
 */
export function roleFor(groups: readonly string[], map: Readonly<Record<string, Role>>, roleClaim?: string | null): Role {
  if (roleClaim && (ROLES as readonly string[]).includes(roleClaim)) return roleClaim as Role;
  const mapped = new Set<Role>();
  for (const g of groups) {
    if (Object.prototype.hasOwnProperty.call(map, g)) mapped.add(map[g]!);
  }
  return PRECEDENCE.find((r) => mapped.has(r)) ?? 'user';
}
