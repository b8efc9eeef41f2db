import type { OpenAPIObject } from '@nestjs/swagger';
import { PENDING_STATUSES } from '../user-status';
import { completeErrorContract, impliedErrorCodes, OperationTraits } from './error-contract';

const traits = (t: Partial<OperationTraits>): OperationTraits => ({ access: 'protected', roles: false, allowStatus: [], body: false, parameters: false, ...t });

describe('the codes a route answers because of what it is', () => {
  it('a public GET without parameters: only a fault of ours', () => {
    expect(impliedErrorCodes(traits({ access: 'public' }), 'get')).toEqual(['INTERNAL_ERROR']);
  });

  it('a JSON body: validation, parsing, size, media type and encoding refusals', () => {
    expect(impliedErrorCodes(traits({ access: 'public', body: true }), 'post')).toEqual([
      'INTERNAL_ERROR', 'VALIDATION_FAILED', 'MALFORMED_JSON', 'BODY_TOO_COMPLEX', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_CONTENT_ENCODING',
    ]);
  });

  it('path or query parameters: VALIDATION_FAILED', () => {
    expect(impliedErrorCodes(traits({ access: 'public', parameters: true }), 'get')).toEqual(['INTERNAL_ERROR', 'VALIDATION_FAILED']);
  });

  it('a protected route: every token refusal, every block, the onboarding gate', () => {
    const codes = impliedErrorCodes(traits({}), 'get');
    expect(codes).toEqual(expect.arrayContaining(['AUTH_TOKEN_MISSING', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_EXPIRED', 'AUTH_TOKEN_REVOKED', 'USER_SUSPENDED', 'USER_DISABLED', 'USER_REJECTED', 'ONBOARDING_INCOMPLETE']));
    expect(codes).not.toContain('FORBIDDEN');
    expect(codes).not.toContain('ORIGIN_NOT_ALLOWED');
  });

  it('a protected write: the session cookie needs an allowed Origin', () => {
    expect(impliedErrorCodes(traits({}), 'post')).toContain('ORIGIN_NOT_ALLOWED');
  });

  it('@Roles adds FORBIDDEN; statuses let through by @AllowStatus are not refused', () => {
    expect(impliedErrorCodes(traits({ roles: true }), 'get')).toContain('FORBIDDEN');
    const pending = impliedErrorCodes(traits({ allowStatus: [...PENDING_STATUSES, 'suspended'] }), 'get');
    expect(pending).not.toContain('ONBOARDING_INCOMPLETE');
    expect(pending).not.toContain('USER_SUSPENDED');
    expect(pending).toContain('USER_DISABLED');
  });

  it('an optional-auth route refuses a bad token but never a missing one', () => {
    const codes = impliedErrorCodes(traits({ access: 'optional' }), 'get');
    expect(codes).toContain('AUTH_TOKEN_INVALID');
    expect(codes).not.toContain('AUTH_TOKEN_MISSING');
    expect(codes).not.toContain('ONBOARDING_INCOMPLETE');
  });
});

describe('completeErrorContract', () => {
  const doc = (op: Record<string, unknown>): OpenAPIObject => ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths: { '/x': { post: op } } }) as unknown as OpenAPIObject;

  it('one response per status with exactly its codes, public routes without security, marker keys dropped', () => {
    const out = completeErrorContract(doc({ 'x-gatehouse-access': 'public', 'x-error-codes': ['AUTH_FAILED', 'RATE_LIMITED'], responses: { '200': { description: 'ok' } } }));
    const op = out.paths['/x']!.post! as unknown as Record<string, unknown> & { responses: Record<string, { content?: Record<string, { schema: { allOf: unknown[] } }> }> };
    expect(op.security).toEqual([]);
    expect(op['x-gatehouse-access']).toBeUndefined();
    expect(op['x-error-codes']).toEqual(['AUTH_FAILED', 'RATE_LIMITED', 'INTERNAL_ERROR']);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '401', '429', '500']);
    expect(op.responses['401']!.content!['application/json']!.schema.allOf[1]).toEqual({
      type: 'object',
      properties: { error: { type: 'object', properties: { code: { type: 'string', enum: ['AUTH_FAILED'] } } } },
    });
  });

  it('leaves an operation without @ApiErrors undeclared (the contract test names it) but still states its security', () => {
    const out = completeErrorContract(doc({ responses: {} }));
    const op = out.paths['/x']!.post! as unknown as Record<string, unknown>;
    expect(op['x-error-codes']).toBeUndefined();
    expect(op.security).toEqual([{ bearer: [] }]);
  });
});
