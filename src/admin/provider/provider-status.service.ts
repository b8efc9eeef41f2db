import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AUTH_ADMIN_PORT, type AuthAdminPort, type DirectoryClientInfo, type DirectoryInfo, type DirectoryUser, AWS_CREDENTIALS_ENV, type AwsEnv, COGNITO_CLIENT } from '../../auth';
import { AppError } from '../../common/errors/app-error';
import type { Principal } from '../../common/principal';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, ProviderName } from '../../config/config.types';
import { UsersService } from '../../users';
import { cognitoSelfTest } from './cognito-self-test';
import { providerSettings, type SettingPresence } from './provider-settings';
import type { SelfTestRow } from './self-test-rows';

/** A part of the page the provider could not answer: its stable code only (the detail is the provider's, for logs). */
export interface Unavailable {
  unavailable: string;
}

/** What an admin may see of a directory user: no attributes (they may hold anything), no tokens, no secrets. */
export interface DirectoryUserView {
  userId: string | null;
  username: string;
  email: string | null;
  emailVerified: boolean | null;
  enabled: boolean | null;
  status: string | null;
  mfa: string[];
  createdAt: string | null;
}

export interface ProviderStatus {
  provider: { active: ProviderName; fellBack: boolean; requested: ProviderName; missing: string[] };
  settings: SettingPresence[];
  directory: DirectoryInfo | Unavailable;
  client: DirectoryClientInfo | Unavailable;
  newestUsers: { users: DirectoryUserView[]; scanned: number; complete: boolean } | Unavailable;
  mirroredUsers: number;
}

export interface SelfTestResult {
  provider: ProviderName;
  ok: boolean;
  checks: SelfTestRow[];
}

const NEWEST = 20;
/** The directory has no "newest first" listing (Cognito's ListUsers has no order): at most this many are scanned. */
const SCAN_LIMIT = 600;

const view = (u: DirectoryUser): DirectoryUserView => ({
  userId: u.userId ?? null,
  username: u.username,
  email: u.email ?? null,
  emailVerified: u.emailVerified ?? null,
  enabled: u.enabled ?? null,
  status: u.status ?? null,
  mfa: u.mfa ?? [],
  createdAt: u.createdAt?.toISOString() ?? null,
});

