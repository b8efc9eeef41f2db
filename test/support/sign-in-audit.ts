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
  const afterAnswer = () => app().app.get(DeferredWork).settled();
  const failedRowsOf = async (requestId: string): Promise<number> =>
    Number(
      ((await app().app.get(DataSource).query(`SELECT count(*)::int AS n FROM auth.user_events WHERE type = 'login.failed' AND request_id = $1`, [requestId])) as Array<{ n: number }>)[0]!.n,
    );
  return {
    userOf,
    eventsOf,
    /** `login.failed` rows of the user with that address. */
    failures: (address: string) => eventsOf(address, 'login.failed'),
    /** Resolves once the work after the answer (where audit rows are written) has finished. */
    afterAnswer,
    /** Moves the user on the ladder as an administrator would (a block: DISABLED, SUSPENDED, REJECTED). */
    ladder: async (address: string, event: OnboardingEvent) => app().app.get(OnboardingService).apply((await userOf(address)).id, event, 'admin:test'),
    /** `login.failed` rows written for one request, whoever they belong to (at most one per refusal). */
    failedRowsOf,
    /**
     * A refused sign-in's audit, once the work after its answer is done: exactly one `login.failed` row for the request,
     * the user's only one, written by the provider with this reason and the answer's code. Returns the row.
     */
    oneRefusal: async (answer: { body: unknown }, address: string, expected: { reason: string; code: string }) => {
      await afterAnswer();
      const requestId = requestIdOf(answer.body);
      expect(await failedRowsOf(requestId)).toBe(1);
      const rows = await eventsOf(address, 'login.failed');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: `provider:${provider}`, reason: expected.reason, result: 'refused', resultCode: expected.code, requestId });
      return rows[0]!;
    },
  };
}
