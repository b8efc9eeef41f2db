import type { ModuleRef } from '@nestjs/core';
import type { Principal } from '../../common/principal';
import { validateWithBoundVerifier } from './bearer-token-validator';

describe('validateWithBoundVerifier', () => {
  it('fails closed with PROVIDER_UNAVAILABLE when no validator is bound', async () => {
    const unbound = { get: () => { throw new Error('Nest could not find BEARER_TOKEN_VALIDATOR'); } } as unknown as ModuleRef;
    await expect(validateWithBoundVerifier(unbound, 'a.b.c')).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 503 });
  });

  it('hands the token to the bound validator and returns its principal (or its refusal)', async () => {
    const principal = { userId: 'u1' } as Principal;
    const seen: string[] = [];
    const bound = { get: () => ({ validate: async (t: string) => (seen.push(t), t === 'good' ? principal : Promise.reject(new Error('refused'))) }) } as unknown as ModuleRef;
    await expect(validateWithBoundVerifier(bound, 'good')).resolves.toBe(principal);
    await expect(validateWithBoundVerifier(bound, 'bad')).rejects.toThrow('refused');
    expect(seen).toEqual(['good', 'bad']);
  });
});
