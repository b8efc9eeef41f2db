import request from 'supertest';
import { ERROR_CODES } from '../../src/common/errors/error-codes';
import { startTestApp, TestApp } from '../support/app';

interface Operation {
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, { $ref?: string; allOf?: Array<{ $ref?: string }> }>; enum?: string[] }> };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

describe('OpenAPI error responses come from ERROR_CODES', () => {
  let t: TestApp;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    t = await startTestApp({ API_DOCS: 'true' });
    doc = (await request(t.url).get('/api/docs/openapi.json').expect(200)).body as OpenApiDoc;
  });
  afterAll(() => t.close());

  it("the error schema's code enum is exactly ERROR_CODES", () => {
    const body = doc.components.schemas.ErrorResponse;
    expect(body?.properties?.error?.$ref).toBe('#/components/schemas/ErrorDetail');
    // A named enum (clients generate one type from it), referenced by the code property.
    expect(doc.components.schemas.ErrorDetail?.properties?.code?.allOf).toEqual([{ $ref: '#/components/schemas/ErrorCode' }]);
    expect(doc.components.schemas.ErrorCode?.enum).toEqual([...ERROR_CODES]);
  });

  it('every documented operation declares the error shape as its default response', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.has(method))
        .map(([method, op]) => ({ op: `${method.toUpperCase()} ${path}`, ref: op.responses?.default?.content?.['application/json']?.schema?.$ref })),
    );
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.filter((o) => o.ref !== '#/components/schemas/ErrorResponse').map((o) => o.op)).toEqual([]);
  });
});
