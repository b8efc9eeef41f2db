/**
 * A subscription as Gatehouse mirrors it, read from a payload of any API version: `current_period_end` sat on the
 * subscription until 2025-03-31.basil and on each item since (the latest of the items' ends is taken).
 */
export interface SubscriptionSnapshot {
  id: string;
  customerId: string | null;
  status: string;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  metadataUserId: string | null;
}

type Loose = Record<string, unknown>;
const isObj = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readSubscription(raw: unknown): SubscriptionSnapshot | null {
  if (!isObj(raw) || typeof raw.id !== 'string' || typeof raw.status !== 'string') return null;
  const customer = typeof raw.customer === 'string' ? raw.customer : isObj(raw.customer) && typeof raw.customer.id === 'string' ? raw.customer.id : null;
  const ends: number[] = [];
  if (typeof raw.current_period_end === 'number') ends.push(raw.current_period_end);
  const items = isObj(raw.items) && Array.isArray(raw.items.data) ? raw.items.data : [];
  for (const item of items) if (isObj(item) && typeof item.current_period_end === 'number') ends.push(item.current_period_end);
  const metadata = isObj(raw.metadata) ? raw.metadata : {};
  return {
    id: raw.id,
    customerId: customer,
    status: raw.status,
    currentPeriodEnd: ends.length ? new Date(Math.max(...ends) * 1000) : null,
    cancelAtPeriodEnd: raw.cancel_at_period_end === true,
    metadataUserId: typeof metadata.userId === 'string' && metadata.userId ? metadata.userId : null,
  };
}
