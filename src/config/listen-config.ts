import { isIP } from 'node:net';
import type { EnvReader } from './env-reader';
import type { NodeEnv } from './config.types';

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * The address the server listens on. All interfaces by default (a container's port mapping needs it), but loopback in
 * development when the dev bypass is on: that bypass makes every caller an admin, and a dev box should not offer that
 * to its LAN. An explicit HOST wins, loudly when it undoes that protection.
 */
export function readHost(r: EnvReader, nodeEnv: NodeEnv, devBypass: boolean, warnings: string[]): string {
  const bypassOn = devBypass && nodeEnv === 'development';
  const raw = r.raw('HOST');
  if (raw === undefined) return bypassOn ? '127.0.0.1' : '0.0.0.0';
  if (isIP(raw) === 0 && !HOST_NAME.test(raw)) {
    r.fail('HOST', `must be an IP address or a host name like 0.0.0.0, 127.0.0.1 or :: (got "${raw.slice(0, 40)}")`);
    return '0.0.0.0';
  }
  if (bypassOn && !LOOPBACK.has(raw)) warnings.push(`HOST=${raw} with ALLOW_DEV_AUTH_BYPASS=true: anyone who can reach this machine is a development ADMIN`);
  return raw;
}

/**
 * In development PUBLIC_URL is usually this machine: when it names localhost on another port than PORT (a .env copied
 * before PORT changed), tokens' issuer and mailed links point at the wrong server. A public name is left alone: a proxy
 * or tunnel in front owns its port.
 */
export function publicUrlPortWarning(publicUrl: string, port: number, nodeEnv: NodeEnv): string | undefined {
  if (nodeEnv !== 'development') return undefined;
  const u = new URL(publicUrl);
  if (!LOOPBACK.has(u.hostname)) return undefined;
  const named = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (named === port) return undefined;
  return `PUBLIC_URL ${publicUrl} points at port ${named} but the server listens on PORT ${port}: tokens and mailed links will name the wrong server (unset PUBLIC_URL to derive it from PORT)`;
}
