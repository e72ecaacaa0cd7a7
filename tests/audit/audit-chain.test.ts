/**
 * The audit trail's hash chains on real servers (docs/audit.md, Tamper evidence): two tenants
 * writing at once get two unbroken chains; an event edited or deleted behind the trigger's back
 * is named by GET /audit-events/verify (and GraphQL's auditChainVerification) with its reason,
 * while the other tenant's chain stays sound; each reader verifies their own chain only.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import { AuditEvent, Tenant, User } from '../../src/models';
import { GENESIS_HASH } from '../../src/domain/audit/chain';
import { recordAudit } from '../../src/domain/audit/record';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { testStackOfBlock } from '../support/stack';

const SPAN = { from: '2020-01-01T00:00:00Z', to: '2020-12-31T00:00:00Z' };

describe('audit trail: hash chains and GET /audit-events/verify', () => {
  const stack = testStackOfBlock();
  let tenants: Tenant[];
  let admins: User[];
  let officer: User;
  const now = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });

  beforeAll(async () => {
    tenants = await Promise.all([buildTenant(), buildTenant()]);
    admins = await Promise.all(tenants.map((tenant) => buildUser({ tenantId: tenant.id, role: 'tenant_admin' })));
    officer = await buildUser({ tenantId: tenants[0].id, role: 'compliance_officer' });
  });
  const client = apiClient(() => stack);

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const verify = async (user: User, span = now()) =>
    (await stack.api.get('/api/v1/audit-events/verify').query(span).set(as(user)).expect(200)).body as {
      ok: boolean;
      checked: number;
      head?: string | null;
      firstBroken?: { id: string; createdAt: string; reason: string };
    };
  /** One audited change per call, each in its own transaction, with text that JSON escapes. */
  const write = (tenantId: string, n: number) =>
    stack.db.sequelize.transaction((transaction) =>
      recordAudit(
        { actor: { type: 'system', id: null }, requestId: `req-${n}` },
        {
          tenantId,
          action: 'plan.update',
          entityType: 'plan',
          entityId: `plan-${n}`,
          before: { name: 'Old "quoted"\nline', price: 0.1 * n, nested: { z: 1, a: [true, null] } },
          after: { name: `Nouveau tarif ${n} — é ✓ \u0001`, price: 1e21 + n, nested: { z: 2, a: [false] } },
        },
        transaction,
      ),
    );
  const chainOf = (tenantId: string) =>
    AuditEvent.findAll({
      where: { tenantId },
      order: [['chainPosition', 'ASC']],
      attributes: ['id', 'chainPosition', 'previousHash', 'hash'],
    });
  const withTriggerOff = (statement: string, replacements: Record<string, unknown>) =>
    stack.db.sequelize.transaction(async (transaction) => {
      // The guards of edits and of deletes (migrations 0011 and 0066), as a database owner could switch them off.
      for (const trigger of ['audit_events_no_change', 'audit_events_no_delete'])
        await stack.db.sequelize.query(`ALTER TABLE audit_events DISABLE TRIGGER ${trigger}`, { transaction });
      await stack.db.sequelize.query(statement, { replacements, transaction, type: QueryTypes.RAW });
      for (const trigger of ['audit_events_no_change', 'audit_events_no_delete'])
        await stack.db.sequelize.query(`ALTER TABLE audit_events ENABLE TRIGGER ${trigger}`, { transaction });
    });

  it('links the events two tenants write at once into two unbroken chains, which verify', async () => {
    const perTenant = 40;
    await Promise.all(Array.from({ length: perTenant * 2 }, (_, n) => write(tenants[n % 2].id, n)));
    for (const tenant of tenants) {
      const chain = await chainOf(tenant.id);
      expect(chain).toHaveLength(perTenant);
      chain.forEach((event, index) => {
        expect(Number(event.chainPosition)).toBe(index + 1);
        expect(event.previousHash).toBe(index === 0 ? GENESIS_HASH : chain[index - 1].hash);
      });
    }
    for (const [index, admin] of admins.entries()) {
      const chain = await chainOf(tenants[index].id);
      expect(await verify(admin)).toEqual({ ok: true, checked: perTenant, head: chain[perTenant - 1].hash });
    }
    expect(await verify(officer)).toMatchObject({ ok: true, checked: perTenant });
    expect(await verify(admins[0], SPAN)).toEqual({ ok: true, checked: 0, head: null });
  });

  it('lets a transaction that audits and then locks a row pass one that locks the row and then audits', async () => {
    const { sequelize } = stack.db;
    const [tenant] = tenants;
    const audit = (transaction: Transaction, n: number) =>
      recordAudit(
        { actor: { type: 'system', id: null } },
        { tenantId: tenant.id, action: 'plan.update', entityType: 'plan', entityId: `lock-order-${n}`, after: { n } },
        transaction,
      );
    const before = (await chainOf(tenant.id)).length;
    const second = await sequelize.transaction();
    await Tenant.findByPk(tenant.id, { lock: second.LOCK.UPDATE, transaction: second });
    const first = await sequelize.transaction();
    await audit(first, 1);
    const firstLocks = Tenant.findByPk(tenant.id, { lock: first.LOCK.UPDATE, transaction: first });
    // Had the insert taken the chain's lock, this insert would wait for `first`, which waits for
    // `second`'s row lock: PostgreSQL would end one of them as a deadlock.
    await audit(second, 2);
    await second.commit();
    await firstLocks;
    await first.commit();
    const chain = await chainOf(tenant.id);
    expect(chain).toHaveLength(before + 2);
    expect(await verify(admins[0])).toMatchObject({ ok: true, checked: before + 2 });
  });

  it('names an event whose content was edited behind the trigger, and the one after a deleted event', async () => {
    const [target, tenant] = [admins[0], tenants[0]];
    const chain = await chainOf(tenant.id);
    const edited = chain[10];
    await withTriggerOff(`UPDATE audit_events SET changes = jsonb_set(changes, '{name,after}', '"Forged"') WHERE id = :id`, {
      id: edited.id,
    });
    expect(await verify(target)).toMatchObject({ ok: false, checked: 10, firstBroken: { id: edited.id, reason: 'content_changed' } });
    const query =
      'query($from: String!, $to: String!) { auditChainVerification(from: $from, to: $to) { ok checked head firstBroken { id reason } } }';
    expect(await client.data(query, now(), target)).toEqual({
      auditChainVerification: { ok: false, checked: 10, head: null, firstBroken: { id: edited.id, reason: 'content_changed' } },
    });

    // A span that starts after the edited event checks from there on, linked to the event before it:
    // from the first place in the chain whose event falls in the span (events are placed as their
    // transactions commit, so a place and a time may disagree by a little under concurrency).
    const later = await AuditEvent.findByPk(chain[20].id);
    const fromLater = { from: later!.occurredAt.toISOString(), to: now().to };
    const times = new Map(
      (await AuditEvent.findAll({ where: { id: chain.map((event) => event.id) }, attributes: ['id', 'occurredAt'] })).map((event) => [
        event.id,
        event.occurredAt.getTime(),
      ]),
    );
    const firstInSpan = chain.findIndex((event) => times.get(event.id)! >= later!.occurredAt.getTime());
    expect(firstInSpan).toBeGreaterThan(10);
    expect(await verify(target, fromLater)).toMatchObject({ ok: true, checked: chain.length - firstInSpan });

    const deleted = chain[30];
    await withTriggerOff('DELETE FROM audit_events WHERE id = :id', { id: deleted.id });
    expect(await verify(target, fromLater)).toMatchObject({
      ok: false,
      checked: 30 - firstInSpan,
      firstBroken: { id: chain[31].id, reason: 'link_broken' },
    });

    expect(await verify(admins[1])).toMatchObject({ ok: true, checked: 40 });
  });

  it("verifies the caller's chain only, and refuses a bad or too long span naming the field", async () => {
    // The other tenant's admin sees their own sound chain, never this tenant's broken one.
    expect(await verify(admins[1])).toMatchObject({ ok: true });
    const platformAdmin = await buildUser({ role: 'platform_admin' });
    expect((await verify(platformAdmin)).ok).toBe(true);
    const policyholder = await buildUser({ tenantId: tenants[0].id, role: 'policyholder' });
    await stack.api.get('/api/v1/audit-events/verify').query(now()).set(as(policyholder)).expect(403);

    // Malformed is 400; well-formed dates that make no span (backwards, over a year) are 422.
    const refused = async (query: Record<string, string>, status: 400 | 422) =>
      (await stack.api.get('/api/v1/audit-events/verify').query(query).set(as(admins[0])).expect(status)).body.error.details.map(
        (detail: { field: string }) => detail.field,
      );
    expect(await refused({ from: 'yesterday', to: now().to }, 400)).toEqual(['query.from']);
    expect(await refused({ to: now().to }, 400)).toEqual(['query.from']);
    // A day not in the calendar is malformed, not read as another one (2026-02-30 as 2 March).
    expect(await refused({ from: '2026-02-30T00:00:00Z', to: now().to }, 400)).toEqual(['query.from']);
    expect(await refused({ from: '2026-02-01', to: '2026-04-31' }, 400)).toEqual(['query.to']);
    expect(await refused({ from: '2024-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' }, 422)).toEqual(['query.to']);
    expect(await refused({ from: '2024-01-02T00:00:00Z', to: '2024-01-01T00:00:00Z' }, 422)).toEqual(['query.to']);
  });
});
