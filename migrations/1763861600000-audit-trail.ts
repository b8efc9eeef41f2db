import { MigrationInterface, QueryRunner } from 'typeorm';

/** The chain's start: the `prev_hash` of the first row ever written (and the anchor before any prune). */
const GENESIS = '0'.repeat(64);
/** The refusals already in the trail (a copy, as migrations are frozen: src/users/audit-event.ts holds the live table). */
const REFUSALS: Record<string, string> = {
  'login.failed': 'AUTH_FAILED',
  'login.mfa_failed': 'MFA_CODE_INVALID',
  'login.mfa_locked': 'RATE_LIMITED',
  'login.mfa_bypass_refused': 'MFA_REQUIRED',
  'session.mfa_bypass_refused': 'MFA_REQUIRED',
  'mfa.change_refused': 'MFA_CODE_INVALID',
  'refresh.reuse_detected': 'REFRESH_TOKEN_INVALID',
};

/**
 * The audit trail becomes append-only and tamper-evident (issue 15, "Audit trail").
 *
 * - Columns: actor role, IP, user agent, result (success | refused | error) and its code, request id, reason; and the
 *   chain: `seq` (commit order), `prev_hash`, `hash` = sha256(prev_hash || canonical content).
 * - Sealing happens at COMMIT (a deferred constraint trigger): the single-row head `auth.audit_chain` is locked
 *   FOR UPDATE only for the instant of the commit, so concurrent writers are serialised on the head without holding
 *   a lock across the rest of their transaction (no deadlock with the row locks they take after writing audit, and
 *   no audit writer waits on another's network call). `seq` is that commit order; `id` is not (it is taken at insert).
 * - UPDATE is refused except the seal itself (a trigger-inside-trigger write that only fills the three chain columns
 *   of a not-yet-sealed row); TRUNCATE is refused; DELETE is refused unless it runs inside
 *   `auth.prune_user_events(cutoff)`, which moves the anchor first and may delete only rows at or before it: a plain
 *   `DELETE` by the app role fails, and even the prune path can only cut a prefix of the chain, never a row in the
 *   middle. A role that owns the table can still disable triggers; that is what the hash chain and the head copy in
 *   the application log are for (and why production should run the app as a role that does not own the table: it then
 *   needs only SELECT, INSERT and EXECUTE on the prune function, which is SECURITY DEFINER).
 */
