import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { UserStatus } from '../../../src/common/user-status';
import { startTestApp, TestApp } from '../../support/app';
import { JwksIssuer } from '../../support/jwks-issuer';
import { userFactory } from '../../support/user-factory';

export const CLIENT = 'client-gw';
export const SECRET = 'gateway-test-signing-secret-0123456789abcdef';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: { error?: { code?: string; requestId?: string } } & Record<string, unknown>;
}

/**
 * Sends one request with node:http (fetch refuses to set Connection, Host and other fields these tests must send)
 * and reads the whole answer.
 */
export function send(base: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Answer['json'] = {};
        try {
          json = JSON.parse(text) as Answer['json'];
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Writes a GATEWAY_ROUTES_FILE for one suite. */
export function routesFile(routes: Record<string, unknown>): string {
  const path = join(tmpdir(), `gatehouse-gw-${randomUUID()}.json`);
  writeFileSync(path, JSON.stringify(routes));
  return path;
}

/** Gatehouse with the Cognito-shaped issuer on loopback and the given gateway environment. */
export class GatewayHarness {
  readonly issuer = new JwksIssuer('local_gw');
  t!: TestApp;
  db!: DataSource;

  async start(env: Record<string, string>): Promise<this> {
    await this.issuer.start();
    this.t = await startTestApp({
      AUTH_PROVIDER: 'cognito',
      COGNITO_ENDPOINT: this.issuer.base,
      COGNITO_USER_POOL_ID: this.issuer.pool,
      COGNITO_CLIENT_ID: CLIENT,
      GATEWAY_SIGNING_SECRET: SECRET,
      ...env,
    });
    this.db = this.t.app.get(DataSource);
    return this;
  }

  async stop(): Promise<void> {
    await this.t?.close();
    await this.issuer.stop();
  }

  /** A user row in `status` and a bearer token for it; `groups` become `cognito:groups` (Admins → admin). */
  async user(status: UserStatus = 'active', groups?: string[]): Promise<{ id: string; token: string; bearer: string }> {
    const sub = randomUUID();
    const id = await userFactory.row(this.db, { issuer: this.issuer.issuer, subject: sub, status });
    await this.db.query('UPDATE auth.users SET email = $1 WHERE id = $2', [`${sub}@example.com`, id]);
    const token = this.issuer.sign(this.issuer.accessClaims(sub, CLIENT, groups ? { 'cognito:groups': groups } : {}));
    return { id, token, bearer: `Bearer ${token}` };
  }
}
