import type { UsersService } from './users.service';
import { AUDIT_EVENT_TYPES, type AuditActor, type AuditEventType } from './audit-event';

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
