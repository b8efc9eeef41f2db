import { Writable } from 'node:stream';
import { loadConfig } from '../../config/load-config';
import { createRootLogger } from '../logging';

/** What the one root logger writes for an error, through its real pino configuration. */
function logged(err: unknown): Record<string, unknown> {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  createRootLogger(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' }).config, stream).error({ err, requestId: 'r1' }, 'request failed');
  return (JSON.parse(out.join('')) as { err: Record<string, unknown> }).err;
}

describe('errors in the log (issue 12: "errors without the full header set")', () => {
  it('keep their type, message and stack (an error that is no database error too)', () => {
    const err = logged(Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:443'), { code: 'ECONNREFUSED' }));
    expect(err).toMatchObject({ type: 'Error', message: 'connect ECONNREFUSED 10.0.0.9:443', code: 'ECONNREFUSED' });
    expect(err.stack).toEqual(expect.stringContaining('error-log.spec'));
  });

  it("leave out the HTTP exchange an SDK error carries (headers, the request and response objects), also in a cause", () => {
    const sdkError = Object.assign(new Error('Rate limit'), {
      statusCode: 429,
      headers: { authorization: 'Bearer sk_live_SECRET', 'set-cookie': 'sid=SECRET', 'request-id': 'req_1' },
      $response: { headers: { 'x-amzn-requestid': 'abc' }, body: 'SECRET body' },
      response: { headers: { cookie: 'SECRET' } },
      request: { headers: { authorization: 'SECRET' } },
      rawHeaders: ['Authorization', 'SECRET'],
    });
    const err = logged(new Error('provider call failed', { cause: sdkError }));
    expect(JSON.stringify(err)).not.toContain('SECRET');
    expect(err).toMatchObject({ message: 'provider call failed', cause: { message: 'Rate limit', statusCode: 429 } });
  });
});
