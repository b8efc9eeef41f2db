import { nextPastDueSince, subscriptionEntitles, userEntitled } from './entitlement';
import { readSubscription } from './subscription-snapshot';
import { mapToUser } from './user-mapping';

const now = new Date('2030-01-10T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe('entitlement', () => {
  it.each([
    ['active', true],
    ['trialing', true],
    ['incomplete', false],
    ['incomplete_expired', false],
    ['unpaid', false],
    ['paused', false],
    ['canceled', false],
    ['some_future_status', false],
  ])('%s entitles: %s', (status, expected) => {
    expect(subscriptionEntitles({ status, pastDueSince: null }, now, 7)).toBe(expected);
  });

  it('past_due entitles inside the grace, not after it', () => {
    expect(subscriptionEntitles({ status: 'past_due', pastDueSince: daysAgo(6.9) }, now, 7)).toBe(true);
    expect(subscriptionEntitles({ status: 'past_due', pastDueSince: daysAgo(7) }, now, 7)).toBe(false);
    expect(subscriptionEntitles({ status: 'past_due', pastDueSince: daysAgo(0) }, now, 0)).toBe(false);
  });

  it('any entitling subscription is enough', () => {
    expect(userEntitled([{ status: 'canceled', pastDueSince: null }, { status: 'trialing', pastDueSince: null }], now, 7)).toBe(true);
    expect(userEntitled([], now, 7)).toBe(false);
  });

  it('the grace clock starts on entering past_due, is kept while it stays, and clears after', () => {
    const earlier = daysAgo(3);
    expect(nextPastDueSince(null, 'past_due', now)).toEqual(now);
    expect(nextPastDueSince({ status: 'active', pastDueSince: null }, 'past_due', now)).toEqual(now);
    expect(nextPastDueSince({ status: 'past_due', pastDueSince: earlier }, 'past_due', now)).toEqual(earlier);
    expect(nextPastDueSince({ status: 'past_due', pastDueSince: earlier }, 'active', now)).toBeNull();
  });
});

describe('reading a subscription payload', () => {
  it('takes current_period_end from the subscription (older API versions) or its items (newer ones)', () => {
    expect(readSubscription({ id: 'sub_1', status: 'active', customer: 'cus_1', current_period_end: 1_900_000_000 })?.currentPeriodEnd).toEqual(new Date(1_900_000_000_000));
    const newer = readSubscription({ id: 'sub_1', status: 'active', customer: { id: 'cus_1' }, items: { data: [{ current_period_end: 1_900_000_000 }, { current_period_end: 1_900_000_500 }] } });
    expect(newer).toMatchObject({ customerId: 'cus_1', currentPeriodEnd: new Date(1_900_000_500_000) });
    expect(readSubscription({ id: 'sub_1' })).toBeNull();
  });

  it('reads metadata.userId, cancel_at_period_end and a null customer', () => {
    expect(readSubscription({ id: 's', status: 'active', customer: null, cancel_at_period_end: true, metadata: { userId: 'u1' } })).toMatchObject({ customerId: null, cancelAtPeriodEnd: true, metadataUserId: 'u1' });
  });
});

describe('mapping an object to a user', () => {
  const base = { claimedUserId: null, claimedExists: false, linkedUserId: null, claimedUsersCustomer: null, customerId: 'cus_1' };
  it('the stored link maps; metadata alone maps and links the customer', () => {
    expect(mapToUser({ ...base, linkedUserId: 'u1' })).toEqual({ userId: 'u1', link: false });
    expect(mapToUser({ ...base, claimedUserId: 'u1', claimedExists: true })).toEqual({ userId: 'u1', link: true });
  });
  it('metadata and the stored link disagreeing maps nobody', () => {
    expect(mapToUser({ ...base, claimedUserId: 'u1', claimedExists: true, linkedUserId: 'u2' })).toMatchObject({ unmapped: 'conflict' });
    expect(mapToUser({ ...base, claimedUserId: 'u1', claimedExists: true, claimedUsersCustomer: 'cus_other' })).toMatchObject({ unmapped: 'conflict' });
  });
  it('a null customer never matches a link; an unknown claimed user maps nobody', () => {
    expect(mapToUser({ ...base, customerId: null, linkedUserId: 'u1' })).toMatchObject({ unmapped: 'no_user' });
    expect(mapToUser({ ...base, claimedUserId: 'ghost', claimedExists: false })).toMatchObject({ unmapped: 'no_user' });
    expect(mapToUser({ ...base, customerId: null, claimedUserId: 'u1', claimedExists: true })).toEqual({ userId: 'u1', link: false });
  });
});
