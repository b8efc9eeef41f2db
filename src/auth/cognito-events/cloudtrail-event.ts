/**
 * The part of an EventBridge "AWS API Call via CloudTrail" event for cognito-idp that Gatehouse reads: which
 * operation, on which pool, naming which user. Only the operation and the user's name are taken from the body; the
 * user's new state is always re-read from Cognito (a replayed or forged event can then at worst cause a re-read).
 */
export interface CognitoOperatorEvent {
  eventName: CognitoEventName;
  username: string;
  /** Only a hint of what was removed (which role live tokens may still carry); never a source of new state. */
  groupName?: string;
}

/** The operations that change what Gatehouse mirrors; anything else is acknowledged and ignored. */
export const MIRRORED_EVENTS = [
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminDeleteUser',
  'AdminAddUserToGroup',
  'AdminRemoveUserFromGroup',
  'AdminUserGlobalSignOut',
  'AdminResetUserPassword',
  'AdminSetUserPassword',
] as const;
export type CognitoEventName = (typeof MIRRORED_EVENTS)[number];

/** Operations after which every session of the user must end (Gatehouse's watermark). */
export const REVOKING_EVENTS: readonly CognitoEventName[] = ['AdminUserGlobalSignOut', 'AdminResetUserPassword', 'AdminSetUserPassword'];

export type ParsedEvent = { kind: 'event'; event: CognitoOperatorEvent } | { kind: 'ignored'; reason: string } | { kind: 'invalid'; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined);

/**
 * Accepts the whole EventBridge event (`{ source, detail: {…} }`) or only its `detail` (an input transformer with
 * `$.detail`). CloudTrail masks some values as `HIDDEN_DUE_TO_SECURITY_REASONS`; then `additionalEventData.sub`, when
 * present, names the user instead (with email as the username attribute, the sub is the Cognito username).
 */
export function parseCloudTrailEvent(body: unknown, userPoolId: string): ParsedEvent {
  if (!isRecord(body)) return { kind: 'invalid', reason: 'not a JSON object' };
  const detail = isRecord(body.detail) ? body.detail : body;
  if (body.source !== undefined && body.source !== 'aws.cognito-idp') return { kind: 'ignored', reason: `source ${String(body.source).slice(0, 40)}` };
  const eventName = str(detail.eventName);
  const params = isRecord(detail.requestParameters) ? detail.requestParameters : undefined;
  if (!eventName || !params) return { kind: 'invalid', reason: 'no detail.eventName or detail.requestParameters' };
  if (detail.eventSource !== undefined && detail.eventSource !== 'cognito-idp.amazonaws.com') return { kind: 'ignored', reason: 'not cognito-idp' };
  if (!(MIRRORED_EVENTS as readonly string[]).includes(eventName)) return { kind: 'ignored', reason: `${eventName.slice(0, 60)} is not mirrored` };
  if (params.userPoolId !== userPoolId) return { kind: 'ignored', reason: 'another user pool' };
  const extra = isRecord(detail.additionalEventData) ? detail.additionalEventData : {};
  const named = str(params.username);
  const username = named && named !== 'HIDDEN_DUE_TO_SECURITY_REASONS' ? named : str(extra.sub);
  if (!username) return { kind: 'invalid', reason: 'no username in requestParameters (nor additionalEventData.sub)' };
  return { kind: 'event', event: { eventName: eventName as CognitoEventName, username, groupName: str(params.groupName) } };
}