export class AuditTrail1763861600000 implements MigrationInterface {
  name = 'AuditTrail1763861600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE auth.user_events
        ADD COLUMN actor_role  text,
        ADD COLUMN ip          text,
        ADD COLUMN user_agent  text,
        ADD COLUMN result      text NOT NULL DEFAULT 'success' CHECK (result IN ('success', 'refused', 'error')),
        ADD COLUMN result_code text,
        ADD COLUMN request_id  text,
        ADD COLUMN reason      text,
        ADD COLUMN seq         bigint UNIQUE,
        ADD COLUMN prev_hash   text,
        ADD COLUMN hash        text`);
    // Existing failures are refusals: the issue asks refused sign-ins to say so.
    for (const [type, code] of Object.entries(REFUSALS)) {
      await q.query(`UPDATE auth.user_events SET result = 'refused', result_code = $2 WHERE type = $1`, [type, code]);
    }
    await q.query(`CREATE INDEX user_events_at_idx ON auth.user_events (at, id)`);
    await q.query(`CREATE INDEX user_events_request_idx ON auth.user_events (request_id) WHERE request_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE auth.audit_chain (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        head_seq    bigint NOT NULL DEFAULT 0,
        head_hash   text   NOT NULL,
        anchor_seq  bigint NOT NULL DEFAULT 0,
        anchor_hash text   NOT NULL,
        pruned_at   timestamptz
      )`);
    await q.query(`INSERT INTO auth.audit_chain (head_hash, anchor_hash) VALUES ($1, $1)`, [GENESIS]);

    // The canonical content: one jsonb object (its text form is deterministic: keys sorted, no insignificant space),
    // times in UTC to the microsecond whatever the session's TimeZone. The hash covers seq and prev_hash too.
    await q.query(`
      CREATE FUNCTION auth.user_event_hash(e auth.user_events, p_seq bigint, p_prev text) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(p_prev || '|' || jsonb_build_object(
          'seq', p_seq, 'id', e.id, 'userId', e.user_id, 'actor', e.actor, 'actorRole', e.actor_role, 'ip', e.ip,
          'userAgent', e.user_agent, 'type', e.type, 'fromStatus', e.from_status, 'toStatus', e.to_status,
          'detail', e.detail, 'result', e.result, 'resultCode', e.result_code, 'requestId', e.request_id,
          'reason', e.reason, 'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'UTF8')), 'hex')
      $$`);

    // Backfill: the rows written so far, in id order, become the start of the chain.
    await q.query(`
      DO $$
      DECLARE r auth.user_events; s bigint := 0; h text := '${GENESIS}';
      BEGIN
        FOR r IN SELECT * FROM auth.user_events ORDER BY id LOOP
          s := s + 1;
          UPDATE auth.user_events SET seq = s, prev_hash = h, hash = auth.user_event_hash(r, s, h) WHERE id = r.id
            RETURNING hash INTO h;
        END LOOP;
        UPDATE auth.audit_chain SET head_seq = s, head_hash = h;
      END $$`);

    // A writer cannot choose its own place in the chain.
    await q.query(`
      CREATE FUNCTION auth.user_events_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.seq := NULL; NEW.prev_hash := NULL; NEW.hash := NULL;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER user_events_unsealed BEFORE INSERT ON auth.user_events FOR EACH ROW EXECUTE FUNCTION auth.user_events_unsealed()`);

    await q.query(`
      CREATE FUNCTION auth.user_events_seal() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE head auth.audit_chain; s bigint; h text;
      BEGIN
        SELECT * INTO head FROM auth.audit_chain FOR UPDATE;
        s := head.head_seq + 1;
        h := auth.user_event_hash(NEW, s, head.head_hash);
        UPDATE auth.user_events SET seq = s, prev_hash = head.head_hash, hash = h WHERE id = NEW.id;
        UPDATE auth.audit_chain SET head_seq = s, head_hash = h;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER user_events_seal AFTER INSERT ON auth.user_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION auth.user_events_seal()`);

    await q.query(`
      CREATE FUNCTION auth.user_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE anchor bigint;
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          -- The seal only: from inside the seal trigger, on an unsealed row, touching nothing but the chain columns.
          IF pg_trigger_depth() > 1 AND OLD.hash IS NULL
             AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'auth.user_events is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
        ELSIF TG_OP = 'DELETE' THEN
          SELECT anchor_seq INTO anchor FROM auth.audit_chain;
          IF current_setting('gatehouse.audit_prune', true) = 'on' AND OLD.seq IS NOT NULL AND OLD.seq <= anchor THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'auth.user_events is append-only: DELETE refused (retention prunes through auth.prune_user_events)' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RAISE EXCEPTION 'auth.user_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER user_events_no_update BEFORE UPDATE ON auth.user_events FOR EACH ROW EXECUTE FUNCTION auth.user_events_append_only()`);
    await q.query(`CREATE TRIGGER user_events_no_delete BEFORE DELETE ON auth.user_events FOR EACH ROW EXECUTE FUNCTION auth.user_events_append_only()`);
    await q.query(`CREATE TRIGGER user_events_no_truncate BEFORE TRUNCATE ON auth.user_events FOR EACH STATEMENT EXECUTE FUNCTION auth.user_events_append_only()`);

    // The head moves only with a seal (inside the seal trigger) or a prune; it is never deleted.
    await q.query(`
      CREATE FUNCTION auth.audit_chain_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (pg_trigger_depth() > 1 OR current_setting('gatehouse.audit_prune', true) = 'on') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'auth.audit_chain moves only with the chain: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_chain_guard BEFORE UPDATE OR DELETE ON auth.audit_chain FOR EACH ROW EXECUTE FUNCTION auth.audit_chain_guard()`);
    await q.query(`CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON auth.audit_chain FOR EACH STATEMENT EXECUTE FUNCTION auth.audit_chain_guard()`);

    // Retention: cuts the longest prefix of the chain whose rows are all older than the cutoff, keeping the last cut
    // row's hash as the anchor the remaining chain verifies from. Answers what it did and the head at that moment.
    await q.query(`
      CREATE FUNCTION auth.prune_user_events(cutoff timestamptz)
        RETURNS TABLE (pruned bigint, anchor_seq bigint, anchor_hash text, head_seq bigint, head_hash text)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
      DECLARE head auth.audit_chain; last_seq bigint; last_hash text; n bigint := 0;
      BEGIN
        SELECT * INTO head FROM auth.audit_chain FOR UPDATE;
        SELECT e.seq, e.hash INTO last_seq, last_hash FROM auth.user_events e
          WHERE e.seq IS NOT NULL AND e.seq < COALESCE((SELECT min(y.seq) FROM auth.user_events y WHERE y.at >= cutoff), head.head_seq + 1)
          ORDER BY e.seq DESC LIMIT 1;
        IF last_seq IS NOT NULL THEN
          PERFORM set_config('gatehouse.audit_prune', 'on', true);
          UPDATE auth.audit_chain SET anchor_seq = last_seq, anchor_hash = last_hash, pruned_at = now();
          DELETE FROM auth.user_events e WHERE e.seq <= last_seq;
          GET DIAGNOSTICS n = ROW_COUNT;
          PERFORM set_config('gatehouse.audit_prune', 'off', true);
        END IF;
        RETURN QUERY SELECT n, c.anchor_seq, c.anchor_hash, c.head_seq, c.head_hash FROM auth.audit_chain c;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION auth.prune_user_events(timestamptz)`);
    await q.query(`DROP TRIGGER audit_chain_no_truncate ON auth.audit_chain`);
    await q.query(`DROP TRIGGER audit_chain_guard ON auth.audit_chain`);
    await q.query(`DROP FUNCTION auth.audit_chain_guard()`);
    await q.query(`DROP TRIGGER user_events_no_truncate ON auth.user_events`);
    await q.query(`DROP TRIGGER user_events_no_delete ON auth.user_events`);
    await q.query(`DROP TRIGGER user_events_no_update ON auth.user_events`);
    await q.query(`DROP FUNCTION auth.user_events_append_only()`);
    await q.query(`DROP TRIGGER user_events_seal ON auth.user_events`);
    await q.query(`DROP FUNCTION auth.user_events_seal()`);
    await q.query(`DROP TRIGGER user_events_unsealed ON auth.user_events`);
    await q.query(`DROP FUNCTION auth.user_events_unsealed()`);
    await q.query(`DROP FUNCTION auth.user_event_hash(auth.user_events, bigint, text)`);
    await q.query(`DROP TABLE auth.audit_chain`);
    await q.query(`DROP INDEX auth.user_events_request_idx`);
    await q.query(`DROP INDEX auth.user_events_at_idx`);
    await q.query(`
      ALTER TABLE auth.user_events
        DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN seq, DROP COLUMN reason, DROP COLUMN request_id,
        DROP COLUMN result_code, DROP COLUMN result, DROP COLUMN user_agent, DROP COLUMN ip, DROP COLUMN actor_role`);
  }
}
