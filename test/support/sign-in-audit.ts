import { DataSource } from 'typeorm';
import { DeferredWork } from '../../src/common/deferred/deferred-work';
import type { OnboardingEvent } from '../../src/users/onboarding/transitions';
import { OnboardingService } from '../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../src/users/users.service';
import type { TestApp } from './app';

/** The ladder events that block a user: the event, the status it leaves, the code a refused sign-in answers. */
export const BLOCKS = [
  ['DISABLED', 'disabled', 'USER_DISABLED'],
  ['SUSPENDED', 'suspended', 'USER_SUSPENDED'],
  ['REJECTED', 'rejected', 'USER_REJECTED'],
] as const;

/** The request id an error answer carries (every refusal has one). */
export const requestIdOf = (body: unknown): string => (body as { error: { requestId: string } }).error.requestId;

/**
 * What the sign-in audit suites read and do, for one provider's users found by address. `app` is a getter: suites
 * start their app in beforeAll, after these are made.
 */
export function signInAudit(app: () => TestApp, provider: 'local' | 'cognito') {
  const users = () => app().app.get(UsersService);
  const userOf = async (address: string) => (await users().findByEmail(address, provider))!;
  const eventsOf = async (address: string, type: string) => (await users().eventsFor((await userOf(address)).id)).filter((e) => e.type === type);
  return {
    userOf,
    eventsOf,
    /** `login.failed` rows of the user with that address. */
    failures: (address: string) => eventsOf(address, 'login.failed'),
    /** Resolves once the work after the answer (where audit rows are written) has finished. */
    afterAnswer: () => app().app.get(DeferredWork).settled(),
    /** Moves the user on the ladder as an administrator would (a block: DISABLED, SUSPENDED, REJECTED). */
    ladder: async (address: string, event: OnboardingEvent) => app().app.get(OnboardingService).apply((await userOf(address)).id, event, 'admin:test'),
    /** `login.failed` rows written for one request, whoever they belong to (at most one per refusal). */
    failedRowsOf: async (requestId: string): Promise<number> =>
      Number(
        ((await app().app.get(DataSource).query(`SELECT count(*)::int AS n FROM auth.user_events WHERE type = 'login.failed' AND request_id = $1`, [requestId])) as Array<{ n: number }>)[0]!.n,
      ),
  };
}
