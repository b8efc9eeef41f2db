/* eslint-disable */
// The realtime part of `npm run bench` (issue #14), called by bench/run.js with Gatehouse already running. Side by side
// in one run: Gatehouse's /realtime (handshake admitted in a namespace middleware by the one Authenticator) and
// bench/realtime-peer.js (aws-jwt-verify in handleConnection). For each server:
// - server CPU per authenticated handshake: utime+stime from /proc/<pid>/stat over N handshakes (connect, a `whoami`
//   ack that waits for the server's verdict, close), after a warm-up; the client runs on the same 2 cores and costs
//   as much, so server CPU is compared, not connections per second alone;
// - handshakes per second with 50 in flight (the same runs);
// - RSS growth per idle authenticated socket, for 5,000 sockets held at once.
// The same tokens (already used once, as a reconnecting client's would be) go to both. Asserts nothing.
'use strict';
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { io } = require('socket.io-client');

const HANDSHAKES = Number(process.env.BENCH_WS_HANDSHAKES || 3000);
const IN_FLIGHT = Number(process.env.BENCH_WS_IN_FLIGHT || 50);
const IDLE = Number(process.env.BENCH_WS_IDLE || 5000);
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS || 2);
// Handshakes per server before the counted rounds: the target is for a warm server, and a thousand left the counted
// rounds still JIT-compiling (the first round cost twice the later ones).
const WARMUP = Number(process.env.BENCH_WS_WARMUP || 4000);
// socket.io-client's default transports (HTTP long-polling first, then the upgrade to a WebSocket: several HTTP
// requests per handshake) are measured too, over fewer handshakes: BENCH_WS_POLLING_HANDSHAKES, 0 to skip.
const POLLING_HANDSHAKES = Number(process.env.BENCH_WS_POLLING_HANDSHAKES || 1000);
const TRANSPORTS = { websocket: ['websocket'], 'polling+upgrade': null };
const TICK_MS = 1000 / 100; // CLK_TCK is 100 on Linux

function cpuMs(pid) {
  // Fields after the command's closing paren; utime and stime are the 14th and 15th fields of the line.
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
}

function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

function open(url, token, transports = TRANSPORTS.websocket) {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/realtime`, { auth: { token }, ...(transports ? { transports } : {}), reconnection: false, forceNew: true, timeout: 20_000 });
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`connect_error ${err.data ? err.data.code : err.message}`));
    });
    socket.once('connect', () => {
      if (!transports) {
        // polling+upgrade: the handshake is done when the WebSocket has taken over (as a client settles on it).
        if (socket.io.engine.transport.name === 'websocket') return ack();
        return socket.io.engine.once('upgrade', ack);
      }
      ack();
    });
    const ack = () =>
      socket.timeout(20_000).emit('whoami', (err, me) => {
        if (err || !me || me.error) {
          socket.close();
          return reject(new Error(`whoami failed: ${err ? err.message : JSON.stringify(me)}`));
        }
        resolve(socket);
      });
  });
}

/** N handshakes with `inFlight` at a time; returns the server's CPU ms per handshake and handshakes/s. */
async function handshakes(url, pid, tokens, n, inFlight, transports) {
  let next = 0;
  const cpu0 = cpuMs(pid);
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const s = await open(url, tokens[i % tokens.length], transports);
      s.close();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await new Promise((r) => setTimeout(r, 300)); // the closes land in the server's CPU too
  return { cpuMs: (cpuMs(pid) - cpu0) / n, perSecond: n / seconds };
}

// Both RSS readings are taken after the process has been quiet this long: V8's memory reducer collects the garbage of
// what came before (the handshake rounds, then the connects) on its own after a few seconds without allocation, so the
// difference is what the held sockets keep, not how far a GC happened to get. No forced GC: production's own steady state.
const SETTLE_MS = Number(process.env.BENCH_WS_SETTLE_MS || 10_000);

async function idleCost(url, pid, tokens, n) {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const before = rssKb(pid);
  const sockets = [];
  for (let i = 0; i < n; i += IN_FLIGHT) {
    const batch = await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n - i) }, (_, j) => open(url, tokens[(i + j) % tokens.length])));
    sockets.push(...batch);
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const held = sockets.filter((s) => s.connected).length;
  const after = rssKb(pid);
  for (const s of sockets) s.close();
  await new Promise((r) => setTimeout(r, 1000));
  return { held, kbPerSocket: (after - before) / n };
}

async function waitConnectable(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
      return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function spawnServer(file, port, env = {}) {
  // BENCH_CPU_PROF=<dir>: the peer and the floor write their V8 CPU profiles beside Gatehouse's (named after the file).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${file.replace(/\.js$/, '')}.cpuprofile`] : [];
  return spawn(process.execPath, [...prof, join(__dirname, file)], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PEER_PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return exited;
}

/** Interleaved rounds of `n` handshakes per server over one transport setting; name -> [{ cpuMs, perSecond }]. */
async function rounds(servers, tokens, n, transports, label) {
  const results = new Map(servers.map(([name]) => [name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, url, pid] of round % 2 ? servers : [...servers].reverse()) {
      const r = await handshakes(url, pid, tokens, n, IN_FLIGHT, transports);
      results.get(name).push(r);
      console.log(`round ${round} ${label.padEnd(16)} ${name.padEnd(44)} ${r.cpuMs.toFixed(3)} ms server CPU/handshake   ${Math.round(r.perSecond)} handshakes/s`);
    }
  }
  return results;
}

