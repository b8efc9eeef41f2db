import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

/**
 * Work to run once a transaction has committed: on the caller's transaction when a write joined one, so that
 * "emit the change" never happens for a change that later rolls back, and never before the commit. Registered as a
 * TypeORM subscriber: TypeORM announces every commit and rollback of every query runner; only the outermost one
 * (no transaction active any more) runs or drops the queued work. A savepoint's release is not a commit.
 */
@Injectable()
export class CommitHooks implements EntitySubscriberInterface, OnModuleInit {
  private readonly pending = new WeakMap<QueryRunner, Array<() => void>>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onModuleInit(): void {
    if (!this.db.subscribers.includes(this)) this.db.subscribers.push(this);
  }

  /** Runs `fn` after `tx` commits; at once when `tx` is not inside a transaction (its statements have committed). */
  afterCommit(tx: EntityManager, fn: () => void): void {
    const runner = tx.queryRunner;
    if (!runner?.isTransactionActive) {
      fn();
      return;
    }
    const queue = this.pending.get(runner);
    if (queue) queue.push(fn);
    else this.pending.set(runner, [fn]);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    if (runner.isTransactionActive) return; // a savepoint released inside a still-open transaction
    const queue = this.pending.get(runner);
    this.pending.delete(runner);
    for (const fn of queue ?? []) fn();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }
}
