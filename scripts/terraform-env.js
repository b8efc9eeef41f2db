#!/usr/bin/env node
// Turns `terraform output -json` of a root that exports the Gatehouse module's `env` as `gatehouse_env`
// (infra/terraform/example does) into .env lines on stdout:
//   terraform -chdir=infra/terraform/example output -json | node scripts/terraform-env.js >> .env
// null entries are left out. Fails (exit 1, nothing on stdout) when the output or a required value is missing, so a
// half-written .env never replaces a working one.
'use strict';
// A plain CommonJS Node script, run without a build: the repository's ESLint setup is for the TypeScript sources.
/* global require, process, module, Buffer */

/** What Gatehouse needs to run against the pool; the offline tests check the module outputs each of these. */
const REQUIRED = ['AUTH_PROVIDER', 'COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_DOMAIN', 'AWS_REGION'];
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/** The .env text for `terraform output -json`'s text; throws an Error whose message says what is wrong. */
function toDotenv(outputJson) {
  let outputs;
  try {
    outputs = JSON.parse(outputJson);
  } catch {
    throw new Error('stdin is not JSON: pipe `terraform output -json` into this script');
  }
  const env = outputs && outputs.gatehouse_env && outputs.gatehouse_env.value;
  if (!env || typeof env !== 'object' || Array.isArray(env)) {
    throw new Error('no gatehouse_env output: the root module must have output "gatehouse_env" { value = module.<name>.env }');
  }
  const missing = REQUIRED.filter((k) => env[k] === null || env[k] === undefined || env[k] === '');
  if (missing.length) throw new Error(`gatehouse_env has no value for ${missing.join(', ')} (has the apply finished?)`);
  const lines = [];
  for (const key of Object.keys(env).sort()) {
    const value = env[key];
    if (value === null || value === undefined) continue;
    if (!ENV_NAME.test(key)) throw new Error(`"${key}" is not an environment variable name`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`${key} is not a single value`);
    lines.push(`${key}=${quote(key, String(value))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Plain when safe; else double-quoted. A line break would start another variable, so it is refused. */
function quote(key, value) {
  if (/[\r\n]/.test(value)) throw new Error(`${key} contains a line break`);
  if (/^[A-Za-z0-9_./:@,+=-]*$/.test(value)) return value;
  if (/["\\]/.test(value)) throw new Error(`${key} contains a quote or backslash`);
  return `"${value}"`;
}

function main() {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    try {
      process.stdout.write(toDotenv(Buffer.concat(chunks).toString('utf8')));
    } catch (err) {
      process.stderr.write(`terraform-env: ${err.message}\n`);
      process.exit(1);
    }
  });
}

module.exports = { REQUIRED, toDotenv };
if (require.main === module) main();
