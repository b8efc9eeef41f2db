/**
 * Entitlement as a pure rule over mirrored subscriptions. A user is entitled while ANY subscription is active or
 * trialing, or past_due for less than the grace (Stripe retries the payment meanwhile: locking users out at the
 * first failed charge is the mistake to avoid). Everything else (incomplete, incomplete_expired, unpaid, paused,
 * canceled, or a status Stripe adds later) is not: fail closed.
 */
export interface SubscriptionFacts {
  status: string;
  /** When the subscription was first seen past_due (the grace clock), or null. */
  pastDueSince: Date | null;
}

const ENTITLING = new Set(['active', 'trialing']);
const DAY_MS = 86_400_000;

export function subscriptionEntitles(sub: SubscriptionFacts, now: Date, graceDays: number): boolean {
  if (ENTITLING.has(sub.status)) return true;
  if (sub.status !== 'past_due') return false;
  const since = sub.pastDueSince ?? now;
  return now.getTime() - since.getTime() < graceDays * DAY_MS;
}

export function userEntitled(subs: readonly SubscriptionFacts[], now: Date, graceDays: number): boolean {
  return subs.some((s) => subscriptionEntitles(s, now, graceDays));
}

/** The grace clock after a write: started when a subscription becomes past_due, kept while it stays, cleared after. */
export function nextPastDueSince(previous: SubscriptionFacts | null, nextStatus: string, at: Date): Date | null {
  if (nextStatus !== 'past_due') return null;
  return previous?.status === 'past_due' && previous.pastDueSince ? previous.pastDueSince : at;
}

/**
 * Whether a user may reach their own billing (checkout, portal, status). A billing suspension must not lock the user
 * out of the one place that lifts it; any other block (an administrator's suspension, disabled, rejected) does.
 */
export function billingReachable(status: string, blocks: Readonly<Partial<Record<string, { by: string }>>>): boolean {
  if (status !== 'suspended') return true;
  return blocks.suspended?.by === 'billing' && !blocks.disabled && !blocks.rejected;
}
