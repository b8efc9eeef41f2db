import { cognitoErrorName } from '../../auth';

/** One row of POST /admin/provider/test. `iamAction` names the exact IAM action a `fail` was denied. */
export interface SelfTestRow {
  check: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  detail: string;
  iamAction?: string;
}

/**
 * Errors that prove the call got past IAM: the probe names a user (or group) that does not exist, so the service
 * looked for it, which it does only for an authorized caller.
 */
const REACHED_THE_SERVICE = new Set([
  'UserNotFoundException',
  'ResourceNotFoundException',
  'InvalidParameterException',
  'UsernameExistsException',
  // Cognito's own refusal of the request (not IAM's, which is AccessDeniedException); cognito-local answers it for an
  // unknown user on AdminUpdateUserAttributes.
  'NotAuthorizedException',
]);

/**
 * How one probe's outcome reads (pure; the table is the specification). Only the AWS error's name is used: its
 * message can carry the role's ARN and account, which the answer has no need of.
 */
export function classifyProbe(check: string, iamAction: string, err: unknown): SelfTestRow {
  if (err === undefined) return { check, status: 'pass', detail: 'allowed', iamAction };
  const name = cognitoErrorName(err) ?? 'Error';
  if (REACHED_THE_SERVICE.has(name)) return { check, status: 'pass', detail: `allowed (the probe's made-up target answered ${name})`, iamAction };
  if (name === 'AccessDeniedException') return { check, status: 'fail', detail: `denied: grant ${iamAction} on the pool to Gatehouse's role`, iamAction };
  // cognito-local's answer for operations it lacks; real Cognito never sends it.
  if (name === 'Unsupported') return { check, status: 'skip', detail: 'the endpoint does not offer this operation (an emulator)', iamAction };
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
    return { check, status: 'fail', detail: `the credentials were refused (${name})`, iamAction };
  }
  return { check, status: 'fail', detail: `failed (${name})`, iamAction };
}
