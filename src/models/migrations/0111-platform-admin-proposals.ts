/**
 * `platform_admin_proposals` (docs/onboarding.md, Platform admins): one platform admin proposes to add
 * another (the account made inactive) or to reactivate one, and a second one, another person, approves
 * or declines. One admin alone could add a second admin account on another mailbox of their own and so
 * approve their own tenant offboarding as "another" admin.
 *
 * At most one proposal per admin awaits a decision (the partial unique index decides between two at
 * once). A new table: nothing the running release reads changes; its keys name users, which no
 * platform admin's row leaves (a tenant's offboarding deletes the tenant's users, never the platform's).
 */
import { inOneTransaction, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql(`CREATE TABLE platform_admin_proposals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      admin_id uuid NOT NULL REFERENCES users (id),
      kind varchar(12) NOT NULL CHECK (kind IN ('add', 'reactivate')),
      status varchar(12) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
      proposed_by_id uuid NOT NULL REFERENCES users (id),
      decided_by_id uuid REFERENCES users (id),
      decided_at timestamptz,
      decline_reason varchar(500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'pending') = (decided_by_id IS NULL)))`);
    await sql(`CREATE UNIQUE INDEX platform_admin_proposals_one_pending ON platform_admin_proposals (admin_id)
      WHERE status = 'pending'`);
    await sql('CREATE INDEX platform_admin_proposals_admin ON platform_admin_proposals (admin_id, created_at)');
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('DROP TABLE IF EXISTS platform_admin_proposals');
};
