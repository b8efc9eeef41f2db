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
const TICK_MS = 1000 / 100; // CLK_TCK is 100 on Linux

function cpuMs(pid) {
  // Fields after the command's closing paren; utime and stime are the 14th and 15th fields of the line.
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
}

function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

function open(url, token) {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/realtime`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`connect_error ${err.data ? err.data.code : err.message}`));
    });
    socket.once('connect', () =>
      socket.timeout(20_000).emit('whoami', (err, me) => {
        if (err || !me || me.error) {
          socket.close();
          return reject(new Error(`whoami failed: ${err ? err.message : JSON.stringify(me)}`));
        }
        resolve(socket);
      }),
    );
  });
}

/** N handshakes with `inFlight` at a time; returns the server's CPU ms per handshake and handshakes/s. */
async function handshakes(url, pid, tokens, n, inFlight) {
  let next = 0;
  const cpu0 = cpuMs(pid);
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const s = await open(url, tokens[i % tokens.length]);
      s.close();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await new Promise((r) => setTimeout(r, 300)); // the closes land in the server's CPU too
  return { cpuMs: (cpuMs(pid) - cpu0) / n, perSecond: n / seconds };
}

async function idleCost(url, pid, tokens, n) {
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssKb(pid);
  const sockets = [];
  for (let i = 0; i < n; i += IN_FLIGHT) {
    const batch = await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n - i) }, (_, j) => open(url, tokens[(i + j) % tokens.length])));
    sockets.push(...batch);
  }
  await new Promise((r) => setTimeout(r, 2000));
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

/** `app`: { url, pid } of the running Gatehouse; `tokens` it has seen before; `issuer`/`client` for the peer. */
async function runRealtime({ app, tokens, issuer, client, peerPort }) {
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const peer = spawn(process.execPath, [join(__dirname, 'realtime-peer.js')], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PEER_PORT: String(peerPort), PEER_ISSUER: issuer, PEER_CLIENT: client },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitConnectable(peerUrl, 30_000);
    const servers = [
      ['Gatehouse /realtime', app.url, app.pid],
      ['peer (aws-jwt-verify in handleConnection)', peerUrl, peer.pid],
    ];
    // A peer that accepted anything would be cheap: check it refuses a bad signature before measuring.
    await open(peerUrl, `${tokens[0]}x`).then(
      (s) => {
        s.close();
        throw new Error('the realtime peer accepted a bad signature');
      },
      () => undefined,
    );
    console.log(`\nrealtime: ${HANDSHAKES} handshakes x ${ROUNDS} interleaved rounds, ${IN_FLIGHT} in flight, then ${IDLE} idle sockets each`);
    for (const [, url, pid] of servers) await handshakes(url, pid, tokens, Math.min(1000, HANDSHAKES), IN_FLIGHT); // warm-up
    const results = new Map(servers.map(([name]) => [name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, url, pid] of round % 2 ? servers : [...servers].reverse()) {
        const r = await handshakes(url, pid, tokens, HANDSHAKES, IN_FLIGHT);
        results.get(name).push(r);
        console.log(`round ${round} ${name.padEnd(44)} ${r.cpuMs.toFixed(3)} ms server CPU/handshake   ${Math.round(r.perSecond)} handshakes/s`);
      }
    }
    const idle = new Map();
    for (const [name, url, pid] of servers) {
      idle.set(name, await idleCost(url, pid, tokens, IDLE));
      console.log(`${name.padEnd(52)} ${idle.get(name).held} sockets held, ${idle.get(name).kbPerSocket.toFixed(1)} KB RSS per idle socket`);
    }
    const fig = (name) => ({
      cpuMs: median(results.get(name).map((r) => r.cpuMs)),
      perSecond: median(results.get(name).map((r) => r.perSecond)),
      ...idle.get(name),
    });
    const g = fig(servers[0][0]);
    const p = fig(servers[1][0]);
    const verdict = (ok) => (ok ? 'met' : 'NOT met');
    console.log(`\nrealtime medians           Gatehouse      peer`);
    console.log(`  server CPU / handshake   ${g.cpuMs.toFixed(3).padStart(8)} ms  ${p.cpuMs.toFixed(3).padStart(8)} ms   target <= 0.4 ms: ${verdict(g.cpuMs <= 0.4)}`);
    console.log(`  handshakes/s (${IN_FLIGHT} in flight) ${String(Math.round(g.perSecond)).padStart(6)}     ${String(Math.round(p.perSecond)).padStart(6)}`);
    console.log(`  RSS per idle socket      ${g.kbPerSocket.toFixed(1).padStart(8)} KB  ${p.kbPerSocket.toFixed(1).padStart(8)} KB   target <= 15 KB: ${verdict(g.kbPerSocket <= 15)}`);
    console.log(`  idle sockets held        ${String(g.held).padStart(8)}     ${String(p.held).padStart(8)}      target ${IDLE} on one instance: ${verdict(g.held >= IDLE)}`);
  } finally {
    if (peer.exitCode === null) {
      const exited = new Promise((r) => peer.once('exit', r));
      peer.kill('SIGTERM');
      await exited;
    }
  }
}

module.exports = { runRealtime };
