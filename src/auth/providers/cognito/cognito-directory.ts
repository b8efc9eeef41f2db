import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { AdminPortError, type AdminPortErrorCode, type DirectoryUser } from '../admin-port';
import { cognitoErrorName } from './cognito-errors';

/** AWS error name → the admin port's code. Anything else (network, unknown, emulator gaps) is PROVIDER_UNAVAILABLE. */
const ADMIN_CODES: Readonly<Record<string, AdminPortErrorCode>> = {
  UserNotFoundException: 'USER_NOT_FOUND',
  // A missing group or resource named in the request: the input is wrong, not the user.
  ResourceNotFoundException: 'INVALID_INPUT',
  UsernameExistsException: 'EMAIL_IN_USE',
  AliasExistsException: 'EMAIL_IN_USE',
  InvalidParameterException: 'INVALID_INPUT',
  InvalidPasswordException: 'PASSWORD_POLICY',
  NotAuthorizedException: 'PROVIDER_ACCESS_DENIED',
  AccessDeniedException: 'PROVIDER_ACCESS_DENIED',
  LimitExceededException: 'RATE_LIMITED',
  TooManyRequestsException: 'RATE_LIMITED',
  UnsupportedUserStateException: 'INVALID_INPUT',
  // cognito-local's answer (`__type: CognitoLocal#Unsupported`, HTTP 500) for operations it lacks; real Cognito never sends it.
  Unsupported: 'NOT_SUPPORTED',
};

/** The port's error for an AWS failure: a stable code for the client, the AWS name and operation for the log. */
export function adminPortError(err: unknown, operation: string): AdminPortError {
  if (err instanceof AdminPortError) return err;
  const name = cognitoErrorName(err);
  const code = name !== undefined && Object.hasOwn(ADMIN_CODES, name) ? ADMIN_CODES[name]! : 'PROVIDER_UNAVAILABLE';
  return new AdminPortError(code, `${operation}: ${name ?? 'Error'}`);
}

export const attrs = (list: AttributeType[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).filter((a) => a.Name !== undefined).map((a) => [a.Name as string, a.Value ?? '']));
export const toAttributeList = (record: Record<string, string>): AttributeType[] => Object.entries(record).map(([Name, Value]) => ({ Name, Value }));
const MFA_NAMES: Record<string, 'totp' | 'sms'> = { SOFTWARE_TOKEN_MFA: 'totp', SMS_MFA: 'sms' };

/** Cognito's user (AdminGetUser, ListUsers, AdminCreateUser shapes) as the port's DirectoryUser. */
export function toDirectoryUser(u: {
  Username?: string;
  Attributes?: AttributeType[];
  UserAttributes?: AttributeType[];
  Enabled?: boolean;
  UserStatus?: string;
  UserCreateDate?: Date;
  UserLastModifiedDate?: Date;
  UserMFASettingList?: string[];
  PreferredMfaSetting?: string;
}): DirectoryUser {
  const a = attrs(u.Attributes ?? u.UserAttributes);
  return {
    username: u.Username ?? '',
    subject: a.sub,
    email: a.email,
    emailVerified: a.email_verified === undefined ? undefined : a.email_verified === 'true',
    enabled: u.Enabled,
    status: u.UserStatus,
    attributes: a,
    mfa: u.UserMFASettingList?.map((m) => MFA_NAMES[m]).filter((m): m is 'totp' | 'sms' => m !== undefined),
    preferredMfa: u.PreferredMfaSetting ? MFA_NAMES[u.PreferredMfaSetting] : undefined,
    createdAt: u.UserCreateDate,
    updatedAt: u.UserLastModifiedDate,
  };
}
