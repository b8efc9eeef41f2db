import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { Principal } from '../../common/principal';
import { type AuditActor, type AuditFilters, AuditTrail, UsersService, type VerifyOutcome } from '../../users';
import { csvLine } from './audit-csv';
import { AUDIT_DEFAULT_LIMIT, type AuditFilterQuery, type AuditListQuery, type ExportFormat } from './audit.dto';
import { type AuditEntry, auditEntry, CSV_COLUMNS, decodeAuditCursor, encodeAuditCursor } from './audit.view';

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** Rows fetched per page while an export streams: memory stays flat whatever the trail's size. */
const EXPORT_PAGE = 500;

const filtersOf = (q: AuditFilterQuery): AuditFilters => ({
  ...(q.actor !== undefined && { actor: q.actor }),
  ...(q.target !== undefined && { target: q.target }),
  ...(q.action !== undefined && { action: q.action }),
  ...(q.result !== undefined && { result: q.result }),
  ...(q.from !== undefined && { from: q.from }),
  ...(q.to !== undefined && { to: q.to }),
  ...(q.requestId !== undefined && { requestId: q.requestId }),
});

/** The auditor's own audit actor: administrators as `admin:<id>`, auditors as the user they are (the row keeps the role). */
const actorOf = (p: Principal): AuditActor => (p.role === 'admin' ? `admin:${p.userId}` : `user:${p.userId}`);

/**
 * The audit trail's read side for administrators and auditors. Every read, export and verification is itself
 * written to the trail (about the reader: the row's target is the reader's own id), with the filters used.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly trail: AuditTrail,
    private readonly users: UsersService,
  ) {}

  async list(q: AuditListQuery, reader: Principal): Promise<AuditPage> {
    const limit = q.limit ?? AUDIT_DEFAULT_LIMIT;
    const after = q.cursor !== undefined ? decodeAuditCursor(q.cursor) : undefined;
    const filters = filtersOf(q);
    const rows = await this.trail.page(filters, limit + 1, 'desc', after);
    await this.users.recordEvent({ userId: reader.userId, actor: actorOf(reader), type: 'audit.read', detail: { filters, ...(after && { after }) } });
    const entries = rows.slice(0, limit).map(auditEntry);
    return { entries, nextCursor: rows.length > limit ? encodeAuditCursor(entries[entries.length - 1]!.id) : null };
  }

  /** Records the export, then streams every matching row, oldest first, a page at a time. */
  async export(q: AuditFilterQuery & { format?: ExportFormat }, reader: Principal): Promise<Readable> {
    const format = q.format ?? 'ndjson';
    const filters = filtersOf(q);
    await this.users.recordEvent({ userId: reader.userId, actor: actorOf(reader), type: 'audit.exported', detail: { format, filters } });
    const trail = this.trail;
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv') yield csvLine(CSV_COLUMNS.map(([name]) => name));
      let after: string | undefined;
      for (;;) {
        const rows = await trail.page(filters, EXPORT_PAGE, 'asc', after);
        for (const row of rows) {
          const entry = auditEntry(row);
          yield format === 'csv' ? csvLine(CSV_COLUMNS.map(([, value]) => value(entry))) : `${JSON.stringify(entry)}\n`;
        }
        if (rows.length < EXPORT_PAGE) return;
        after = rows[rows.length - 1]!.id;
      }
    }
    return Readable.from(lines());
  }

  async verify(reader: Principal): Promise<VerifyOutcome> {
    const outcome = await this.trail.verify();
    await this.users.recordEvent({
      userId: reader.userId,
      actor: actorOf(reader),
      type: 'audit.verified',
      ...(outcome.ok ? {} : { result: 'error' as const, resultCode: null }),
      detail: { ok: outcome.ok, checked: outcome.checked, head: outcome.head.hash, ...(outcome.brokenAt && { brokenAt: outcome.brokenAt }) },
    });
    return outcome;
  }
}
