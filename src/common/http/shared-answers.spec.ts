import { serializeReply, sharedAnswer } from './shared-answers';

describe('shared answers', () => {
  it('a shared answer is frozen and sent as the JSON it had when shared', () => {
    const answer = sharedAnswer({ id: 'u1', email: 'a@example.com', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(Object.isFrozen(answer)).toBe(true);
    expect(serializeReply(answer)).toBe(JSON.stringify({ id: 'u1', email: 'a@example.com', createdAt: '2026-01-01T00:00:00.000Z' }));
    expect(() => ((answer as { id: string }).id = 'u2')).toThrow(TypeError);
  });

  it('anything else is JSON.stringify, as Fastify would send it', () => {
    for (const value of [{ status: 'ok' }, [1, 2], 'text', 3, null, { error: { code: 'X', requestId: 'r' } }]) expect(serializeReply(value)).toBe(JSON.stringify(value));
  });
});
