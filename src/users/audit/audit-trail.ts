import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuditResult } from '../audit-event';
import { type ChainBreak, type ChainRow, checkChain, type ChainState } from './chain-check';

/** The audit list's filters; every one combines with every other. */
export interface AuditFilters {
  /** An actor as written (`admin:<id>`, `system`, …), or a bare user id: that user acting in any capacity. */
  actor?: string;
  /** The user the row is about. */
  target?: string;
  /** An event type, or a prefix ending in `*` (`login.*`). */
  action?: string;
  result?: AuditResult;
  from?: Date;
  to?: Date;
  requestId?: string;
}

/** One row as the admin API shows it (raw columns; the view shapes it). */
export interface AuditRow {
  id: string;
  seq: string | null;
  at: Date;
  user_id: string;
  actor: string;
  actor_role: string | null;
  ip: string | null;
  user_agent: string | null;
  type: string;
  from_status: string | null;
  to_status: string | null;
  detail: Record<string, unknown>;
  result: AuditResult;
  result_code: string | null;
  request_id: string | null;
  reason: string | null;
  hash: string | null;
}

export interface ChainHead {
  seq: string;
  hash: string;
  anchorSeq: string;
  anchorHash: string;
}

export interface VerifyOutcome {
  ok: boolean;
  checked: number;
  brokenAt?: ChainBreak;
  head: ChainHead;
}

export interface PruneOutcome {
  pruned: number;
  head: ChainHead;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERIFY_BATCH = 2_000;

/**
 * Reads of the audit trail (auth.user_events), its verification and its retention. Writes go through
 * UsersRepository (one INSERT path); the chain itself is sealed by the database at commit.
 */
@Injectable()
export class AuditTrail {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One page by id, newest first (`order: 'desc'`, the list) or oldest first (the export), after `afterId`. */
  async page(filters: AuditFilters, limit: number, order: 'asc' | 'desc', afterId?: string): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('$?', `$${params.length}`));
    };
    if (filters.actor !== undefined) {
      if (UUID.test(filters.actor)) add(`split_part(actor, ':', 2) = $?`, filters.actor.toLowerCase());
      else add(`actor = $?`, filters.actor);
    }
    if (filters.target !== undefined) add(`user_id = $?`, filters.target);
    if (filters.action !== undefined) {
      if (filters.action.endsWith('*')) add(`starts_with(type, $?)`, filters.action.slice(0, -1));
      else add(`type = $?`, filters.action);
    }
    if (filters.result !== undefined) add(`result = $?`, filters.result);
    if (filters.from !== undefined) add(`at >= $?`, filters.from);
    if (filters.to !== undefined) add(`at < $?`, filters.to);
    if (filters.requestId !== undefined) add(`request_id = $?`, filters.requestId);
    if (afterId !== undefined) add(order === 'desc' ? `id < $?` : `id > $?`, afterId);
    params.push(limit);
    return this.db.query(
      `SELECT id, seq, at, user_id, actor, actor_role, ip, user_agent, type, from_status, to_status, detail, result, result_code, request_id, reason, hash
         FROM auth.user_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id ${order === 'desc' ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Walks the whole chain from the anchor in one consistent snapshot (REPEATABLE READ, so rows committed meanwhile
   * neither appear half-way nor count), recomputing each row's hash in the database, and checks the head agrees.
   */
  async verify(): Promise<VerifyOutcome> {
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const head = await this.readHead(tx.query.bind(tx));
      let state: ChainState = { seq: BigInt(head.anchorSeq), hash: head.anchorHash, checked: 0 };
      // Unsealed rows (written with the triggers off) have no seq: they break the chain wherever they are.
      const [unsealed] = (await tx.query(`SELECT id FROM auth.user_events WHERE seq IS NULL ORDER BY id LIMIT 1`)) as Array<{ id: string }>;
      for (;;) {
        const rows: ChainRow[] = await tx.query(
          `SELECT e.id, e.seq::text AS seq, e.prev_hash AS "prevHash", e.hash, auth.user_event_hash(e, e.seq, e.prev_hash) AS computed
             FROM auth.user_events e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
          [state.seq.toString(), VERIFY_BATCH],
        );
        const step = checkChain(state, rows);
        state = step.state;
        if ('broken' in step) return { ok: false, checked: state.checked, brokenAt: step.broken, head };
        if (rows.length < VERIFY_BATCH) break;
      }
      if (unsealed) return { ok: false, checked: state.checked, brokenAt: { id: unsealed.id, seq: null, why: 'unsealed' }, head };
      // The head row must name the last row: rows cut from the end would leave it pointing past them.
      if (state.seq.toString() !== head.seq || state.hash !== head.hash) {
        return { ok: false, checked: state.checked, brokenAt: { id: 'head', seq: head.seq, why: 'gap' }, head };
      }
      return { ok: true, checked: state.checked, head };
    });
  }

  /** Removes the chain's prefix older than `cutoff` (auth.prune_user_events keeps the anchor). */
  async prune(cutoff: Date): Promise<PruneOutcome> {
    const [r] = (await this.db.query(`SELECT pruned, anchor_seq::text, anchor_hash, head_seq::text, head_hash FROM auth.prune_user_events($1)`, [cutoff])) as Array<{
      pruned: string;
      anchor_seq: string;
      anchor_hash: string;
      head_seq: string;
      head_hash: string;
    }>;
    if (!r) throw new Error('auth.prune_user_events answered nothing');
    return { pruned: Number(r.pruned), head: { seq: r.head_seq, hash: r.head_hash, anchorSeq: r.anchor_seq, anchorHash: r.anchor_hash } };
  }

  head(): Promise<ChainHead> {
    return this.readHead((sql) => this.db.query(sql));
  }

  private async readHead(query: (sql: string) => Promise<unknown>): Promise<ChainHead> {
    const rows = (await query(`SELECT head_seq::text AS seq, head_hash AS hash, anchor_seq::text AS "anchorSeq", anchor_hash AS "anchorHash" FROM auth.audit_chain`)) as ChainHead[];
    if (!rows[0]) throw new Error('auth.audit_chain has no head row');
    return rows[0];
  }
}
