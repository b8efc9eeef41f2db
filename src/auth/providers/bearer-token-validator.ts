import type { ModuleRef } from '@nestjs/core';
import type { Principal } from '../../common/principal';
import { ProviderError } from './provider-errors';

/**
 * How a provider's `validateToken` reaches Gatehouse's one verifier. AuthModule binds it (TokenVerifier.verify, then
 * PrincipalResolver.resolve); providers look it up lazily, so provider modules need not import AuthModule (no cycle).
 */
export const BEARER_TOKEN_VALIDATOR = Symbol('BEARER_TOKEN_VALIDATOR');
export interface BearerTokenValidator {
  validate(token: string): Promise<Principal>;
}

/** What every provider's validateToken does: the bound validator, or PROVIDER_UNAVAILABLE when none is bound (fails closed). */
export async function validateWithBoundVerifier(moduleRef: ModuleRef, token: string): Promise<Principal> {
  let validator: BearerTokenValidator;
  try {
    validator = moduleRef.get<BearerTokenValidator>(BEARER_TOKEN_VALIDATOR, { strict: false });
  } catch {
    throw new ProviderError('PROVIDER_UNAVAILABLE', 'no BEARER_TOKEN_VALIDATOR is bound: AuthModule must bind the verifier');
  }
  return validator.validate(token);
}
