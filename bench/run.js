/* eslint-disable */
// npm run bench: Gatehouse as production runs it (NODE_ENV=production, LOG_LEVEL=info, a real Postgres: a fresh database
// on BENCH_DATABASE_URL's server, created and dropped here) next to a peer (bench/peer.js: a minimal NestJS Express
// app whose guard verifies the same tokens with aws-jwt-verify), in ONE run with interleaved rounds: same tokens (a few
// hundred users, provisioned first), same connections, and a floor (bench/http-floor.js: the same platform and
// per-request duties, an authenticated route that only looks its token up in a Map). Then the bare verifier in-process.
// Prints figures and whether the issue #10 targets are met; asserts nothing (speed is measured here, never tested).
//
// The issuer is a loopback JWKS server. Production refuses COGNITO_ENDPOINT (cognito-local's key is public), so
// Gatehouse runs with AUTH_PROVIDER=oidc pointed at it (OIDC_ISSUER/OIDC_JWKS_URI/OIDC_AUDIENCE), which production
// allows as it is: no production rule is relaxed for the bench. The tokens are Cognito-shaped access tokens
// (token_use=access, client_id) that also carry `aud` = the client, which the OIDC rules require.
'use strict';
const { spawn } = require('node:child_process');
const { generateKeyPairSync, randomBytes, randomUUID, sign } = require('node:crypto');
const { readFileSync } = require('node:fs');
const http = require('node:http');
const { join } = require('node:path');
const { loadavg } = require('node:os');
const autocannon = require('autocannon');
const { Client } = require('pg');

const ROOT = join(__dirname, '..');
const USERS = Number(process.env.BENCH_USERS || 300);
const DURATION = Number(process.env.BENCH_SECONDS || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL = 'local_bench';
const CLIENT = 'bench-client';

const seg = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'bench-key';

function token(issuer, sub) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub, iss: issuer, aud: CLIENT, client_id: CLIENT, token_use: 'access', scope: 'aws.cognito.signin.user.admin', email: `${sub}@bench.example.com`, email_verified: true, iat: now, exp: now + 3600, jti: randomUUID() };
  const input = `${seg({ alg: 'RS256', kid, typ: 'JWT' })}.${seg(claims)}`;
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
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

const TICK_MS = 1000 / 100; // CLK_TCK is 100 on Linux

