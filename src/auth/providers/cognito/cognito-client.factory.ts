import { createHmac } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoConfig } from '../../../config/config.types';

/** Injection token for the one CognitoIdentityProviderClient (domain code never `new`s a client). */
export const COGNITO_CLIENT = Symbol('COGNITO_CLIENT');

/**
 * Injection token for the environment AWS credentials are read from (defaults to `process.env`). The AWS SDK's own
 * default chain reads the environment anyway; this token only lets tests hand in dummy keys without touching it.
 */
export const AWS_CREDENTIALS_ENV = Symbol('AWS_CREDENTIALS_ENV');

export type AwsEnv = Record<string, string | undefined>;

export interface CognitoClientSettings {
  region: string;
  endpoint?: string;
  /** Explicit keys when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are both set; else the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Works out the client settings: region from config (AWS_REGION), endpoint when COGNITO_ENDPOINT is set. */
export function cognitoClientSettings(cognito: Pick<CognitoConfig, 'region' | 'endpoint'> | undefined, env: AwsEnv): CognitoClientSettings {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    region: cognito?.region ?? env.AWS_REGION ?? 'us-east-1',
    endpoint: cognito?.endpoint,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined,
  };
}

const clients = new Map<string, CognitoIdentityProviderClient>();

/**
 * The cached client for these settings: one per (region, endpoint, access key), so the connection pool is shared by
 * the provider, the admin service and the role-claim check.
 */
export function getCognitoClient(settings: CognitoClientSettings): CognitoIdentityProviderClient {
  const key = [settings.region, settings.endpoint ?? '', settings.credentials?.accessKeyId ?? ''].join('|');
  let client = clients.get(key);
  if (!client) {
    client = new CognitoIdentityProviderClient({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    });
    clients.set(key, client);
  }
  return client;
}

/** Test hook: drops (and closes) every cached client so the next call builds a fresh one. */
export function resetCognitoClients(): void {
  for (const c of clients.values()) c.destroy();
  clients.clear();
}

/**
 * SECRET_HASH for app clients with a secret: base64(HMAC-SHA256(key = client secret, message = username + clientId)).
 * `username` must be the same value sent as USERNAME (for refresh: the user's Cognito username, i.e. the sub).
 */
export function secretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(username + clientId).digest('base64');
}

/** `{ SECRET_HASH }` when the client has a secret, else `{}`: spread into AuthParameters / ChallengeResponses. */
export function secretHashParam(cognito: Pick<CognitoConfig, 'clientId' | 'clientSecret'>, username: string): Record<string, string> {
  return cognito.clientSecret ? { SECRET_HASH: secretHash(username, cognito.clientId, cognito.clientSecret) } : {};
}

/** `{ SecretHash }` for the operations that take it as a top-level field (SignUp, ConfirmSignUp, ForgotPassword, …). */
export function secretHashField(cognito: Pick<CognitoConfig, 'clientId' | 'clientSecret'>, username: string): { SecretHash?: string } {
  return cognito.clientSecret ? { SecretHash: secretHash(username, cognito.clientId, cognito.clientSecret) } : {};
}
