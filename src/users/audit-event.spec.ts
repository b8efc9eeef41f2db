import type { UsersService } from './users.service';
import { AUDIT_EVENT_TYPES, AUDIT_REFUSALS, type AuditActor, type AuditEventType, defaultOutcome, redactDetail } from './audit-event';

// The audit vocabulary is closed at compile time: `npm run typecheck` fails if an @ts-expect-error below stops
// being an error (an unknown event type or a free-text actor reaching recordEvent).
type RecordEventInput = Parameters<UsersService['recordEvent']>[0];

describe('audit event vocabulary', () => {
  it('recordEvent takes only the known event types and actor shapes', () => {
    const ok: RecordEventInput = { userId: 'u', actor: 'provider:local', type: 'login.succeeded' };
    const admin: AuditActor = `admin:${'a1'}`;
    // @ts-expect-error an event type that is not in the vocabulary
    const badType: RecordEventInput = { userId: 'u', actor: admin, type: 'login.whatever' };
    // @ts-expect-error an actor that is not one of the actor shapes
    const badActor: RecordEventInput = { userId: 'u', actor: 'someone', type: 'login.failed' };
    expect([ok, badType, badActor].map((e) => e.userId)).toEqual(['u', 'u', 'u']);
  });

  it('lists each event type once, all lower-case snake/dotted names', () => {
    expect(new Set(AUDIT_EVENT_TYPES).size).toBe(AUDIT_EVENT_TYPES.length);
    for (const t of AUDIT_EVENT_TYPES) expect(t).toMatch(/^[a-z_]+(\.[a-z_]+)*$/);
    const sample: AuditEventType = 'tokens.revoked';
    expect(AUDIT_EVENT_TYPES).toContain(sample);
  });
});

describe('audit row defaults', () => {
  it('a refusal type records refused with the code the client saw; any other type a success without code', () => {
    expect(defaultOutcome('login.failed')).toEqual({ result: 'refused', code: 'AUTH_FAILED' });
    expect(defaultOutcome('refresh.reuse_detected')).toEqual({ result: 'refused', code: 'REFRESH_TOKEN_INVALID' });
    expect(defaultOutcome('login.succeeded')).toEqual({ result: 'success', code: null });
    expect(defaultOutcome('status.APPROVED')).toEqual({ result: 'success', code: null });
    for (const type of Object.keys(AUDIT_REFUSALS)) expect(AUDIT_EVENT_TYPES).toContain(type);
  });

  it('never stores a credential: string values under password/token/secret/code keys are redacted at any depth', () => {
    const detail = {
      reason: 'password',
      newPassword: true,
      requestParameters: { userPoolId: 'p', password: 'hunter2', nested: [{ refreshToken: 'eyJ…' }], clientSecret: 's', code: '123456' },
    };
    expect(redactDetail(detail)).toEqual({
      reason: 'password',
      newPassword: true,
      requestParameters: { userPoolId: 'p', password: '[redacted]', nested: [{ refreshToken: '[redacted]' }], clientSecret: '[redacted]', code: '[redacted]' },
    });
  });
});
