import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ConflictError } from '../../common/errors/app-error';

/** How long a replay waits for the first request with its key to finish before it is told to try again. */
const REPLAY_WAIT = '120s';

/**
 * Idempotency for bulk requests (auth.admin_bulk_requests): per administrator and key, the request's hash and the
 * answer it got. `once` runs `work` only for a key never seen; a replay gets the stored answer. A concurrent replay
 * blocks on the first request's uncommitted row (Postgres makes the second INSERT wait for the first transaction),
 * then reads its answer; if the first failed and rolled back, the replay runs the work itself.
 */
@Injectable()
export class BulkRequests {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async once<T>(adminId: string, key: string, requestHash: string, work: () => Promise<T>): Promise<{ answer: T; replayed: boolean }> {
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '${REPLAY_WAIT}'`);
        const inserted = rowsOf(
          await tx.query(
            `INSERT INTO auth.admin_bulk_requests (admin_id, idem_key, request_hash) VALUES ($1, $2, $3) ON CONFLICT (admin_id, idem_key) DO NOTHING RETURNING admin_id`,
            [adminId, key, requestHash],
          ),
        );
        if (inserted.length === 0) {
          const [row] = (await tx.query(`SELECT request_hash, answer FROM auth.admin_bulk_requests WHERE admin_id = $1 AND idem_key = $2`, [adminId, key])) as Array<{ request_hash: string; answer: T | null }>;
          // The same key for another request is the client's bug: answering the first request's result would hide it.
          if (!row || row.request_hash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was used for a different request');
          if (row.answer === null) throw new ConflictError('CONFLICT', 'A request with this Idempotency-Key is still running; try again');
          return { answer: row.answer, replayed: true };
        }
        const answer = await work();
        await tx.query(`UPDATE auth.admin_bulk_requests SET answer = $3::jsonb, completed_at = now() WHERE admin_id = $1 AND idem_key = $2`, [adminId, key, JSON.stringify(answer)]);
        return { answer, replayed: false };
      });
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === '55P03') throw new ConflictError('CONFLICT', 'A request with this Idempotency-Key is still running; try again');
      throw err;
    }
  }

  /**
   * Deletes the records created before `cutoff` and answers how many went. A request still running is invisible here
   * (its row is uncommitted), and one that outlived the cutoff would only lose its replay, never its effect.
   */
  async prune(cutoff: Date): Promise<number> {
    const result: unknown = await this.db.query(`DELETE FROM auth.admin_bulk_requests WHERE created_at < $1`, [cutoff]);
    return affected(result);
  }
}

/** INSERT … RETURNING through TypeORM's pg driver answers the rows (UPDATE answers [rows, count]). */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as unknown[];
  return Array.isArray(result) ? result : [];
}

/** DELETE through TypeORM's pg driver answers [rows, count]. */
function affected(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
