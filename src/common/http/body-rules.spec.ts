import { BODY_SHAPE_LIMITS, byteSize, contentEncodingProblem, isJsonMediaType, jsonShapeProblem, mediaTypeProblem } from './body-rules';

describe('request body rules', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/merge-patch+json', true],
    ['application/x-www-form-urlencoded', false],
    ['text/plain', false],
    ['multipart/form-data; boundary=x', false],
    ['application/jsonp', false],
    ['text/json', false],
    [undefined, false],
  ])('%s is JSON: %s', (type, json) => {
    expect(isJsonMediaType(type)).toBe(json);
  });

  it('a body that is not JSON is refused; a request without a body is not judged by its type', () => {
    expect(mediaTypeProblem({ 'content-type': 'text/plain', 'content-length': '12' })).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(mediaTypeProblem({ 'content-length': '12' })).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(mediaTypeProblem({ 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' })).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(mediaTypeProblem({ 'content-type': 'application/json', 'content-length': '12' })).toBeUndefined();
    expect(mediaTypeProblem({ 'content-type': 'text/plain', 'content-length': '0' })).toBeUndefined();
    expect(mediaTypeProblem({})).toBeUndefined();
  });

  it('a form is taken on the mailed link route alone, and nothing but a form or JSON there', () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '12' };
    expect(mediaTypeProblem(form, '/api/v1/auth/confirm-email-link')).toBeUndefined();
    expect(mediaTypeProblem(form, '/api/v1/auth/confirm-email-link?x=1')).toBeUndefined();
    expect(mediaTypeProblem(form, '/api/v1/auth/confirm-email')).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(mediaTypeProblem(form, '/api/v1/auth/login')).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(mediaTypeProblem({ 'content-type': 'text/plain', 'content-length': '12' }, '/api/v1/auth/confirm-email-link')).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('only identity bodies are taken', () => {
    expect(contentEncodingProblem({})).toBeUndefined();
    expect(contentEncodingProblem({ 'content-encoding': 'identity' })).toBeUndefined();
    for (const e of ['deflate', 'gzip', 'br', 'x-whatever']) expect(contentEncodingProblem({ 'content-encoding': e })).toBe('UNSUPPORTED_CONTENT_ENCODING');
  });

  it('limits depth and width, counting every member and element of the whole body', () => {
    const limits = { maxDepth: 3, maxNodes: 5 };
    expect(jsonShapeProblem({ a: { b: [1] } }, limits)).toBeUndefined();
    expect(jsonShapeProblem({ a: { b: [[1]] } }, limits)).toBe('depth');
    expect(jsonShapeProblem({ a: 1, b: 2, c: 3, d: 4, e: 5 }, limits)).toBeUndefined();
    expect(jsonShapeProblem({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, limits)).toBe('width');
    expect(jsonShapeProblem({ a: [1, 2], b: { c: 1, d: 2 } }, limits)).toBe('width');
    expect(jsonShapeProblem('text', limits)).toBeUndefined();
    expect(jsonShapeProblem(undefined, limits)).toBeUndefined();
  });

  it('a 3,000-deep value is refused without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 3000; i++) deep = [deep];
    expect(jsonShapeProblem(deep)).toBe('depth');
    expect(jsonShapeProblem(Array.from({ length: 50_000 }, () => 1))).toBe('width');
    expect(BODY_SHAPE_LIMITS.maxDepth).toBeGreaterThanOrEqual(8);
  });

  it('BODY_LIMIT sizes are counted in bytes, in units of 1024', () => {
    expect(byteSize('100kb')).toBe(102_400);
    expect(byteSize('1MB')).toBe(1_048_576);
    expect(byteSize('512b')).toBe(512);
    expect(() => byteSize('lots')).toThrow();
  });
});