/** utime and stime of a process, in ms: its own CPU, whatever else the machine is doing. */
function cpuTimes(pid) {
  // Fields after the command's closing paren; utime and stime are the 14th and 15th fields of the line.
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(rest[11]) * TICK_MS, sys: Number(rest[12]) * TICK_MS };
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function waitListening(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await fetch(url);
      return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start`);
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return exited;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { server, base } = await startIssuer();
  // The gateway part's internal service, up before Gatehouse so GATEWAY_ROUTES can name it (bench/gateway.js).
  const gatewayUpstream = await require('./gateway').startUpstream();
  const issuer = `${base}/${POOL}`;
  const dbName = `gatehouse_bench_${Date.now()}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const [port, peerPort, floorPort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  const { privateKey: localKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: String(port),
    DATABASE_URL: dbUrl.toString(),
    PUBLIC_URL: url,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOCAL_JWT_PRIVATE_KEY: localKey.export({ type: 'pkcs8', format: 'pem' }),
    AUTH_PROVIDER: 'oidc',
    OIDC_ISSUER: issuer,
    OIDC_JWKS_URI: `${issuer}/.well-known/jwks.json`,
    OIDC_AUDIENCE: CLIENT,
    // The realtime part holds 5,000 sockets over the same few hundred users.
    WS_MAX_CONNECTIONS_PER_USER: '100',
    // The gateway admits active users only: verified addresses with no further ladder step become active at first sight.
    ONBOARDING_REQUIRE_APPROVAL: 'false',
    ONBOARDING_REQUIRE_MFA: 'false',
    ONBOARDING_REQUIRE_SUBSCRIPTION: 'false',
    GATEWAY_ROUTES: `svc=${gatewayUpstream.url}`,
    GATEWAY_SIGNING_SECRET: randomBytes(32).toString('hex'),
    // Room for the gateway part's 300 MiB upload (the default limit is 256mb).
    GATEWAY_BODY_LIMIT: '512mb',
  };
  // Gatehouse's log lines (one per request at info) go to /dev/null, as a production log shipper would take them.
  // BENCH_CPU_PROF=<dir>: Gatehouse writes a V8 CPU profile there when it stops (open it in Chrome DevTools, or
  // summarise it with bench/profile-top.js); BENCH_ONLY=<substring> keeps the HTTP targets whose name contains it
  // (and skips the realtime part and the bare verifier); BENCH_ONLY=realtime or =gateway runs that part alone.
  // BENCH_APP_LOG=<file>: Gatehouse's log lines go there instead of /dev/null (to see why a run failed).
  // BENCH_APP_NODE_ARGS: extra node flags for Gatehouse's process (e.g. a V8 heap setting being measured).
  const nodeArgs = [
    ...(process.env.BENCH_APP_NODE_ARGS ? process.env.BENCH_APP_NODE_ARGS.split(' ').filter(Boolean) : []),
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
  ];
  const app = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'main.js')], { env, stdio: ['ignore', process.env.BENCH_APP_LOG ? require('node:fs').openSync(process.env.BENCH_APP_LOG, 'w') : 'ignore', 'inherit'] });
  const peer = spawn(process.execPath, [join(__dirname, 'peer.js')], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PEER_PORT: String(peerPort), PEER_ISSUER: issuer, PEER_CLIENT: CLIENT },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The floor (bench/http-floor.js): the same platform and per-request duties, an authenticated route that only looks
  // its token up in a Map. What /users/me over /health can reach at best on this machine.
  const floor = spawn(process.execPath, [join(__dirname, 'http-floor.js')], { env: { PATH: process.env.PATH, NODE_ENV: 'production', PEER_PORT: String(floorPort) }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const t0 = Date.now();
    await waitReady(url, 60_000);
    await waitListening(peerUrl, 30_000);
    await waitListening(`${floorUrl}/health`, 30_000);
    // Figures from a busy machine are not comparable across runs (ratios within one run are): say how busy it was.
    console.log(`load average before the rounds: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`Gatehouse ready in ${Date.now() - t0} ms (NODE_ENV=production, LOG_LEVEL=info, Postgres database ${dbName})`);

    const tokens = Array.from({ length: USERS }, () => token(issuer, randomUUID()));
    const p0 = Date.now();
    for (let i = 0; i < tokens.length; i += 25) {
      const batch = tokens.slice(i, i + 25).map((t) => fetch(`${url}/api/v1/users/me`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status));
      const statuses = await Promise.all(batch);
      if (statuses.some((s) => s !== 200)) { const r = await fetch(`${url}/api/v1/users/me`, { headers: { authorization: `Bearer ${tokens[i]}` } }); throw new Error(`provisioning failed: ${statuses.join(',')} ${await r.text()}`); }
    }
    const peerCheck = await fetch(`${peerUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    if (peerCheck.status !== 200) throw new Error(`peer refused a valid token: ${peerCheck.status}`);
    const peerBad = await fetch(`${peerUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${tokens[0]}x` } });
    if (peerBad.status !== 401) throw new Error(`peer accepted a bad signature: ${peerBad.status}`);
    console.log(`provisioned ${USERS} users in ${Date.now() - p0} ms; the peer accepts the same tokens and refuses a bad signature`);

    // Every run sends the same requests (a rotating bearer header over the same tokens), so client-side work and
    // request size are equal and the difference is what each server does with the token.
    const rotating = () => {
      let n = 0;
      return [{ setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${tokens[n++ % tokens.length]}` } }) }];
    };
    const allTargets = [
      ['Gatehouse GET /health', `${url}/health`, app.pid],
      ['Gatehouse GET /api/v1/users/me', `${url}/api/v1/users/me`, app.pid],
      ['peer GET /api/v1/users/me', `${peerUrl}/api/v1/users/me`, peer.pid],
      ['floor GET /health', `${floorUrl}/health`, floor.pid],
      ['floor GET /api/v1/users/me', `${floorUrl}/api/v1/users/me`, floor.pid],
    ];
    const targets = allTargets.filter(([name]) => !process.env.BENCH_ONLY || name.includes(process.env.BENCH_ONLY));
    const results = new Map(targets.map(([name]) => [name, []]));
    // Warm-up (JIT, caches), not counted.
    for (const [, target] of targets) await cannon({ url: target, requests: rotating(), duration: 2 });
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, target, pid] of round % 2 ? targets : [...targets].reverse()) {
        // Server CPU per request (utime+stime of the server process over the round / requests served): unlike req/s
        // it does not move with what else runs on the machine, so it is the figure to compare on a shared machine.
        const cpu0 = cpuTimes(pid);
        const r = await cannon({ url: target, requests: rotating() });
        const cpu1 = cpuTimes(pid);
        const userUs = ((cpu1.user - cpu0.user) * 1000) / r.requests.total;
        const sysUs = ((cpu1.sys - cpu0.sys) * 1000) / r.requests.total;
        const cpuUs = userUs + sysUs;
        if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        results.get(name).push({ rps: r.requests.average, p99: r.latency.p99, cpuUs });
        console.log(`round ${round} ${name.padEnd(32)} ${String(Math.round(r.requests.average)).padStart(7)} req/s   p99 ${String(r.latency.p99).padStart(4)} ms   ${cpuUs.toFixed(1).padStart(6)} µs server CPU/request (user ${userUs.toFixed(1)} + sys ${sysUs.toFixed(1)})`);
      }
    }
    if (targets.length === allTargets.length) {
      const rss = rssMb(app.pid);
      console.log(`load average after the rounds: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      const fig = (name) => ({
        rps: median(results.get(name).map((x) => x.rps)),
        p99: median(results.get(name).map((x) => x.p99)),
        cpuUs: median(results.get(name).map((x) => x.cpuUs)),
      });
      const health = fig(targets[0][0]);
      const me = fig(targets[1][0]);
      const peerMe = fig(targets[2][0]);
      console.log(`\nmedians of ${ROUNDS} interleaved rounds (${CONNECTIONS} connections, ${DURATION} s each):`);
      for (const [name] of targets) {
        const f = fig(name);
        console.log(`  ${name.padEnd(32)} ${String(Math.round(f.rps)).padStart(7)} req/s   p99 ${String(f.p99).padStart(4)} ms   ${f.cpuUs.toFixed(1).padStart(6)} µs server CPU/request`);
      }
      console.log(`  Gatehouse RSS after the run: ${rss} MB`);
      const verdict = (ok) => (ok ? 'met' : 'NOT met');
      const vsPeer = me.rps / peerMe.rps;
      const vsHealth = me.rps / health.rps;
      console.log(`\n  /users/me vs the peer's authenticated route: ${vsPeer.toFixed(2)}x (target >= 2.0x): ${verdict(vsPeer >= 2)}`);
      // The same ratio from server CPU (load-independent): /health's CPU per request over /users/me's.
      const cpuVsHealth = health.cpuUs / me.cpuUs;
      const cpuVsPeer = peerMe.cpuUs / me.cpuUs;
      console.log(`  /users/me vs Gatehouse's /health:           ${vsHealth.toFixed(2)}x (target >= 0.95x): ${verdict(vsHealth >= 0.95)}`);
      console.log(`    by server CPU per request: ${health.cpuUs.toFixed(1)} / ${me.cpuUs.toFixed(1)} µs = ${cpuVsHealth.toFixed(2)}x (>= 0.95x: ${verdict(cpuVsHealth >= 0.95)}); peer ${peerMe.cpuUs.toFixed(1)} µs = ${cpuVsPeer.toFixed(2)}x Gatehouse's /users/me`);
      console.log(`  p99 /users/me ${me.p99} ms vs the peer's ${peerMe.p99} ms (target: no worse): ${verdict(me.p99 <= peerMe.p99)}`);
      const floorHealth = fig(targets[3][0]);
      const floorMe = fig(targets[4][0]);
      console.log(
        `  the floor (bench/http-floor.js: one Map look-up of the token, nothing else): /users/me vs its /health ${(floorMe.rps / floorHealth.rps).toFixed(2)}x req/s, ` +
          `${(floorHealth.cpuUs / floorMe.cpuUs).toFixed(2)}x by CPU (${floorHealth.cpuUs.toFixed(1)} / ${floorMe.cpuUs.toFixed(1)} µs): what the platform lets an authenticated route reach`,
      );
    }
    const only = process.env.BENCH_ONLY;
    if (process.env.BENCH_GATEWAY !== '0' && (!only || only === 'gateway')) {
      await require('./gateway').runGateway({ app: { url, pid: app.pid }, tokens, issuer, client: CLIENT, upstream: gatewayUpstream.url, peerPort: await freePort() });
    }
    const realtime = process.env.BENCH_REALTIME !== '0' && (!only || only === 'realtime');
    if (realtime) await require('./realtime').runRealtime({ app: { url, pid: app.pid }, tokens, issuer, client: CLIENT, peerPort: await freePort(), floorPort: await freePort() });
  } finally {
    await Promise.all([stop(app), stop(peer), stop(floor)]);
    server.close();
    await gatewayUpstream.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }


  if (process.env.BENCH_ONLY) return;
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
