import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Controller, Get, Module, Req } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import type { AuthenticatedRequest } from '../../../src/auth/guards/auth.guard';
import { AcceptIdToken, AllowStatus } from '../../../src/common/decorators/auth.decorators';
import type { Principal } from '../../../src/common/principal';
import { UsersService } from '../../../src/users/users.service';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import type { CognitoLocal } from '../../support/cognito-local';

const PASSWORD = 'Perm-pass-2';

/** A test-only route that takes ID tokens (no production route does yet), to observe what an ID token may set. */
@Controller('probe')
class IdTokenProbe {
  @Get('id-token')
  @AcceptIdToken()
  @AllowStatus('pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription')
  whoami(@Req() req: AuthenticatedRequest): Principal | undefined {
    return req.principal;
  }
}

@Module({ controllers: [IdTokenProbe] })
class ProbeModule {}

interface Pool extends CognitoApp {
  users: UsersService;
}

/**
 * A user who signs in against the pool's public API directly (the client id is in every hosted-login redirect), with
 * custom:organizationId and custom:role set on their Cognito user: what a user can do themself through any app client
 * whose WriteAttributes include them (set here with the admin call, which cognito-local checks against the schema).
 */
async function signedInUser(p: Pool, email: string, attributes: Record<string, string>): Promise<{ idToken: string; accessToken: string; sub: string }> {
  const { cl } = p;
  await cl.client.send(new AdminCreateUserCommand({ UserPoolId: cl.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
  await cl.client.send(new AdminSetUserPasswordCommand({ UserPoolId: cl.userPoolId, Username: email, Password: PASSWORD, Permanent: true }));
  await cl.client.send(new AdminUpdateUserAttributesCommand({ UserPoolId: cl.userPoolId, Username: email, UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })) }));
  const out = await cl.client.send(new InitiateAuthCommand({ ClientId: cl.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }));
  const idToken = out.AuthenticationResult!.IdToken!;
  return { idToken, accessToken: out.AuthenticationResult!.AccessToken!, sub: (jwt.decode(idToken) as { sub: string }).sub };
}

async function startPool(opts: { gatehouseWrites: string[]; otherClientWrites?: string[] }): Promise<Pool> {
  const fixture = await startCognitoApp({ TRUST_ROLE_CLAIM: 'true' }, { pool: { writeAttributes: opts.gatehouseWrites }, extra: [ProbeModule], beforeStart: (cl) => customClaimsPool(cl, opts.otherClientWrites) });
  return { ...fixture, users: fixture.t.app.get(UsersService) };
}

/** The custom attributes and the other app client, made before the app starts: its role-claim trust check reads them. */
async function customClaimsPool(cl: CognitoLocal, otherClientWrites: string[] | undefined): Promise<void> {
  await cl.client.send(
    new AddCustomAttributesCommand({
      UserPoolId: cl.userPoolId,
      CustomAttributes: [
        { Name: 'organizationId', AttributeDataType: 'String', Mutable: true },
        { Name: 'role', AttributeDataType: 'String', Mutable: true },
      ],
    }),
  );
  if (otherClientWrites) {
    // Another app of the same pool (a mobile app, an old SPA client): its WriteAttributes count as much as Gatehouse's.
    await cl.client.send(new CreateUserPoolClientCommand({ UserPoolId: cl.userPoolId, ClientName: 'mobile', WriteAttributes: otherClientWrites }));
  }
}


describe('user-writable claims (issue 20.8)', () => {
  describe('a pool where another app client can write custom:organizationId', () => {
    let p: Pool;
    beforeAll(async () => {
      p = await startPool({ gatehouseWrites: ['email', 'name'], otherClientWrites: ['email', 'custom:organizationId'] });
    });
    afterAll(() => p?.close());

    it('an ID token on an access-token route is refused before anything is provisioned', async () => {
      const u = await signedInUser(p, 'id-first@example.com', { 'custom:organizationId': 'victim-org', 'custom:role': 'admin' });
      const res = await p.api.get('/api/v1/users/me', u.idToken);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'AUTH_TOKEN_INVALID' } });
      expect(await p.users.findByIssuerSubject(p.t.config.auth.cognito!.issuer, u.sub)).toBeNull();
    });

    it('a later access token does not inherit a tenant from the ID token, and no tenant comes from a writable attribute', async () => {
      const u = await signedInUser(p, 'id-then-access@example.com', { 'custom:organizationId': 'victim-org' });
      expect((await p.api.get('/api/v1/users/me', u.idToken)).status).toBe(401);
      const me = await p.api.get('/api/v1/users/me', u.accessToken);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ organizationId: null });
      // Even on a route that takes ID tokens: Gatehouse's own client cannot write it, but the other client can.
      const probe = await p.api.get<Principal>('/api/v1/probe/id-token', u.idToken);
      expect(probe.status).toBe(200);
      expect(probe.body.organizationId).toBeNull();
      const row = await p.users.findByIssuerSubject(p.t.config.auth.cognito!.issuer, u.sub);
      expect(row?.organizationId).toBeNull();
    });
  });

  describe('a pool where no app client can write custom:organizationId or custom:role', () => {
    let p: Pool;
    beforeAll(async () => {
      p = await startPool({ gatehouseWrites: ['email', 'name'], otherClientWrites: ['email'] });
    });
    afterAll(() => p?.close());

    it('takes the tenant (proved read-only) and honours custom:role at request time without persisting it', async () => {
      const u = await signedInUser(p, 'tenant@example.com', { 'custom:organizationId': 'acme', 'custom:role': 'admin' });
      const probe = await p.api.get<Principal>('/api/v1/probe/id-token', u.idToken);
      expect(probe.status).toBe(200);
      expect(probe.body).toMatchObject({ organizationId: 'acme', role: 'admin' });
      const row = await p.users.findByIssuerSubject(p.t.config.auth.cognito!.issuer, u.sub);
      expect(row).toMatchObject({ organizationId: 'acme', role: 'user' });
      // The access token carries no custom:role: the role comes from groups (none here).
      const me = await p.api.get('/api/v1/users/me', u.accessToken);
      expect(me.body).toMatchObject({ organizationId: 'acme', role: 'user' });
    });
  });
});
