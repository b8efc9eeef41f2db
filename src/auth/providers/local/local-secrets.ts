import { createPublicKey } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../../config/config.types';
import type { LocalAuthRepository } from './local-auth.repository';
import { generateDataKey, generateRsaPem, LocalSigningKey } from './local-keys';
import { PasswordHasher } from './password-hasher';

/** Injection token for the local provider's key material, loaded once at start-up. */
export const LOCAL_SECRETS = Symbol('LOCAL_SECRETS');

export interface LocalSecrets {
  signingKey: LocalSigningKey;
  /** 32 bytes: encrypts TOTP secrets and keys the hashes of codes and tokens. */
  dataKey: Buffer;
  hasher: PasswordHasher;
}

const log = new Logger('LocalSecrets');

/**
 * The signing key and data key from configuration; outside production, missing ones are generated once and kept in
 * the database, so development tokens and TOTP enrolments survive restarts. Production config validation already
 * requires both, and this refuses again rather than ever generating one there.
 */
export async function loadLocalSecrets(config: AppConfig, repo: LocalAuthRepository): Promise<LocalSecrets> {
  let pem = config.auth.local.privateKeyPem;
  if (!pem) {
    if (config.isProduction) throw new Error('LOCAL_JWT_PRIVATE_KEY is required in production');
    pem = await repo.devSecret('local_jwt_private_key', generateRsaPem);
    log.warn('LOCAL_JWT_PRIVATE_KEY is unset: using the development signing key kept in the database');
  }
  let dataKey = config.dataEncryptionKey;
  if (!dataKey) {
    if (config.isProduction) throw new Error('DATA_ENCRYPTION_KEY is required in production');
    dataKey = Buffer.from(await repo.devSecret('data_encryption_key', generateDataKey), 'base64');
    log.warn('DATA_ENCRYPTION_KEY is unset: using the development data key kept in the database');
  }
  const previous = config.auth.local.previousPublicKeyPems.map((p) => createPublicKey(p));
  return { signingKey: new LocalSigningKey(pem, previous), dataKey, hasher: new PasswordHasher() };
}
