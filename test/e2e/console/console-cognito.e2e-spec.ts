import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { mockClient } from 'aws-sdk-client-mock';
import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AWS_CREDENTIALS_ENV, COGNITO_CLIENT, resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import type { TestApp } from '../../support/app';
import { type CognitoLocal, startCognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { announced, setStatus } from '../../support/user-factory';
import { axeViolations, describeInBrowser, launch, openConsole, screenshot, signIn } from './console-browser';
import { startConsoleApp } from './console-fixtures';

const PASSWORD = 'Correct-horse-1';
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIACONSOLETESTKEY1', AWS_SECRET_ACCESS_KEY: 'console-secret-never-shown-0123456789' };

jest.setTimeout(120_000);

/** Issue #16: the provider page and Test connection, driven from the console against cognito-local. */
describeInBrowser('admin console in a browser (Cognito provider)', () => {
  let cl: CognitoLocal;
  let t: TestApp;
  let browser: Browser;
  let email: string;

  beforeAll(async () => {
    cl = await startCognitoLocal();
    t = await startConsoleApp(cl.env, { override: [{ token: AWS_CREDENTIALS_ENV, value: KEYS }] });
    browser = await launch();
    // An administrator in the pool's Admins group, known to Gatehouse (a first sign-in provisions), made active.
    email = `console.cognito.${Date.now()}@example.com`;
    await cl.client.send(new AdminCreateUserCommand({ UserPoolId: cl.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
    await cl.client.send(new AdminSetUserPasswordCommand({ UserPoolId: cl.userPoolId, Username: email, Password: PASSWORD, Permanent: true }));
    await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: email, GroupName: 'Admins' }));
    expect((await new JsonClient(t.url).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    const db = t.app.get(DataSource);
    const [row] = (await db.query('SELECT id FROM auth.users WHERE email = $1', [email])) as Array<{ id: string }>;
    await announced(t.app.get(EventEmitter2), async () => {
      await setStatus(db, row!.id, 'active');
      return row!.id;
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    resetCognitoClients();
    await cl?.stop();
  });

  it('signs in with the Cognito password, shows the provider page, and Test connection names the denied IAM action', async () => {
    const cp = await openConsole(browser, t.url);
    let mock: ReturnType<typeof mockClient> | undefined;
    try {
      const { page } = cp;
      await signIn(page, email, PASSWORD);
      await page.getByRole('link', { name: 'Provider' }).click();
      await page.getByRole('heading', { level: 1, name: 'Provider: cognito' }).waitFor();
      await page.getByRole('cell', { name: email }).first().waitFor();
      // aws-sdk-client-mock ONLY for the denial: cognito-local has no IAM, so it can never answer AccessDeniedException.
      // Every other command passes through to cognito-local (callThrough).
      mock = mockClient(t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT));
      mock.send.callThrough();
      mock.on(AdminDisableUserCommand).rejects(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/gatehouse is not authorized'), { name: 'AccessDeniedException' }));
      await page.getByRole('button', { name: 'Test connection' }).click();
      const row = page.locator('tr[data-check="AdminDisableUser"]');
      await row.waitFor();
      expect(await row.locator('td').allTextContents()).toEqual(['AdminDisableUser', 'fail', 'cognito-idp:AdminDisableUser', expect.stringContaining('grant cognito-idp:AdminDisableUser')]);
      await page.locator('#announcer').filter({ hasText: 'cognito-idp:AdminDisableUser' }).waitFor();
      const text = (await page.locator('main').textContent()) ?? '';
      for (const secret of [KEYS.AWS_SECRET_ACCESS_KEY, 'arn:aws']) expect(text).not.toContain(secret);
      await screenshot(page, 'provider-cognito-test');
      expect(await axeViolations(page)).toEqual([]);
      expect(await cp.problems()).toEqual([]);
    } finally {
      mock?.restore();
      await cp.close();
    }
  });
});