/** GET /admin/provider and POST /admin/provider/test: the active provider as an operator needs to see it. */
@Injectable()
export class ProviderStatusService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_ADMIN_PORT) private readonly port: AuthAdminPort,
    private readonly users: UsersService,
    @Optional() @Inject(COGNITO_CLIENT) private readonly cognito?: CognitoIdentityProviderClient,
    @Optional() @Inject(AWS_CREDENTIALS_ENV) private readonly awsEnv: AwsEnv = process.env,
  ) {}

  async status(): Promise<ProviderStatus> {
    const auth = this.config.auth;
    const [directory, client, newestUsers, mirroredUsers] = await Promise.all([
      this.attempt(() => this.port.describeDirectory()),
      this.attempt(() => this.port.describeClient()),
      this.attempt(() => this.newestUsers()),
      this.users.countByProvider(auth.provider),
    ]);
    return {
      provider: { active: auth.provider, fellBack: auth.fellBack !== undefined, requested: auth.fellBack?.from ?? auth.provider, missing: auth.fellBack?.missing ?? [] },
      settings: providerSettings(this.config, this.awsEnv),
      directory,
      client,
      newestUsers,
      mirroredUsers,
    };
  }

  /** Runs the checks that apply to the active provider and records who ran them (one audit row on the admin). */
  async selfTest(admin: Principal, requestId: string): Promise<SelfTestResult> {
    const checks = await this.checks();
    const result = { provider: this.config.auth.provider, ok: checks.every((c) => c.status !== 'fail'), checks };
    await this.users.recordEvent({
      userId: admin.userId,
      actor: `admin:${admin.userId}`,
      type: 'admin.provider_tested',
      detail: { requestId, provider: result.provider, ok: result.ok, failed: checks.filter((c) => c.status === 'fail').map((c) => c.check) },
    });
    return result;
  }

  private async checks(): Promise<SelfTestRow[]> {
    const auth = this.config.auth;
    if (auth.provider === 'cognito' && auth.cognito && this.cognito) return cognitoSelfTest(this.cognito, auth.cognito, this.awsEnv);
    if (auth.provider === 'oidc') return this.oidcChecks();
    return this.localChecks();
  }

  /** The local directory is Gatehouse's own tables: the port reads them; keys and mail are configuration. */
  private async localChecks(): Promise<SelfTestRow[]> {
    const local = this.config.auth.local;
    const rows: SelfTestRow[] = [
      await this.portRow('directory', () => this.port.describeDirectory()),
      await this.portRow('ListUsers (1)', () => this.port.listUsers({ limit: 1 })),
      local.privateKeyPem
        ? { check: 'signing key', status: 'pass', detail: 'LOCAL_JWT_PRIVATE_KEY is set' }
        : { check: 'signing key', status: 'warn', detail: 'a key generated once and kept in the database (development only: set LOCAL_JWT_PRIVATE_KEY)' },
      this.config.smtpUrl
        ? { check: 'mail', status: 'pass', detail: 'SMTP_URL is set (`npm run cli -- config:check` probes the relay)' }
        : { check: 'mail', status: 'warn', detail: 'SMTP_URL is not set: mail is written to the log' },
    ];
    if (this.config.auth.fellBack) rows.unshift({ check: 'provider', status: 'warn', detail: `AUTH_PROVIDER=${this.config.auth.fellBack.from} lacks ${this.config.auth.fellBack.missing.join(', ')}: fell back to local` });
    return rows;
  }

  /** The issuer owns its directory: what applies is whether its keys can be fetched. */
  private async oidcChecks(): Promise<SelfTestRow[]> {
    const oidc = this.config.auth.oidc;
    if (!oidc) return [{ check: 'issuer', status: 'fail', detail: 'OIDC is not configured' }];
    const discovery = `${oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    try {
      const jwksUri = oidc.jwksUri ?? ((await (await fetch(discovery, { signal: AbortSignal.timeout(5_000), redirect: 'error' })).json()) as { jwks_uri?: string }).jwks_uri;
      if (!jwksUri) return [{ check: 'discovery', status: 'fail', detail: `${discovery} names no jwks_uri` }];
      const res = await fetch(jwksUri, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
      const keys = res.ok ? ((await res.json()) as { keys?: unknown[] }).keys : undefined;
      return [
        { check: 'jwks', status: Array.isArray(keys) && keys.length > 0 ? 'pass' : 'fail', detail: `${jwksUri}: ${res.ok ? `${Array.isArray(keys) ? keys.length : 0} key(s)` : `HTTP ${res.status}`}` },
        { check: 'directory', status: 'skip', detail: 'the OIDC issuer owns its directory: nothing to call' },
      ];
    } catch (err) {
      return [{ check: 'jwks', status: 'fail', detail: `${oidc.jwksUri ?? discovery}: ${err instanceof Error ? err.name : 'Error'}` }];
    }
  }

  private async portRow(check: string, fn: () => Promise<unknown>): Promise<SelfTestRow> {
    try {
      await fn();
      return { check, status: 'pass', detail: 'answered' };
    } catch (err) {
      return { check, status: 'fail', detail: err instanceof AppError ? err.code : 'INTERNAL_ERROR' };
    }
  }

  /** The directory's 20 newest users: pages through it (up to SCAN_LIMIT) and sorts by creation time. */
  private async newestUsers(): Promise<{ users: DirectoryUserView[]; scanned: number; complete: boolean }> {
    const seen: DirectoryUser[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.port.listUsers({ limit: 60, ...(cursor ? { cursor } : {}) });
      seen.push(...page.users);
      cursor = page.nextCursor;
    } while (cursor && seen.length < SCAN_LIMIT);
    const users = seen.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0)).slice(0, NEWEST).map(view);
    return { users, scanned: seen.length, complete: cursor === undefined };
  }

  /** A part the provider cannot answer (NOT_SUPPORTED for OIDC, PROVIDER_UNAVAILABLE, access denied) is named, not fatal. */
  private async attempt<T>(fn: () => Promise<T>): Promise<T | Unavailable> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) return { unavailable: err.code };
      throw err;
    }
  }
}
