import { AppError } from './app-error';
import { isDatabaseUnavailable } from './database-unavailable';
import { errorBody, mapError } from './error-response';

/** What pg and TypeORM throw when the server is gone, as they build them (no live database needed). */
const sock = (code: string): Error => Object.assign(new Error(`connect ${code} 10.0.0.5:5432`), { code, errno: -111, syscall: 'connect', address: '10.0.0.5', port: 5432 });
const pgServer = (code: string): Error => Object.assign(new Error('terminating connection due to administrator command'), { code, severity: 'FATAL' });
const queryFailed = (driverError: Error): Error => {
  class QueryFailedError extends Error {
    constructor(readonly query: string, readonly driverError: Error) {
      super(driverError.message);
    }
  }
  return new QueryFailedError('SELECT "u"."password_hash" FROM auth.users u', driverError);
};

describe('database unavailable (503 DATABASE_UNAVAILABLE)', () => {
  it.each([
    ['refused', sock('ECONNREFUSED')],
    ['reset', sock('ECONNRESET')],
    ['timed out', sock('ETIMEDOUT')],
    ['unknown host', sock('ENOTFOUND')],
    ['postgres shutting down (57P01)', pgServer('57P01')],
    ['postgres starting (57P03)', pgServer('57P03')],
    ['connection exception class 08', pgServer('08006')],
    ['too many connections (53300)', pgServer('53300')],
    ["pg's dropped connection", new Error('Connection terminated unexpectedly')],
    ["pg-pool's connect timeout", new Error('timeout exceeded when trying to connect')],
    ['a dropped connection inside TypeORM', queryFailed(new Error('Connection terminated unexpectedly'))],
    ['as the cause of another error', new Error('lookup failed', { cause: pgServer('57P01') })],
  ])('%s', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const mapped = mapError(err);
    expect(mapped).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE', fault: true });
    // Nothing of the driver reaches the client: no address, no SQL, no Postgres text.
    expect(JSON.stringify(errorBody(mapped, 'r1'))).not.toMatch(/10\.0\.0\.5|SELECT|terminat|ECONN|timeout exceeded/);
  });

  it.each([
    ['a unique violation', queryFailed(pgServer('23505'))],
    ['a syntax error', pgServer('42601')],
    ['a plain error whose text merely mentions a connection', new Error('Connection refused by the upstream mailer')],
    ["an HTTP client's refused connection is not the database's", Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }) })],
    ['an AppError', new AppError('PROVIDER_UNAVAILABLE', 503, 'Provider unavailable', undefined, undefined)],
  ])('not for %s', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
    expect(mapError(err).code).not.toBe('DATABASE_UNAVAILABLE');
  });
});
