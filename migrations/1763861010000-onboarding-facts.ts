import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ladder keeps progress and sanctions apart (see src/users/onboarding/transitions.ts):
 * - progress facts: `email_verified_at` (the verification step passed; `email_verified` stays the CURRENT address's
 *   flag, which an address change resets without undoing the step), `approved_at`/`approved_by`, `mfa_enrolled_at`
 *   (already there: the MFA step is satisfied while it is set), `entitled` (set by billing);
 * - `blocks`: at most one block per kind, `{"suspended": {kind, by, reason, until, at}, …}`.
 * `status` stays, derived from both on every write, so the hot path and queries read one column.
 *
 * Backfill from today's status. For a blocked user the progress before the block is read ONCE here from the audit
 * trail (the last move into a block from a rung); with no record it is the safe rung (pending_approval when the
 * address is verified), never active. A user disabled while suspended or rejected keeps both blocks.
 */
export class OnboardingFacts1763861010000 implements MigrationInterface {
  name = 'OnboardingFacts1763861010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE auth.users
        ADD COLUMN email_verified_at timestamptz,
        ADD COLUMN approved_at timestamptz,
        ADD COLUMN approved_by text,
        ADD COLUMN entitled boolean NOT NULL DEFAULT false,
        ADD COLUMN blocks jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(BACKFILL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.users DROP COLUMN blocks, DROP COLUMN entitled, DROP COLUMN approved_by, DROP COLUMN approved_at, DROP COLUMN email_verified_at`);
  }
}

const RUNGS = `('pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription', 'active')`;
const BLOCKED = `('suspended', 'disabled', 'rejected')`;

/** Exported for the test that runs it on hand-made rows (the test database is migrated before any row exists). */
export const BACKFILL = `
  WITH progress AS (
    SELECT u.id, u.status, u.updated_at,
      CASE
        WHEN u.status IN ${RUNGS} THEN u.status
        ELSE COALESCE(
          (SELECT e.from_status FROM auth.user_events e
            WHERE e.user_id = u.id AND e.from_status IN ${RUNGS} AND e.to_status IN ${BLOCKED}
            ORDER BY e.id DESC LIMIT 1),
          CASE WHEN u.email_verified THEN 'pending_approval' ELSE 'pending_verification' END::auth.user_status)
      END AS rung,
      (SELECT e.from_status FROM auth.user_events e
        WHERE e.user_id = u.id AND e.to_status = 'disabled' ORDER BY e.id DESC LIMIT 1) AS before_disable
    FROM auth.users u
  )
  UPDATE auth.users u SET
    email_verified_at = CASE WHEN p.rung >= 'pending_approval' OR p.status = 'rejected' THEN COALESCE(u.email_verified_at, p.updated_at) END,
    approved_at = CASE WHEN p.rung >= 'pending_mfa' THEN COALESCE(u.approved_at, p.updated_at) END,
    approved_by = CASE WHEN p.rung >= 'pending_mfa' THEN COALESCE(u.approved_by, 'migration') END,
    mfa_enrolled_at = CASE WHEN p.rung >= 'pending_subscription' THEN COALESCE(u.mfa_enrolled_at, p.updated_at) ELSE u.mfa_enrolled_at END,
    entitled = u.entitled OR p.rung = 'active',
    blocks = CASE
      WHEN p.status IN ${BLOCKED} THEN
        jsonb_build_object(p.status::text, jsonb_build_object('kind', p.status, 'by', 'admin', 'reason', NULL, 'until', NULL, 'at', p.updated_at))
        || CASE WHEN p.status = 'disabled' AND p.before_disable IN ('suspended', 'rejected') THEN
             jsonb_build_object(p.before_disable::text, jsonb_build_object('kind', p.before_disable, 'by', 'admin', 'reason', NULL, 'until', NULL, 'at', p.updated_at))
           ELSE '{}'::jsonb END
      ELSE '{}'::jsonb
    END
  FROM progress p
  WHERE u.id = p.id`;
