#!/usr/bin/env node
// Creates a user pool, an app client and the Admins/Auditors groups in a running cognito-local, and prints the
// environment lines that point Gatehouse at them. Usage: node scripts/cognito-local-setup.js [endpoint]
// (default http://127.0.0.1:9229). Development only: it uses dummy AWS credentials.
'use strict';
// A plain CommonJS Node script, run without a build: the repository's ESLint setup is for the TypeScript sources.
/* global require, process */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('@aws-sdk/client-cognito-identity-provider');
const { CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolClientCommand, CreateGroupCommand } = sdk;

async function main() {
  const endpoint = (process.argv[2] || process.env.COGNITO_ENDPOINT || 'http://127.0.0.1:9229').replace(/\/+$/, '');
  const region = process.env.AWS_REGION || 'us-east-1';
  const client = new CognitoIdentityProviderClient({ region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const pool = await client.send(
    new CreateUserPoolCommand({ PoolName: 'gatehouse-dev', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'], MfaConfiguration: 'OPTIONAL' }),
  );
  const poolId = pool.UserPool.Id;
  const app = await client.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'gatehouse', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
  );
  for (const GroupName of ['Admins', 'Auditors']) await client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }));
  process.stdout.write(
    [
      'AUTH_PROVIDER=cognito',
      `COGNITO_ENDPOINT=${endpoint}`,
      `COGNITO_USER_POOL_ID=${poolId}`,
      `COGNITO_CLIENT_ID=${app.UserPoolClient.ClientId}`,
      `AWS_REGION=${region}`,
      'AWS_ACCESS_KEY_ID=local',
      'AWS_SECRET_ACCESS_KEY=local',
      '',
    ].join('\n'),
  );
  client.destroy();
}

main().catch((err) => {
  process.stderr.write(`cognito-local setup failed: ${err.name || 'Error'}: ${err.message}\n`);
  process.exit(1);
});
