import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { loadConfig } from '../../../src/config/load-config';
import { blocks, type Body, dynamics, expr, loadModule, local, only, operationsCalled, ROOT, type TfModule } from './terraform-model';

/**
 * Issue #18 offline: the Terraform module under infra/terraform is parsed (no AWS account, no provider download) and
 * checked against what Gatehouse needs; the IAM action list is checked against the code's own AWS calls.
 */
const MODULE = join(ROOT, 'infra', 'terraform');
const EXAMPLE = join(MODULE, 'example');
const ACTIONS_FILE = join(ROOT, 'infra', 'cognito-iam-actions.json');
const ENV_SCRIPT = join(ROOT, 'scripts', 'terraform-env.js');

/**
 * AWS fact, not a copy of the action list: these Cognito operations are authorised by the caller's own token, session
 * or client id, never by IAM, so the policy must not grant them. Anything else the code calls needs an IAM action.
 */
const UNSIGNED = new Set([
  'SignUp', 'InitiateAuth', 'ConfirmSignUp', 'ForgotPassword', 'ConfirmForgotPassword', 'RespondToAuthChallenge', 'AssociateSoftwareToken',
  'VerifySoftwareToken', 'SetUserMFAPreference', 'GlobalSignOut', 'GetUser', 'ResendConfirmationCode', 'ChangePassword',
]);

const TERRAFORM = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const withTerraform = TERRAFORM ? it : it.skip;
if (!TERRAFORM) process.stdout.write('[cognito-terraform] no terraform binary on PATH: `terraform fmt -check` is skipped\n');

const sorted = (xs: Iterable<string>) => [...xs].sort();
const sharedActions = (): string[] => (JSON.parse(readFileSync(ACTIONS_FILE, 'utf8')) as { actions: string[] }).actions;

