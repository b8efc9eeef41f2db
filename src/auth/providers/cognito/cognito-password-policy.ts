import { DescribeUserPoolCommand, type CognitoIdentityProviderClient, type PasswordPolicyType } from '@aws-sdk/client-cognito-identity-provider';
import { Logger } from '@nestjs/common';
import { cognitoErrorName } from './cognito-errors';

export interface PoolPasswordPolicy {
  minLength?: number;
  requireUppercase?: boolean;
  requireLowercase?: boolean;
  requireNumbers?: boolean;
  requireSymbols?: boolean;
}

/** Cognito's special characters for RequireSymbols (its documented set, plus space). */
const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

/**
 * What the pool's password policy finds wrong with `password` (a word for the log), or undefined. Pure: the rules are
 * Cognito's documented ones. Checked before any Cognito call that sets a password, so the answer never depends on
 * whether the account exists (Cognito checks the policy only for existing users on ConfirmForgotPassword).
 */
export function poolPasswordViolation(password: string, p: PoolPasswordPolicy): string | undefined {
  if (p.minLength !== undefined && [...password].length < p.minLength) return 'too_short';
  if (p.requireUppercase && !/[A-Z]/.test(password)) return 'no_uppercase';
  if (p.requireLowercase && !/[a-z]/.test(password)) return 'no_lowercase';
  if (p.requireNumbers && !/[0-9]/.test(password)) return 'no_number';
  if (p.requireSymbols && !SYMBOLS.test(password)) return 'no_symbol';
  return undefined;
}

export function toPoolPolicy(p: PasswordPolicyType | undefined): PoolPasswordPolicy | undefined {
  if (!p) return undefined;
  return { minLength: p.MinimumLength, requireUppercase: p.RequireUppercase, requireLowercase: p.RequireLowercase, requireNumbers: p.RequireNumbers, requireSymbols: p.RequireSymbols };
}

const TTL_MS = 10 * 60_000;
const RETRY_MS = 60_000;

/**
 * The pool's password policy, read with DescribeUserPool (cognito-idp:DescribeUserPool) and kept ten minutes. When it
 * cannot be read (no IAM permission, Cognito down) the check is skipped and Cognito's own answer decides; that answer
 * is then mapped so it does not tell accounts apart either (see cognito-errors.ts, context `code`).
 */
export class PoolPasswordPolicyCache {
  private readonly log = new Logger('CognitoPasswordPolicy');
  private cached?: { policy?: PoolPasswordPolicy; until: number };
  private inFlight?: Promise<PoolPasswordPolicy | undefined>;

  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<PoolPasswordPolicy | undefined> {
    if (this.cached && this.cached.until > this.now()) return this.cached.policy;
    this.inFlight ??= this.load().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async load(): Promise<PoolPasswordPolicy | undefined> {
    try {
      const out = await this.client.send(new DescribeUserPoolCommand({ UserPoolId: this.userPoolId }));
      const policy = toPoolPolicy(out.UserPool?.Policies?.PasswordPolicy);
      this.cached = { policy, until: this.now() + TTL_MS };
      return policy;
    } catch (err) {
      this.log.warn({ err: cognitoErrorName(err) ?? String(err) }, 'pool password policy unreadable; Cognito checks passwords alone');
      this.cached = { policy: undefined, until: this.now() + RETRY_MS };
      return undefined;
    }
  }
}