/** `app`: { url, pid } of the running Gatehouse; `tokens` it has seen before; `issuer`/`client` for the peer. */
async function runRealtime({ app, tokens, issuer, client, peerPort, floorPort }) {
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  const peer = spawnServer('realtime-peer.js', peerPort, { PEER_ISSUER: issuer, PEER_CLIENT: client });
  const floor = spawnServer('realtime-floor.js', floorPort);
  try {
    await waitConnectable(peerUrl, 30_000);
    await waitConnectable(floorUrl, 30_000);
    const GATEHOUSE = 'Gatehouse /realtime';
    const PEER = 'peer (aws-jwt-verify in handleConnection)';
    const FLOOR = 'bare socket.io (no Nest, no token check)';
    const servers = [
      [GATEHOUSE, app.url, app.pid],
      [PEER, peerUrl, peer.pid],
      [FLOOR, floorUrl, floor.pid],
    ];
    // A peer that accepted anything would be cheap: check it refuses a bad signature before measuring.
    await open(peerUrl, `${tokens[0]}x`).then(
      (s) => {
        s.close();
        throw new Error('the realtime peer accepted a bad signature');
      },
      () => undefined,
    );
    console.log(`\nrealtime: after ${WARMUP} handshakes per server, ${HANDSHAKES} websocket-only handshakes x ${ROUNDS} interleaved rounds, ${IN_FLIGHT} in flight; ${POLLING_HANDSHAKES} with the client's default transports (polling, then the upgrade) x ${ROUNDS}; then ${IDLE} idle sockets each`);
    for (const [, url, pid] of servers) await handshakes(url, pid, tokens, WARMUP, IN_FLIGHT, TRANSPORTS.websocket);
    // The monotonic clock (µs) at which the counted rounds start: `node bench/profile-top.js <file> N '' <this>` leaves
    // out start-up, provisioning and warm-up from a profile.
    if (process.env.BENCH_CPU_PROF) console.log(`counted rounds from ${process.hrtime.bigint() / 1000n} µs (profile clock)`);
    const byTransport = { websocket: await rounds(servers, tokens, HANDSHAKES, TRANSPORTS.websocket, 'websocket') };
    if (POLLING_HANDSHAKES > 0) {
      for (const [, url, pid] of servers) await handshakes(url, pid, tokens, Math.ceil(WARMUP / 4), IN_FLIGHT, TRANSPORTS['polling+upgrade']);
      byTransport['polling+upgrade'] = await rounds(servers, tokens, POLLING_HANDSHAKES, TRANSPORTS['polling+upgrade'], 'polling+upgrade');
    }
    const idle = new Map();
    // BENCH_WS_IDLE=0 skips the idle sockets (e.g. while profiling the handshake alone).
    for (const [name, url, pid] of IDLE > 0 ? servers.slice(0, 2) : []) {
      idle.set(name, await idleCost(url, pid, tokens, IDLE));
      console.log(`${name.padEnd(52)} ${idle.get(name).held} sockets held, ${idle.get(name).kbPerSocket.toFixed(1)} KB RSS per idle socket`);
    }
    const fig = (results, name) => ({
      cpuMs: median(results.get(name).map((r) => r.cpuMs)),
      perSecond: median(results.get(name).map((r) => r.perSecond)),
    });
    const verdict = (ok) => (ok ? 'met' : 'NOT met');
    const ms = (x) => `${x.toFixed(3).padStart(8)} ms`;
    console.log(`\nrealtime medians                          Gatehouse         peer   bare socket.io`);
    for (const [transport, results] of Object.entries(byTransport)) {
      const [g, p, f] = [GATEHOUSE, PEER, FLOOR].map((name) => fig(results, name));
      const target = transport === 'websocket' ? `   target <= 0.4 ms: ${verdict(g.cpuMs <= 0.4)}` : '';
      console.log(`  ${transport.padEnd(16)} CPU / handshake ${ms(g.cpuMs)}  ${ms(p.cpuMs)}  ${ms(f.cpuMs)}${target}`);
      console.log(`  ${transport.padEnd(16)} handshakes/s    ${String(Math.round(g.perSecond)).padStart(8)}     ${String(Math.round(p.perSecond)).padStart(8)}     ${String(Math.round(f.perSecond)).padStart(8)}`);
    }
    if (IDLE === 0) return;
    const [gi, pi] = [idle.get(GATEHOUSE), idle.get(PEER)];
    console.log(`  RSS per idle socket               ${gi.kbPerSocket.toFixed(1).padStart(8)} KB  ${pi.kbPerSocket.toFixed(1).padStart(8)} KB   target <= 15 KB: ${verdict(gi.kbPerSocket <= 15)}`);
    console.log(`  idle sockets held                 ${String(gi.held).padStart(8)}     ${String(pi.held).padStart(8)}      target ${IDLE} on one instance: ${verdict(gi.held >= IDLE)}`);
  } finally {
    await Promise.all([stop(peer), stop(floor)]);
  }
}

module.exports = { runRealtime };
