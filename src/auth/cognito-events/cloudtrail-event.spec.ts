import { parseCloudTrailEvent } from './cloudtrail-event';

const POOL = 'eu-west-1_Pool1';
const detail = (eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  source: 'aws.cognito-idp',
  detail: { eventSource: 'cognito-idp.amazonaws.com', eventName, requestParameters: { userPoolId: POOL, ...requestParameters }, ...extra },
});

describe('parseCloudTrailEvent', () => {
  it('takes the operation, the user and (as a hint only) the group', () => {
    expect(parseCloudTrailEvent(detail('AdminRemoveUserFromGroup', { username: 'a@example.com', groupName: 'Admins' }), POOL)).toEqual({
      kind: 'event',
      event: { eventName: 'AdminRemoveUserFromGroup', username: 'a@example.com', groupName: 'Admins' },
    });
  });

  it('falls back to additionalEventData.sub when CloudTrail hides the username', () => {
    const e = detail('AdminDisableUser', { username: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, { additionalEventData: { sub: 'sub-1' } });
    expect(parseCloudTrailEvent(e, POOL)).toMatchObject({ kind: 'event', event: { username: 'sub-1' } });
    expect(parseCloudTrailEvent(detail('AdminDisableUser', { username: 'HIDDEN_DUE_TO_SECURITY_REASONS' }), POOL)).toMatchObject({ kind: 'invalid' });
  });

  it('accepts the detail alone (an input transformer with $.detail)', () => {
    expect(parseCloudTrailEvent(detail('AdminDeleteUser', { username: 'u' }).detail, POOL)).toMatchObject({ kind: 'event', event: { eventName: 'AdminDeleteUser' } });
  });

  it('ignores other pools, other services and operations it does not mirror; refuses what is no event', () => {
    expect(parseCloudTrailEvent(detail('AdminDisableUser', { username: 'u', userPoolId: 'eu-west-1_Other' }), POOL)).toMatchObject({ kind: 'ignored' });
    expect(parseCloudTrailEvent({ ...detail('AdminDisableUser', { username: 'u' }), source: 'aws.s3' }, POOL)).toMatchObject({ kind: 'ignored' });
    expect(parseCloudTrailEvent(detail('ListUsers', {}), POOL)).toMatchObject({ kind: 'ignored' });
    for (const bad of [null, [], 'x', { detail: { eventName: 'AdminDisableUser' } }]) expect(parseCloudTrailEvent(bad, POOL)).toMatchObject({ kind: 'invalid' });
  });
});
