import request from 'supertest';
import { ERROR_STATUS, type ErrorCode } from '../../src/common/errors/error-codes';
import { startTestApp, TestApp } from '../support/app';
import { registeredRoutes, RegisteredRoute } from '../support/routes';

interface Response {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: { $ref?: string; allOf?: Array<{ $ref?: string; properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }> } }>;
}
interface Operation {
  responses?: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
  'x-error-codes'?: ErrorCode[];
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

// @nestjs/swagger's own metadata keys (its package exports do not expose the constants file).
const EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';
const EXCLUDE_ENDPOINT = 'swagger/apiExcludeEndpoint';
const IMPORT_HINT = 'ApiErrors is in src/common/openapi/api-contract.decorators.ts';

/** Where a route is declared, so a failure says which method to decorate. */
const where = (r: RegisteredRoute): string => `${r.controller.name}.${r.handler.name} (${r.method} ${r.path})`;
const excluded = (r: RegisteredRoute): boolean =>
  Boolean(Reflect.getMetadata(EXCLUDE_CONTROLLER, r.controller)?.[0] || Reflect.getMetadata(EXCLUDE_ENDPOINT, r.handler)?.disable);

describe('the OpenAPI document is the contract of every route (issue #12, "An honest API contract")', () => {
  let t: TestApp;
  let doc: OpenApiDoc;
  let routes: Array<RegisteredRoute & { op?: Operation }>;
  beforeAll(async () => {
    t = await startTestApp({ API_DOCS: 'true' });
    doc = (await request(t.url).get('/api/docs/openapi.json').expect(200)).body as OpenApiDoc;
    routes = registeredRoutes(t.app)
      .filter((r) => !excluded(r))
      // @nestjs/swagger writes a trailing wildcard (the gateway's `gw/:name/*`) as `{path}`.
      .map((r) => ({ ...r, op: doc.paths[r.path.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/\/\*$/, '/{path}')]?.[r.method.toLowerCase()] }));
  });
  afterAll(() => t.close());

  it('every documented route is an operation of the document (machine-only routes are excluded on purpose with @ApiExcludeController)', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => !r.op).map((r) => `${where(r)}: not in the document`)).toEqual([]);
  });

  it('every operation lists the codes it can answer: @ApiErrors(...) next to each route', () => {
    const missing = routes
      .filter((r) => r.op && !r.op['x-error-codes'])
      .map((r) => `${where(r)}: add @ApiErrors(...codes it can answer beyond the implied ones; none: @ApiErrors()) — ${IMPORT_HINT}`);
    expect(missing).toEqual([]);
  });

  it('each error response is the shared error schema narrowed to exactly the codes of its status', () => {
    const problems: string[] = [];
    for (const r of routes.filter((x) => x.op?.['x-error-codes'])) {
      const codes = r.op!['x-error-codes']!;
      const statuses: number[] = [...new Set(codes.map((c) => ERROR_STATUS[c]))];
      for (const status of statuses) {
        const schema = r.op!.responses?.[String(status)]?.content?.['application/json']?.schema;
        const listed = schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum ?? [];
        if (schema?.allOf?.[0]?.$ref !== '#/components/schemas/ErrorResponse') problems.push(`${where(r)}: ${status} without the error schema`);
        const expected = codes.filter((c) => ERROR_STATUS[c] === status);
        if (JSON.stringify(listed) !== JSON.stringify(expected)) problems.push(`${where(r)}: ${status} lists ${listed.join(',')}, not ${expected.join(',')}`);
      }
      for (const status of Object.keys(r.op!.responses ?? {}).filter((s) => /^[45]\d\d$/.test(s))) {
        if (!statuses.includes(Number(status))) problems.push(`${where(r)}: a ${status} response with no code of that status in @ApiErrors`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('protected routes list the guard refusals; public routes carry no bearer requirement', () => {
    const problems: string[] = [];
    for (const r of routes.filter((x) => x.op?.['x-error-codes'])) {
      const security = JSON.stringify(r.op!.security);
      const codes = r.op!['x-error-codes'] ?? [];
      if (r.open && !['[]', '[{},{"bearer":[]}]'].includes(security)) problems.push(`${where(r)}: open route with security ${security}`);
      if (!r.open && security !== '[{"bearer":[]}]') problems.push(`${where(r)}: protected route with security ${security}`);
      if (!r.open && !codes.includes('AUTH_TOKEN_MISSING')) problems.push(`${where(r)}: protected route without AUTH_TOKEN_MISSING`);
      if (r.open && codes.includes('AUTH_TOKEN_MISSING')) problems.push(`${where(r)}: open route listing AUTH_TOKEN_MISSING`);
    }
    expect(problems).toEqual([]);
  });

  it('every answer has a schema: bodies a schema, redirects a Location header, 204 nothing', () => {
    const problems: string[] = [];
    for (const r of routes.filter((x) => x.op)) {
      const responses = r.op!.responses ?? {};
      const success = Object.keys(responses).filter((s) => /^[23]\d\d$/.test(s));
      if (success.length === 0) problems.push(`${where(r)}: no success or redirect response`);
      for (const status of success) {
        const res = responses[status]!;
        if (/^3/.test(status)) {
          if (!res.headers?.Location) problems.push(`${where(r)}: ${status} without a Location header (use @ApiRedirect)`);
        } else if (status !== '204' && !Object.values(res.content ?? {}).some((c) => c.schema)) {
          problems.push(`${where(r)}: ${status} has no schema (add @ApiOkResponse({ type }) or the like)`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the shared error schema carries code, message, requestId and the extras some codes add', () => {
    const props = Object.keys(doc.components.schemas.ErrorDetail?.properties ?? {});
    expect(props).toEqual(expect.arrayContaining(['code', 'message', 'requestId', 'fields', 'retryAfterS', 'minLength']));
  });

  it('the documented hosted-login entry points are redirects', () => {
    for (const path of ['/api/v1/auth/hosted/login', '/api/v1/auth/hosted/callback']) {
      const op = doc.paths[path]?.get;
      expect([path, Object.keys(op?.responses ?? {}).filter((s) => /^[23]/.test(s))]).toEqual([path, ['302']]);
    }
  });
});
