import { isIP } from 'node:net';

/** false: the socket's address is the client. A number: that many proxies in front. A list: proxies by address/CIDR. */
export type TrustProxy = false | number | string[];

const MAX_HOPS = 10;

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY decides which address is the client's (for per-IP limits, logs and audit rows). Off by default: then
 * X-Forwarded-For is ignored, so a client cannot pick its own budget by faking the header. `true` (trust every hop)
 * is refused for the same reason: the left-most X-Forwarded-For entry is whatever the client wrote.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy | { problem: string } {
  if (raw === undefined || ['false', 'off', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    return hops >= 1 && hops <= MAX_HOPS ? hops : { problem: `must be a hop count from 1 to ${MAX_HOPS} (got "${raw}")` };
  }
  const entries = raw.split(',').map((e) => e.trim());
  const bad = entries.find((e) => !isAddressOrCidr(e));
  if (bad !== undefined) {
    return { problem: `must be false, a hop count (e.g. 1) or a comma-separated list of proxy addresses or CIDRs like 10.0.0.0/8,127.0.0.1 (bad entry "${bad.slice(0, 40)}")` };
  }
  return entries;
}
