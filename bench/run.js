/* eslint-disable */
// npm run bench: starts the built app against a local JWKS issuer (Cognito-shaped, like cognito-local), provisions a
// few hundred users through the API, then measures GET /health and authenticated GET /api/v1/users/me with
// autocannon, and the bare verifier in-process. Prints figures; asserts nothing (speed is measured here, not tested).
'use strict';
const { spawn } = require('node:child_process');
const { generateKeyPairSync, randomUUID, sign } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');

const ROOT = join(__dirname, '..');
const USERS = Number(process.env.BENCH_USERS || 300);
const DURATION = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const POOL = 'local_bench';
const CLIENT = 'bench-client';

const seg = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'bench-key';

function token(issuer, sub) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${seg({ alg: 'RS256', kid })}.${seg({ sub, iss: issuer, client_id: CLIENT, token_use: 'access', scope: 'aws.cognito.signin.user.admin', iat: now, exp: now + 3600, jti: randomUUID() })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

function startIssuer() {
  return new Promise((resolve) => {
    const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    const server = http.createServer((req, res) => {
      if (req.url === `/${POOL}/.well-known/jwks.json`) res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = require('node:net').createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('app did not become ready');
}

function cannon(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

async function main() {
  const { server, base } = await startIssuer();
  const issuer = `${base}/${POOL}`;
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  // Exactly the env-only start the issue asks for; the database is the embedded default unless BENCH_DATABASE_URL.
  const env = { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'warn', DATA_DIR: dataDir, AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: base, COGNITO_USER_POOL_ID: POOL, COGNITO_CLIENT_ID: CLIENT };
  if (process.env.BENCH_DATABASE_URL) env.DATABASE_URL = process.env.BENCH_DATABASE_URL;
  const app = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  try {
    const t0 = Date.now();
    await waitReady(url, 60_000);
    console.log(`app ready in ${Date.now() - t0} ms (embedded Postgres: ${!env.DATABASE_URL})`);

    const tokens = Array.from({ length: USERS }, () => token(issuer, randomUUID()));
    const p0 = Date.now();
    for (let i = 0; i < tokens.length; i += 25) {
      const batch = tokens.slice(i, i + 25).map((t) => fetch(`${url}/api/v1/users/me`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status));
      const statuses = await Promise.all(batch);
      if (statuses.some((s) => s !== 200)) throw new Error(`provisioning failed: ${statuses.join(',')}`);
    }
    console.log(`provisioned ${USERS} users just in time in ${Date.now() - p0} ms`);

    // Both runs send the same requests (a rotating bearer header), so client-side work and request size are equal
    // and the difference is what Gatehouse does with the token.
    let n = 0;
    const withToken = [{ setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${tokens[n++ % tokens.length]}` } }) }];
    const health = await cannon({ url: `${url}/health`, requests: withToken });
    const me = await cannon({ url: `${url}/api/v1/users/me`, requests: withToken });
    const row = (name, r) => `${name.padEnd(34)} ${String(Math.round(r.requests.average)).padStart(8)} req/s   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}`;
    console.log(`\nHTTP (${CONNECTIONS} connections, ${DURATION} s each)`);
    console.log(row('GET /health', health));
    console.log(row('GET /api/v1/users/me (bearer)', me));
    console.log(`authenticated / health throughput: ${((me.requests.average / health.requests.average) * 100).toFixed(1)}%`);
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  // The bare verifier, in-process: full RS256 verification of distinct tokens, then cache hits.
  const { TokenVerifier } = require(join(ROOT, 'dist', 'auth', 'tokens', 'token-verifier.js'));
  const policy = { kind: 'cognito', issuer, algorithms: ['RS256'], audience: CLIENT, keys: { getKey: async () => publicKey } };
  const verifier = new TokenVerifier([policy], { clockSkewS: 60, cacheSize: 100_000 });
  const fresh = Array.from({ length: 5_000 }, () => token(issuer, randomUUID()));
  let t = process.hrtime.bigint();
  for (const tok of fresh) await verifier.verify(tok);
  const full = fresh.length / (Number(process.hrtime.bigint() - t) / 1e9);
  t = process.hrtime.bigint();
  const rounds = 200_000;
  for (let i = 0; i < rounds; i++) await verifier.verify(fresh[i % fresh.length]);
  const cached = rounds / (Number(process.hrtime.bigint() - t) / 1e9);
  console.log(`\nbare verifier: ${Math.round(full)} full verifications/s (RS256 2048), ${Math.round(cached)} cached verifications/s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
