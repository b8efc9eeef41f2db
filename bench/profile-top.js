/* eslint-disable */
// Summarises a V8 CPU profile (node --cpu-prof; `BENCH_CPU_PROF=<dir> npm run bench` writes one for Gatehouse):
// self time per function, highest first. Usage: node bench/profile-top.js <file.cpuprofile> [N] [filter] [from]
// `filter` (a substring of function or file) keeps only matching entries; `from` (µs on the monotonic clock, as the
// realtime part prints it) keeps only the samples taken after it. Percentages are of the time not idle (idle
// is left out); GC and native calls are shown as V8 names them. The profile samples wall time: a function running when
// the process was descheduled (a syscall like writev on a busy machine) is charged that time too.
'use strict';
const { readFileSync } = require('node:fs');

const [file, n = '15', filter, from = '0'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
// timeDeltas[i] is the time before samples[i]: charge it to that sample's node.
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] || 0;
  if (at < Number(from)) continue;
  const node = byId.get(profile.samples[i]);
  const f = node.callFrame;
  const where = f.url ? `${f.url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) || 0) + (profile.timeDeltas[i] || 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const busy = [...self.entries()].filter(([k]) => !k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
console.log(`${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle`);
const rows = [...self.entries()].filter(([k]) => !k.startsWith('(idle)') && (!filter || k.includes(filter))).sort((a, b) => b[1] - a[1]).slice(0, Number(n));
for (const [k, v] of rows) console.log(`${((100 * v) / busy).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