describe('Cognito as Terraform (infra/terraform)', () => {
  let m: TfModule;
  let pool: { name: string; body: Body };
  let client: Body;
  beforeAll(async () => {
    m = await loadModule(MODULE);
    pool = only(m, 'resource', 'aws_cognito_user_pool');
    client = only(m, 'resource', 'aws_cognito_user_pool_client').body;
  });
  const poolRef = (attr: string) => `aws_cognito_user_pool.${pool.name}.${attr}`;

  it('declares the variables the issue lists, each with a description', () => {
    for (const v of ['stage', 'callback_urls', 'logout_urls', 'cors_origins', 'domain_prefix', 'sms_mfa', 'deletion_protection', 'access_token_validity_minutes', 'id_token_validity_minutes', 'refresh_token_validity_days', 'secrets_prefix']) {
      expect(m.variable[v]?.[0]?.description).toEqual(expect.any(String));
    }
  });

  it('pool: email is the username and is verified, MFA OPTIONAL with TOTP, recovery by verified email only', () => {
    const p = pool.body;
    expect(p.username_attributes).toEqual(['email']);
    expect(p.auto_verified_attributes).toEqual(['email']);
    // OFF would never challenge at login; ON would lock out users who have not enrolled yet.
    expect(p.mfa_configuration).toBe('OPTIONAL');
    expect(blocks(p, 'software_token_mfa_configuration')).toEqual([{ enabled: true }]);
    expect(blocks(blocks(p, 'account_recovery_setting')[0]!, 'recovery_mechanism')).toEqual([{ name: 'verified_email', priority: 1 }]);
    expect(blocks(p, 'user_attribute_update_settings')[0]?.attributes_require_verification_before_update).toEqual(['email']);
    // SMS only when asked for, through its own SNS role.
    expect(dynamics(p, 'sms_configuration')).toEqual([expect.objectContaining({ forEach: expect.stringContaining('var.sms_mfa') })]);
  });

  it('pool: a password policy no weaker than the local provider\'s floor, and deletion protection outside dev stages', () => {
    const pw = blocks(pool.body, 'password_policy')[0]!;
    expect(pw).toMatchObject({ require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true });
    expect(Number(pw.minimum_length)).toBeGreaterThanOrEqual(loadConfig({}).config.auth.local.passwordMinLength);
    expect(expr(pool.body.deletion_protection)).toMatch(/local\.deletion_protection/);
    expect(expr(local(m, 'deletion_protection'))).toMatch(/var\.deletion_protection[\s\S]*var\.stage/);
  });

  it('pool: custom:role and custom:organizationId exist as strings', () => {
    const schema = blocks(pool.body, 'schema');
    for (const name of ['role', 'organizationId']) {
      expect(schema.find((s) => s.name === name)).toMatchObject({ attribute_data_type: 'String', developer_only_attribute: false });
    }
  });

  it('app client: password and refresh flows only (no SRP), no secret, user existence errors prevented', () => {
    expect(sorted(client.explicit_auth_flows as string[])).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']);
    expect(client.generate_secret).toBe(false);
    expect(client.prevent_user_existence_errors).toBe('ENABLED');
    expect(expr(client.user_pool_id)).toBe(poolRef('id'));
  });

  it('app client: custom:role and custom:organizationId are readable but never writable (listed explicitly)', () => {
    const write = client.write_attributes as string[];
    expect(Array.isArray(write)).toBe(true);
    expect(write.filter((a) => a.startsWith('custom:'))).toEqual([]);
    // SignUp sends these two; Cognito refuses a sign-up writing an attribute the client may not write.
    expect(write).toEqual(expect.arrayContaining(['email', 'name']));
    expect(client.read_attributes).toEqual(expect.arrayContaining(['custom:role', 'custom:organizationId', 'email', 'email_verified']));
  });

  it('app client: Hosted UI with the code flow only (PKCE, public client), scopes openid email profile, URLs and validities from variables', () => {
    expect(client.allowed_oauth_flows_user_pool_client).toBe(true);
    expect(client.allowed_oauth_flows).toEqual(['code']);
    const scopesRef = /^local\.(\w+)$/.exec(String(expr(client.allowed_oauth_scopes)))?.[1];
    const scopes = (scopesRef ? local(m, scopesRef) : client.allowed_oauth_scopes) as string[];
    // Gatehouse's default COGNITO_SCOPES: the client must allow each scope hosted login asks for.
    const asked = loadConfig({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123', COGNITO_CLIENT_ID: 'c' }).config.auth.cognito!.scopes;
    expect(sorted(scopes)).toEqual(sorted(asked.split(' ')));
    expect(sorted(scopes)).toEqual(['email', 'openid', 'profile']);
    expect(expr(client.callback_urls)).toBe('var.callback_urls');
    expect(expr(client.logout_urls)).toBe('var.logout_urls');
    expect(client.supported_identity_providers).toEqual(['COGNITO']);
    expect(expr(client.access_token_validity)).toBe('var.access_token_validity_minutes');
    expect(expr(client.id_token_validity)).toBe('var.id_token_validity_minutes');
    expect(expr(client.refresh_token_validity)).toBe('var.refresh_token_validity_days');
    expect(blocks(client, 'token_validity_units')).toEqual([{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'days' }]);
    const domain = only(m, 'resource', 'aws_cognito_user_pool_domain').body;
    expect(expr(domain.domain)).toBe('var.domain_prefix');
    expect(expr(domain.user_pool_id)).toBe(poolRef('id'));
  });

  it('groups: one per role of the default ROLE_GROUP_MAP, each mapped to that role', () => {
    const roleOf = loadConfig({}).config.auth.roleGroupMap;
    const groups = Object.values(m.resource.aws_cognito_user_group ?? {}).map((b) => b[0]!);
    for (const g of groups) expect(expr(g.user_pool_id)).toBe(poolRef('id'));
    const names = groups.map((g) => g.name as string);
    expect(names.every((n) => Object.hasOwn(roleOf, n))).toBe(true);
    expect(sorted(new Set(names.map((n) => roleOf[n]!)))).toEqual(sorted(new Set(Object.values(roleOf))));
  });

  describe('IAM', () => {
    let statements: Body[];
    let secretStatements: Body[];
    beforeAll(() => {
      const doc = only(m, 'data', 'aws_iam_policy_document').body;
      statements = blocks(doc, 'statement');
      secretStatements = dynamics(doc, 'statement').map((d) => d.content);
      expect(dynamics(doc, 'statement').every((d) => String(d.forEach).includes('var.secrets_prefix'))).toBe(true);
      expect(expr(only(m, 'resource', 'aws_iam_policy').body.policy)).toMatch(/^data\.aws_iam_policy_document\.\w+\.json$/);
    });

    it('the shared list is exactly the Cognito actions the code needs IAM for (derived from its `new XxxCommand(`)', () => {
      const called = operationsCalled('@aws-sdk/client-cognito-identity-provider');
      expect(called.has('AdminCreateUser') && called.has('InitiateAuth')).toBe(true); // the scan sees both kinds
      const needIam = [...called.keys()].filter((op) => !UNSIGNED.has(op)).map((op) => `cognito-idp:${op}`);
      const listed = sharedActions();
      expect(new Set(listed).size).toBe(listed.length);
      const where = (a: string) => `${a} (${called.get(a.replace('cognito-idp:', ''))?.join(', ')})`;
      expect(needIam.filter((a) => !listed.includes(a)).map(where)).toEqual([]); // called but not allowed: fails in AWS
      expect(listed.filter((a) => !needIam.includes(a))).toEqual([]); // allowed but never called: not least privilege
    });

    it('Terraform reads that file and grants exactly it, on the pool ARN only', () => {
      const file = String(expr(local(m, 'cognito_actions')));
      const path = /^jsondecode\(file\("\$\{path\.module\}\/([^"]+)"\)\)\.actions$/.exec(file)?.[1];
      expect(path && resolve(MODULE, path)).toBe(ACTIONS_FILE);
      const cognito = statements.filter((s) => expr(s.actions) === 'local.cognito_actions');
      expect(cognito).toHaveLength(1);
      expect(cognito[0]!.resources).toEqual([`\${${poolRef('arn')}}`]);
      expect(statements.filter((s) => s !== cognito[0])).toEqual([]);
    });

    it('optional Secrets Manager access: exactly the calls secrets-manager.ts makes; only ListSecrets (unscopable) on *', () => {
      const needed = [...operationsCalled('@aws-sdk/client-secrets-manager').keys()].map((op) => `secretsmanager:${op}`);
      expect(sorted(secretStatements.flatMap((s) => s.actions as string[]))).toEqual(sorted(needed));
      for (const s of secretStatements) {
        const resources = s.resources as string[];
        if ((s.actions as string[]).includes('secretsmanager:ListSecrets')) expect(s).toMatchObject({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] });
        else expect(resources).toEqual([expect.stringMatching(/^arn:\$\{[^}]+\}:secretsmanager:\$\{[^}]+\}:\$\{[^}]+\}:secret:\$\{var\.secrets_prefix\}\*$/)]);
      }
    });

    it('no action or resource wildcard anywhere else', () => {
      const text = [...statements, ...secretStatements].filter((s) => !(s.actions as string[]).includes?.('secretsmanager:ListSecrets'));
      for (const s of text) {
        expect(JSON.stringify(s.actions)).not.toContain('*');
        expect(s.resources).not.toContain('*');
      }
      for (const a of sharedActions()) expect(a).toMatch(/^cognito-idp:[A-Z][A-Za-z]+$/);
    });
  });

  describe('outputs and the .env script', () => {
    const envKeys = (o: unknown) => Object.keys((o as Record<string, unknown>) ?? {});

    it('the module outputs every value the .env script needs, and the example re-exports it', async () => {
      const required = ((await import(ENV_SCRIPT)) as { REQUIRED: string[] }).REQUIRED;
      expect(required).toEqual(expect.arrayContaining(['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_DOMAIN', 'AWS_REGION']));
      expect(envKeys(m.output.env?.[0]?.value)).toEqual(expect.arrayContaining(required));
      expect(m.output.policy_arn?.[0]?.value).toBeDefined();
      const example = await loadModule(EXAMPLE);
      const call = Object.values(example.module)[0]![0]!;
      expect(call.source).toBe('../');
      for (const [name, v] of Object.entries(m.variable)) if (v[0]!.default === undefined) expect(Object.keys(call)).toContain(name);
      expect(String(expr(example.output.gatehouse_env?.[0]?.value))).toMatch(/^module\.\w+\.env$/);
      expect(String(expr(example.output.gatehouse_policy_arn?.[0]?.value))).toMatch(/^module\.\w+\.policy_arn$/);
    });

    const runScript = (input: string) => spawnSync(process.execPath, [ENV_SCRIPT], { input, encoding: 'utf8' });
    const outputs = (env: Record<string, string | null>) => JSON.stringify({ gatehouse_env: { sensitive: false, type: ['object', {}], value: env }, gatehouse_policy_arn: { value: 'arn:aws:iam::1:policy/x' } });
    const sample = {
      AUTH_PROVIDER: 'cognito',
      COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123',
      COGNITO_CLIENT_ID: '1example23456789',
      COGNITO_DOMAIN: 'https://gatehouse-prod.auth.eu-west-1.amazoncognito.com',
      COGNITO_SCOPES: 'openid email profile',
      AWS_REGION: 'eu-west-1',
      CORS_ORIGINS: 'https://app.example.com,https://admin.example.com',
      SECRETS_PREFIX: null,
    };

    it('turns `terraform output -json` into a .env that Gatehouse loads as a Cognito configuration', () => {
      const run = runScript(outputs(sample));
      expect(run.status).toBe(0);
      const env = parseDotenv(run.stdout);
      expect(env).not.toHaveProperty('SECRETS_PREFIX'); // null outputs are left out, not written as "null"
      const { config } = loadConfig({ ...env, JWT_SECRET_KEY: 'k'.repeat(40) });
      expect(config.auth.provider).toBe('cognito');
      expect(config.auth.cognito).toMatchObject({ userPoolId: sample.COGNITO_USER_POOL_ID, clientId: sample.COGNITO_CLIENT_ID, region: 'eu-west-1', domain: sample.COGNITO_DOMAIN, scopes: 'openid email profile' });
      expect(config.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    });

    it('refuses input without the env output or a required value, and a value with a line break, printing no .env', () => {
      for (const bad of ['not json', JSON.stringify({ other: { value: 1 } }), outputs({ ...sample, COGNITO_CLIENT_ID: null }), outputs({ ...sample, COGNITO_DOMAIN: 'x\nAUTH_PROVIDER=local' })]) {
        const run = runScript(bad);
        expect(run.status).not.toBe(0);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/terraform-env:/);
      }
    });
  });

  withTerraform('terraform fmt -check passes on the module and the example', () => {
    const run = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', MODULE], { encoding: 'utf8' });
    // stdout lists the files that need formatting (with -diff, how); stderr may carry CLI-config warnings.
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('the files the README section names exist', () => {
    for (const f of [ACTIONS_FILE, ENV_SCRIPT, join(EXAMPLE, 'main.tf')]) expect(existsSync(f)).toBe(true);
  });
});
