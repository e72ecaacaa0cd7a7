/**
 * Migration 0059 on an audit trail written before it (real PostgreSQL): every existing event is
 * chained in id order within its tenant (the platform's events in their own chain), the chains
 * verify, the append-only trigger is back on, and events written afterwards extend the chains.
 */
import * as auditHashChain from '../../src/models/migrations/0059-audit-hash-chain';
import { AuditEvent } from '../../src/models';
import { GENESIS_HASH, verifyChain } from '../../src/domain/audit/chain';
import { recordAudit } from '../../src/domain/audit/record';
import { buildTenant } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';

describe('migration 0059 (audit hash chain) on existing rows', () => {
  const migration = migrationOnExistingRows(auditHashChain);

  const always = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') };
  const verifyAll = (tenantId: string | null) =>
    verifyChain(migration.sequelize, tenantId, always.from, new Date(always.from.getTime() + 366 * 86_400_000));

  it('chains the events already there, per tenant in id order, and the trigger extends them', async () => {
    const { tenants, chains } = await migration.migrate(async (sequelize) => {
      const tenants = await Promise.all([buildTenant(), buildTenant()]);
      const chains = [...tenants.map((tenant) => tenant.id), null];
      for (let n = 0; n < 9; n += 1) {
        await sequelize.query(
          `INSERT INTO audit_events (tenant_id, occurred_at, actor_type, action, entity_type, entity_id, changes, reason)
           VALUES (:tenantId, :occurredAt, 'system', 'plan.update', 'plan', :entityId, :changes, :reason)`,
          {
            replacements: {
              tenantId: chains[n % 3],
              occurredAt: new Date(Date.UTC(2000, 0, 1, 0, n)),
              entityId: `plan-${n}`,
              changes: JSON.stringify({ name: { before: `Old ${n}`, after: `"New" ${n}` } }),
              reason: n % 2 ? 'imported' : null,
            },
          },
        );
      }
      return { tenants, chains };
    });
    const { sequelize } = migration;

    for (const tenantId of chains) {
      const events = await AuditEvent.findAll({ where: { tenantId }, order: [['id', 'ASC']] });
      expect(events.map((event) => Number(event.chainPosition))).toEqual([1, 2, 3]);
      expect(events[0].previousHash).toBe(GENESIS_HASH);
      expect(events[1].previousHash).toBe(events[0].hash);
      expect(await verifyAll(tenantId)).toEqual({ ok: true, checked: 3, head: events[2].hash });
    }
    await expect(sequelize.query('UPDATE audit_events SET reason = NULL')).rejects.toThrow(/append-only/);

    await sequelize.transaction((transaction) =>
      recordAudit(
        { actor: { type: 'system', id: null } },
        { tenantId: tenants[0].id, action: 'plan.update', entityType: 'plan', entityId: 'plan-new', after: { name: 'Later' } },
        transaction,
      ),
    );
    const later = await verifyChain(sequelize, tenants[0].id, always.from, new Date());
    expect(later).toMatchObject({ ok: true, checked: 4 });
    expect((await AuditEvent.findOne({ where: { entityId: 'plan-new' } }))!.chainPosition).toBe('4');
  });
});
