import { type CognitoIdentityProviderClient, DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { ProviderError } from '../provider-errors';
import { COGNITO_CLIENT } from './cognito-client.factory';
import { cognitoErrorName } from './cognito-errors';

export type PoolMfaMode = 'OFF' | 'OPTIONAL' | 'ON';

/** The operator's line when the pool never asks for a second factor (start-up log and config:check). */
export function mfaOffWarning(userPoolId: string): string {
  return (
    `${userPoolId}: MFA is OFF: Cognito never challenges for a second factor at sign-in, so TOTP enrolment is refused ` +
    `(409 MFA_UNAVAILABLE) and ONBOARDING_REQUIRE_MFA cannot be met; set the pool's MFA to OPTIONAL with authenticator apps`
  );
}

const TTL_MS = 60_000;

/**
 * The pool's MFA mode (DescribeUserPool, kept a minute so a pool switched on is noticed soon). With MFA `OFF` Cognito
 * accepts AssociateSoftwareToken and VerifySoftwareToken but never challenges at sign-in: an enrolment would report
 * success while protecting nothing, so the MFA path asks `assertAvailable()` first. When the mode cannot be read (no
 * cognito-idp:DescribeUserPool permission, Cognito down) nothing is refused on that account: Cognito's own answer decides.
 */
@Injectable()
export class CognitoMfaMode implements OnApplicationBootstrap {
  private readonly log = new Logger('CognitoMfaMode');
  private cached?: { mode?: PoolMfaMode; until: number };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
  ) {}

  async mode(): Promise<PoolMfaMode | undefined> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.mode;
    const pool = this.config.auth.cognito;
    let mode: PoolMfaMode | undefined;
    try {
      if (pool) mode = (await this.client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }))).UserPool?.MfaConfiguration as PoolMfaMode | undefined;
    } catch (err) {
      this.log.warn({ err: cognitoErrorName(err) ?? String(err) }, 'pool MFA mode unreadable (DescribeUserPool)');
    }
    this.cached = { mode, until: Date.now() + TTL_MS };
    return mode;
  }

  /** 409 MFA_UNAVAILABLE while the pool's MFA is OFF. */
  async assertAvailable(): Promise<void> {
    if ((await this.mode()) === 'OFF') throw new ProviderError('MFA_UNAVAILABLE', `pool ${this.config.auth.cognito?.userPoolId ?? '?'} has MfaConfiguration OFF`);
  }

  async onApplicationBootstrap(): Promise<void> {
    const pool = this.config.auth.cognito;
    if (pool && (await this.mode()) === 'OFF') this.log.warn(mfaOffWarning(pool.userPoolId));
  }
}
