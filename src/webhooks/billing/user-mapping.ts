/**
 * Which user a Stripe object belongs to. Sources, all of which must agree: `metadata.userId` (set by our Checkout),
 * the stored customer link, and a completed Checkout Session's `client_reference_id`. Never the payload's email alone
 * (anyone can type any address at Stripe); a null customer matches nobody; a disagreement activates nobody.
 */
export type Mapping = { userId: string; link: boolean } | { unmapped: 'no_user' | 'conflict'; candidates: string[] };

export interface MappingInput {
  /** metadata.userId or client_reference_id: what our own Checkout wrote (null when absent). */
  claimedUserId: string | null;
  /** Whether the claimed user exists. */
  claimedExists: boolean;
  /** The user the customer is linked to, when the customer is non-null and linked. */
  linkedUserId: string | null;
  /** The customer the claimed user is already linked to, if any. */
  claimedUsersCustomer: string | null;
  customerId: string | null;
}

export function mapToUser(m: MappingInput): Mapping {
  const claimed = m.claimedUserId && m.claimedExists ? m.claimedUserId : null;
  const linked = m.customerId ? m.linkedUserId : null;
  if (claimed && linked && claimed !== linked) return { unmapped: 'conflict', candidates: [claimed, linked] };
  if (linked) return { userId: linked, link: false };
  if (!claimed) return { unmapped: 'no_user', candidates: [] };
  // The claimed user is already linked to ANOTHER customer: two customers for one user is a conflict, not a re-link.
  if (m.claimedUsersCustomer && m.customerId && m.claimedUsersCustomer !== m.customerId) return { unmapped: 'conflict', candidates: [claimed] };
  return { userId: claimed, link: m.customerId !== null && m.claimedUsersCustomer === null };
}
