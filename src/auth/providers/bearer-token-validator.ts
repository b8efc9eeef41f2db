import type { Principal } from '../../common/principal';

/**
 * How a provider's `validateToken` reaches Gatehouse's one verifier. AuthModule binds it (TokenVerifier.verify, then
 * PrincipalResolver.resolve); providers look it up lazily, so provider modules need not import AuthModule (no cycle).
 */
export const BEARER_TOKEN_VALIDATOR = Symbol('BEARER_TOKEN_VALIDATOR');
export interface BearerTokenValidator {
  validate(token: string): Promise<Principal>;
}
