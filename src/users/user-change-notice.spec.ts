import { parseNotice } from './user-change.listener';

describe('user change notice payloads', () => {
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';

  it('reads the row notice: new status, old status and watermark', () => {
    const at = '2025-11-30T10:00:00.123456+00:00';
    expect(parseNotice(JSON.stringify({ id, status: 'suspended', old_status: 'active', tokens_valid_after: at }))).toEqual({
      userId: id, status: 'suspended', previousStatus: 'active', tokensValidAfter: new Date(at), source: 'feed',
    });
  });

  it('a deleted row has status null; an insert has no old status', () => {
    expect(parseNotice(JSON.stringify({ id, status: null, old_status: 'active', tokens_valid_after: null }))).toMatchObject({ status: null, previousStatus: 'active' });
    expect(parseNotice(JSON.stringify({ id, status: 'pending_verification', old_status: null }))).toMatchObject({ status: 'pending_verification', previousStatus: null });
  });

  it('reads a session notice and the old bare-id form', () => {
    expect(parseNotice(JSON.stringify({ id, sessions: true }))).toEqual({ userId: id, sessions: true, source: 'feed' });
    expect(parseNotice(id)).toEqual({ userId: id, source: 'feed' });
  });

  it('ignores anything else: the channel is open to every database session', () => {
    for (const raw of ['', 'not json', '[]', 'null', JSON.stringify({ id: 'x' }), JSON.stringify({ status: 'active' })]) expect(parseNotice(raw)).toBeNull();
    expect(parseNotice(JSON.stringify({ id, status: 'superuser', old_status: 7 }))).toMatchObject({ status: null, previousStatus: null });
  });
});
