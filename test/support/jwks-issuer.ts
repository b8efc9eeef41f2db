import { generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function newKey(kid: string = randomUUID()): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

/**
 * A real issuer on loopback: serves `<base>/<pool>/.well-known/jwks.json` for its current keys (like Cognito and
 * cognito-local), counts every request, and can be taken down. Tokens are signed with real RSA keys.
 */
export class JwksIssuer {
  keys: TestKey[] = [newKey()];
  down = false;
  requests: string[] = [];
  private server?: Server;
  base = '';

  constructor(readonly pool = 'local_test') {}

  get issuer(): string {
    return `${this.base}/${this.pool}`;
  }

  get key(): TestKey {
    return this.keys[0]!;
  }

  jwksRequests(): number {
    return this.requests.filter((p) => p.endsWith('/.well-known/jwks.json')).length;
  }

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res) => {
      this.requests.push(req.url ?? '');
      if (this.down) {
        res.writeHead(503).end();
        return;
      }
      if (req.url === `/${this.pool}/.well-known/jwks.json`) {
        const keys = this.keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'RS256', use: 'sig' }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Cognito-style access token claims for `sub`, overridable per test. */
  accessClaims(sub: string, clientId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return { sub, iss: this.issuer, client_id: clientId, token_use: 'access', scope: 'aws.cognito.signin.user.admin', auth_time: now, iat: now, exp: now + 3600, jti: randomUUID(), username: sub, ...extra };
  }

  sign(claims: Record<string, unknown>, opts: { key?: TestKey; header?: Record<string, unknown>; kid?: string | null } = {}): string {
    const key = opts.key ?? this.key;
    const kid = opts.kid === null ? undefined : (opts.kid ?? key.kid);
    // Signed by hand (RSASSA-PKCS1-v1_5 SHA-256, what RS256 is) so tests can send claims a library would refuse to sign.
    const input = `${seg({ alg: 'RS256', ...(kid !== undefined ? { kid } : {}), ...opts.header })}.${seg(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
  }
}

/** base64url JSON segment, for hand-built malformed tokens. */
export function seg(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}
