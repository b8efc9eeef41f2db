import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the local provider's admin port needs: a "must change password" flag (Cognito's FORCE_CHANGE_PASSWORD) for
 * users an administrator created or gave a temporary password, and a kind on the challenge rows, so the session of a
 * NEW_PASSWORD_REQUIRED step can never be answered as a TOTP step (or the other way round).
 */
export class LocalAdmin1763860300000 implements MigrationInterface {
  name = 'LocalAdmin1763860300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.local_credentials ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE auth.local_mfa_challenges ADD COLUMN kind text NOT NULL DEFAULT 'mfa' CHECK (kind IN ('mfa', 'new_password'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.local_mfa_challenges DROP COLUMN kind`);
    await q.query(`ALTER TABLE auth.local_credentials DROP COLUMN must_change_password`);
  }
}
