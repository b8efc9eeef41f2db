import { type CognitoIdentityProviderClient, GetGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule } from '@nestjs/throttler';
import { parseArgs } from 'node:util';
import { AccountLadder, AccountLadderModule, AuthProviderBindingModule, AUTH_ADMIN_PORT, type AdminActor, type AuthAdminPort, COGNITO_CLIENT, cognitoErrorName } from '../auth';
import { DeferredWorkModule } from '../common/deferred/deferred-work';
import { parseEmail } from '../common/email';
import { AppError } from '../common/errors/app-error';
import { ConfigModule } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DatabaseModule } from '../database/database.module';
import { OnboardingService, UsersModule } from '../users';
import { DatabaseUnavailable, openCliDatabase } from './cli-database';

/**
 * Exit codes of `users:create-admin` (README, "The first administrator"):
 * 0 created · 1 unexpected failure · 2 usage · 3 input refused (address, password policy) · 4 address taken ·
 * 5 database unreachable · 6 identity provider refused or unreachable (no admin group, IAM, network) · 78 configuration.
 */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INPUT: 3, TAKEN: 4, DATABASE: 5, PROVIDER: 6 } as const;

/** Audit rows of the CLI's changes read `cli` (the ladder) and `admin:cli` (the admin port, which names an admin). */
const ACTOR = 'cli';
const PORT_ACTOR: AdminActor = { userId: 'cli' };

class CliFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The parts of the app the command needs: the provider's admin port, the ladder, the database. No HTTP. */
@Module({})
class CreateAdminModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CreateAdminModule,
      imports: [
        ConfigModule.forRoot(config),
        EventEmitterModule.forRoot(),
        DeferredWorkModule,
        // The Cognito provider's limiter needs the throttler's storage; nothing is throttled here (in-memory, no limits).
        ThrottlerModule.forRoot({ throttlers: [] }),
        DatabaseModule.forRoot(databaseUrl),
        UsersModule,
        AccountLadderModule,
        AuthProviderBindingModule.forRoot(config),
      ],
    };
  }
}

