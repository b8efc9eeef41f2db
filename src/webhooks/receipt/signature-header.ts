/**
 * The `Stripe-Signature` header, read strictly before any HMAC work: `t=<unix seconds>` exactly once and at least one
 * `v1=<hex>`. Other schemes (`v0`, a downgrade) count for nothing. stripe-node reads `t=abc` as NaN and then skips its
 * age check; here it is malformed.
 */
export type HeaderProblem = 'missing' | 'malformed' | 'no_v1' | 'stale' | 'future';

/** Stripe's own tolerance, applied on BOTH sides of now (stripe-node checks only the past). */
export const TOLERANCE_S = 300;

export interface SignatureHeader {
  timestamp: number;
  v1: string[];
}

export function parseSignatureHeader(header: string | string[] | undefined): SignatureHeader | { problem: HeaderProblem } {
  if (header === undefined || header === '') return { problem: 'missing' };
  if (Array.isArray(header)) return { problem: 'malformed' };
  let timestamp: number | undefined;
  const v1: string[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return { problem: 'malformed' };
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return { problem: 'malformed' };
      timestamp = Number(value);
    } else if (key === 'v1') {
      v1.push(value);
    }
  }
  if (timestamp === undefined) return { problem: 'malformed' };
  if (v1.length === 0) return { problem: 'no_v1' };
  return { timestamp, v1 };
}

/** Whether the signed time is within TOLERANCE_S of `nowS`, on either side. */
export function timestampProblem(timestamp: number, nowS: number): HeaderProblem | null {
  if (nowS - timestamp > TOLERANCE_S) return 'stale';
  if (timestamp - nowS > TOLERANCE_S) return 'future';
  return null;
}
