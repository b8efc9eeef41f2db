import { loadConfig } from './load-config';
import { problemsOf } from '../../test/support/config-problems';

const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://h/d', PUBLIC_URL: 'https://gh.example.com', AUTH_PROVIDER: 'oidc', OIDC_ISSUER: 'https://idp.example.com', OIDC_AUDIENCE: 'api' };

describe('PUBLIC_URL follows PORT in development (issue 12)', () => {
  it('is derived from PORT when unset', () => {
    expect(loadConfig({ PORT: '4100' }).config.publicUrl).toBe('http://localhost:4100');
  });

  it('warns when a local PUBLIC_URL names another port than the server listens on', () => {
    const { warnings } = loadConfig({ PORT: '4100', PUBLIC_URL: 'http://localhost:3000' });
    expect(warnings).toContain('PUBLIC_URL http://localhost:3000 points at port 3000 but the server listens on PORT 4100: tokens and mailed links will name the wrong server (unset PUBLIC_URL to derive it from PORT)');
    expect(loadConfig({ PORT: '80', PUBLIC_URL: 'http://127.0.0.1' }).warnings).toEqual([]);
    expect(loadConfig({ PORT: '4100', PUBLIC_URL: 'http://localhost:4100/' }).warnings).toEqual([]);
  });

  it('does not warn for a public name (a proxy or tunnel in front owns the port) nor outside development', () => {
    expect(loadConfig({ PORT: '4100', PUBLIC_URL: 'https://dev.example.com' }).warnings).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'test', PORT: '4100', PUBLIC_URL: 'http://localhost:3000' }).warnings).toEqual([]);
  });
});

describe('HOST (issue 12)', () => {
  it('is all interfaces in production and wherever the dev bypass is off', () => {
    expect(loadConfig(prod).config.host).toBe('0.0.0.0');
    expect(loadConfig({}).config.host).toBe('0.0.0.0');
  });

  it('is loopback in development when the dev bypass is on, so a dev box does not serve an admin to its LAN', () => {
    expect(loadConfig({ NODE_ENV: 'development', ALLOW_DEV_AUTH_BYPASS: 'true' }).config.host).toBe('127.0.0.1');
  });

  it('can be set; with the dev bypass on a non-loopback HOST is a loud warning', () => {
    expect(loadConfig({ HOST: '::' }).config.host).toBe('::');
    const { config, warnings } = loadConfig({ NODE_ENV: 'development', ALLOW_DEV_AUTH_BYPASS: 'true', HOST: '0.0.0.0' });
    expect(config.host).toBe('0.0.0.0');
    expect(warnings).toContain('HOST=0.0.0.0 with ALLOW_DEV_AUTH_BYPASS=true: anyone who can reach this machine is a development ADMIN');
  });

  it('refuses a value that is no address or host name', () => {
    expect(problemsOf({ HOST: 'http://0.0.0.0' })).toEqual(['HOST must be an IP address or a host name like 0.0.0.0, 127.0.0.1 or :: (got "http://0.0.0.0")']);
  });
});