function parse(args: string[]): { email: string; password: string } {
  let values: { email?: string; password?: string };
  try {
    ({ values } = parseArgs({ args, options: { email: { type: 'string' }, password: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new CliFailure(EXIT.USAGE, `usage: users:create-admin --email E --password P (${(err as Error).message})`);
  }
  if (!values.email || !values.password) throw new CliFailure(EXIT.USAGE, 'usage: users:create-admin --email E --password P');
  const email = parseEmail(values.email);
  if (!email) throw new CliFailure(EXIT.INPUT, `not an email address: ${JSON.stringify(values.email.slice(0, 80))}`);
  return { email, password: values.password };
}

/**
 * The Cognito group the admin joins: the first group ROLE_GROUP_MAP maps to `admin` that exists in the pool. None is
 * created: groups are the pool's configuration (infra/terraform, scripts/cognito-local-setup.js), and Gatehouse's IAM
 * policy needs no cognito-idp:CreateGroup. Checked before the user is created, so a refusal leaves nothing behind.
 */
async function adminGroup(config: AppConfig, client: CognitoIdentityProviderClient): Promise<string> {
  const pool = config.auth.cognito!;
  const candidates = Object.entries(config.auth.roleGroupMap).filter(([, role]) => role === 'admin').map(([group]) => group);
  for (const GroupName of candidates) {
    try {
      await client.send(new GetGroupCommand({ UserPoolId: pool.userPoolId, GroupName }));
      return GroupName;
    } catch (err) {
      const name = cognitoErrorName(err);
      if (name === 'ResourceNotFoundException') continue;
      throw new CliFailure(EXIT.PROVIDER, `Cognito refused GetGroup ${GroupName} (${name ?? 'Error'}): check the credentials and cognito-idp:GetGroup`);
    }
  }
  throw new CliFailure(EXIT.PROVIDER, `no group of ROLE_GROUP_MAP mapped to admin (${candidates.join(', ') || 'none'}) exists in pool ${pool.userPoolId}: create one (aws cognito-idp create-group --user-pool-id ${pool.userPoolId} --group-name ${candidates[0] ?? 'Admins'})`);
}

/** The failure as one line and an exit code; the password policy is spelled out. */
async function explain(err: unknown, port: AuthAdminPort | undefined): Promise<CliFailure> {
  if (err instanceof CliFailure) return err;
  if (err instanceof DatabaseUnavailable) return new CliFailure(EXIT.DATABASE, err.message);
  if (!(err instanceof AppError)) return new CliFailure(EXIT.FAILED, `failed: ${err instanceof Error ? err.message : String(err)}`);
  switch (err.code) {
    case 'EMAIL_IN_USE':
      return new CliFailure(EXIT.TAKEN, 'the address belongs to an existing account: pick another, or promote that account through the admin API');
    case 'PASSWORD_POLICY': {
      const policy = await port?.describeDirectory().then((d) => d.passwordPolicy, () => undefined);
      const rules = policy
        ? [policy.minLength && `at least ${policy.minLength} characters`, policy.requireUppercase && 'an upper-case letter', policy.requireLowercase && 'a lower-case letter', policy.requireNumbers && 'a digit', policy.requireSymbols && 'a symbol']
            .filter(Boolean)
            .join(', ')
        : '';
      return new CliFailure(EXIT.INPUT, `password refused by the password policy${rules ? ` (${rules}; not the address itself)` : ''}`);
    }
    case 'INVALID_INPUT':
      return new CliFailure(EXIT.INPUT, `refused by the provider: ${err.message}`);
    case 'PROVIDER_UNAVAILABLE':
    case 'PROVIDER_ACCESS_DENIED':
    case 'NOT_SUPPORTED':
    case 'RATE_LIMITED':
      return new CliFailure(EXIT.PROVIDER, `identity provider: ${err.message} (${err.detail ?? err.code})`);
    default:
      return new CliFailure(EXIT.FAILED, `failed: ${err.code}: ${err.message}`);
  }
}

/**
 * `users:create-admin`: an administrator with a permanent password, a verified address and approval (and entitlement:
 * an operator pays nobody). Where this deployment requires MFA, the admin is NOT exempt: `mfa_required` is set and the
 * status stays `pending_mfa` until the first sign-in enrols TOTP (a token in that state can do nothing but enrol), so
 * the most powerful account never runs on a password alone. With the MFA step off, the admin is `active` at once.
 */
export async function createAdmin(config: AppConfig, args: string[], out: (line: string) => void, problem: (line: string) => void = out): Promise<number> {
  let port: AuthAdminPort | undefined;
  try {
    const input = parse(args);
    if (config.auth.provider === 'oidc') throw new CliFailure(EXIT.PROVIDER, 'AUTH_PROVIDER=oidc: the issuer owns its users; make an admin there (a group in ROLE_GROUP_MAP)');
    const db = await openCliDatabase(config);
    try {
      const app = await NestFactory.createApplicationContext(CreateAdminModule.forRoot(config, db.url), { logger: false, abortOnError: false });
      try {
        port = app.get<AuthAdminPort>(AUTH_ADMIN_PORT);
        const group = config.auth.provider === 'cognito' ? await adminGroup(config, app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT)) : undefined;
        const created = await port.createUser({ email: input.email, temporaryPassword: input.password, emailVerified: true, suppressInvite: true }, PORT_ACTOR);
        const status = await completeAdmin(config, app.get(AccountLadder), app.get(OnboardingService), port, created.userId, input.password, group).catch(async (err: unknown) => {
          // Half an admin is worse than none: undo the creation so the command can simply be run again.
          await port!.deleteUser(created.userId, PORT_ACTOR).catch(() => undefined);
          await app.get(AccountLadder).remove(created.userId, ACTOR, { reason: 'users:create-admin failed' }).catch(() => undefined);
          throw err;
        });
        out(`created admin ${input.email} (id ${created.userId}, provider ${config.auth.provider}${group ? `, group ${group}` : ''}, status ${status}; database: ${db.source})`);
        if (status === 'pending_mfa') out('next: sign in and enrol TOTP (POST /api/v1/auth/mfa/enroll, then /api/v1/auth/mfa/verify); the account is active from then on');
        return EXIT.OK;
      } catch (err) {
        // Explained while the app still runs: the password policy is read from the provider.
        throw await explain(err, port);
      } finally {
        await app.close();
      }
    } finally {
      await db.release();
    }
  } catch (err) {
    const failure = await explain(err, port);
    problem(`error: ${failure.message}`);
    return failure.exitCode;
  }
}

async function completeAdmin(config: AppConfig, ladder: AccountLadder, onboarding: OnboardingService, port: AuthAdminPort, userId: string, password: string, group?: string): Promise<string> {
  await port.setPassword(userId, password, true, PORT_ACTOR);
  const role = group ? (await port.addToGroup(userId, group, PORT_ACTOR)).role : 'admin';
  if (role !== 'admin') throw new CliFailure(EXIT.PROVIDER, `group ${group ?? '?'} did not make the user an admin`);
  await ladder.setRole(userId, 'admin', ACTOR, 'cli.admin_created', group ? { group } : {});
  for (const event of ['EMAIL_VERIFIED', 'APPROVED', 'SUBSCRIPTION_CREATED'] as const) await onboarding.tryApply(userId, event, ACTOR, { via: 'users:create-admin' });
  if (config.onboarding.mfa) await ladder.requireMfa(userId, ACTOR);
  return (await ladder.findUser(userId))?.status ?? 'unknown';
}
