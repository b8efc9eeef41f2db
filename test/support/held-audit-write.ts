import type { UsersService } from '../../src/users/users.service';
import { waitFor } from './wait-for';

/**
 * Holds the next audit write open, for "the answer does not wait for the row" tests: the client's answer must arrive
 * while the write is still pending; `failAfterStart` then waits for the write to have begun (it must be the expected
 * event type) and fails it, so the test can check a failed write changes nothing. `restore()` in a finally.
 */
export function holdNextAuditWrite(users: UsersService): { failAfterStart(type: string): Promise<void>; restore(): void } {
  let fail!: (err: Error) => void;
  const spy = jest.spyOn(users, 'recordEvent').mockImplementationOnce(() => new Promise<void>((_resolve, reject) => (fail = reject)));
  return {
    async failAfterStart(type: string): Promise<void> {
      await waitFor(() => spy.mock.calls.length > 0, { timeoutMs: 5000, what: 'the audit write after the answer' });
      expect(spy).toHaveBeenCalledWith(expect.objectContaining({ type }));
      fail(new Error('audit write failed'));
    },
    restore: () => spy.mockRestore(),
  };
}
