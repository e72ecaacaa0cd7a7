/**
 * Migration 0032 on a database that already holds saved reports (real PostgreSQL): taken back to
 * before it, given a definition, then migrated again: the definition is owned by its creator.
 */
import { QueryTypes } from 'sequelize';
import * as reportOwners from '../../src/models/migrations/0032-report-recipients-owner';
import { buildTenant, buildUser } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';

describe('migration 0032 (report owners and recipients’ links) on existing rows', () => {
  const migration = migrationOnExistingRows(reportOwners);

  it('makes each existing definition’s creator its owner, running', async () => {
    const { id, creator } = await migration.migrate(async (sequelize) => {
      const tenant = await buildTenant();
      const creator = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
      const [[{ id }]] = (await sequelize.query(
        `INSERT INTO report_definitions (tenant_id, name, kind, recipients, schedule, created_by_id, updated_by_id)
       VALUES (:tenantId, 'Existing', 'claims', '["ops@example.com"]', '0 7 * * 1', :creatorId, :creatorId) RETURNING id`,
        { replacements: { tenantId: tenant.id, creatorId: creator.id } },
      )) as [Array<{ id: string }>, unknown];
      return { id, creator };
    });
    const { sequelize } = migration;

    const [row] = await sequelize.query<{ owner_id: string; paused: boolean; paused_reason: string | null }>(
      'SELECT owner_id, paused, paused_reason FROM report_definitions WHERE id = :id',
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ owner_id: creator.id, paused: false, paused_reason: null });
    const [{ nullable }] = await sequelize.query<{ nullable: string }>(
      `SELECT is_nullable AS nullable FROM information_schema.columns WHERE table_name = 'report_definitions' AND column_name = 'owner_id'`,
      { type: QueryTypes.SELECT },
    );
    expect(nullable).toBe('NO');
  });
});
