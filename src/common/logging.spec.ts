import type { LoggerService } from '@nestjs/common';
import { prettyStream, QuietFrameworkLogger } from './logging';

describe('log output', () => {
  it('is pretty only for a developer at a terminal; JSON in pipes, containers, tests and production', () => {
    expect(prettyStream({ nodeEnv: 'development' }, true)).toBeDefined();
    expect(prettyStream({ nodeEnv: 'development' }, false)).toBeUndefined();
    expect(prettyStream({ nodeEnv: 'production' }, true)).toBeUndefined();
    expect(prettyStream({ nodeEnv: 'test' }, true)).toBeUndefined();
  });
});

describe("Nest's start-up chatter", () => {
  const calls: Array<[string, unknown[]]> = [];
  const inner: LoggerService = {
    log: (...a: unknown[]) => calls.push(['log', a]),
    debug: (...a: unknown[]) => calls.push(['debug', a]),
    error: (...a: unknown[]) => calls.push(['error', a]),
    warn: (...a: unknown[]) => calls.push(['warn', a]),
  };
  const logger = new QuietFrameworkLogger(inner);
  beforeEach(() => (calls.length = 0));

  it('module and route mapping lines go to debug', () => {
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/api/v1/auth/login, POST} route', 'RouterExplorer');
    logger.log('AuthController {/api/v1/auth}:', 'RoutesResolver');
    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug', 'debug']);
  });

  it("the app's own lines, and every warning and error, pass through as they are", () => {
    logger.log('Gatehouse listening on port 3000', 'Main');
    logger.warn('user change feed down', 'UserChangeListener');
    logger.error('boom', 'RouterExplorer');
    expect(calls).toEqual([
      ['log', ['Gatehouse listening on port 3000', 'Main']],
      ['warn', ['user change feed down', 'UserChangeListener']],
      ['error', ['boom', 'RouterExplorer']],
    ]);
  });
});
