/**
 * A tenant's authority limits as a tenant admin changes them (docs/claim-money.md, Authority), with
 * the real API and PostgreSQL: an adjuster's limit may not exceed a senior adjuster's of the same
 * kind, whichever side the change moves, and a refused change records nothing.
 */
import { AuditEvent, TenantSettings, type Tenant } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { sentWhileHeld } from '../support/database';

describe('tenant settings: the authority ladder', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let auth: string;

  beforeAll(async () => {
    tenant = await buildTenant({ slug: 'ladder', name: 'Ladder Mutual' });
    auth = bearer(stack.config, await buildUser({ tenantId: tenant.id, role: 'tenant_admin', email: 'ladder-admin@example.test' }));
  });

  const put = (body: object) => stack.api.put('/api/v1/tenant/settings').set('Authorization', auth).send(body);
  const updates = () => AuditEvent.count({ where: { tenantId: tenant.id, action: 'tenant_settings.update' } });

  /** A change refused with 422 naming `fields`, the stored settings and their audit trail untouched. */
  const refusedNaming = async (body: object, fields: string[]) => {
    const before = (await TenantSettings.findByPk(tenant.id))?.values ?? null;
    const events = await updates();
    const res = await put(body).expect(422);
    expect(res.body.error.details.map((detail: { field: string }) => detail.field)).toEqual(fields);
    expect((await TenantSettings.findByPk(tenant.id))?.values ?? null).toEqual(before);
    expect(await updates()).toBe(events);
  };

  it.each([
    ['an adjuster above the default senior limit', { approvalLimitAdjuster: '30000.00' }, ['approvalLimitAdjuster']],
    ['a senior below the default adjuster limit', { reserveAuthoritySeniorAdjuster: '9999.99' }, ['reserveAuthorityAdjuster']],
    [
      'both monthly limits crossed in one change',
      { monthlyApprovalLimitAdjuster: '2000.00', monthlyApprovalLimitSeniorAdjuster: '1000.00' },
      ['monthlyApprovalLimitAdjuster'],
    ],
  ])('refuses %s (422 naming the adjuster limit) and records nothing', (_what, body, fields) => refusedNaming(body, fields));

  it('takes limits that keep the ladder, equal ones included, and checks a later change against what is stored', async () => {
    const saved = await put({ approvalLimitAdjuster: '20000.00', approvalLimitSeniorAdjuster: '20000.00' }).expect(200);
    expect([saved.body.approvalLimitAdjuster, saved.body.approvalLimitSeniorAdjuster]).toEqual(['20000.00', '20000.00']);
    // The stored senior limit now bounds the adjuster's, not the default.
    const refused = await put({ approvalLimitSeniorAdjuster: '19999.99' }).expect(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'approvalLimitAdjuster' })]);
    expect((await TenantSettings.findByPk(tenant.id))?.values).toMatchObject({
      approvalLimitAdjuster: 20000,
      approvalLimitSeniorAdjuster: 20000,
    });
  });
  /** Two changes of one tenant's settings sent at the same instant: the row held until both have read it and wait to write. */
  async function sentTogether(admin: string, tenantId: string, bodies: [object, object]) {
    const { sequelize } = stack.db;
    await TenantSettings.findOrCreate({ where: { tenantId } });
    return sentWhileHeld(
      sequelize,
      {
        hold: (transaction) => TenantSettings.findByPk(tenantId, { lock: transaction.LOCK.UPDATE, transaction }),
        statementLike: '%tenant_settings%',
        waiting: 2,
      },
      () =>
        Promise.all(
          bodies.map((body) =>
            stack.api
              .put('/api/v1/tenant/settings')
              .set('Authorization', admin)
              .send(body)
              .then((res) => res),
          ),
        ),
    );
  }

  it('two changes of different settings at the same instant: both are kept, neither writes back what the other changed', async () => {
    const other = await buildTenant({ name: 'Concurrent Mutual' });
    const admin = bearer(stack.config, await buildUser({ tenantId: other.id, role: 'tenant_admin' }));
    const answers = await sentTogether(admin, other.id, [{ mfaRequiredForStaff: true }, { approvalLimitAdjuster: '7000.00' }]);
    expect(answers.map((res) => res.status)).toEqual([200, 200]);
    expect((await TenantSettings.findByPk(other.id))?.values).toMatchObject({ mfaRequiredForStaff: true, approvalLimitAdjuster: 7000 });
  });

  it('two changes at the same instant that each keep the ladder but together would not: the later one is refused (422)', async () => {
    const other = await buildTenant({ name: 'Ladder Race Mutual' });
    const admin = bearer(stack.config, await buildUser({ tenantId: other.id, role: 'tenant_admin' }));
    const answers = await sentTogether(admin, other.id, [
      { approvalLimitAdjuster: '20000.00' },
      { approvalLimitSeniorAdjuster: '15000.00' },
    ]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 422]);
    const stored = (await TenantSettings.findByPk(other.id))!.effective();
    expect(stored.approvalLimitAdjuster).toBeLessThanOrEqual(stored.approvalLimitSeniorAdjuster);
    expect(await AuditEvent.count({ where: { tenantId: other.id, action: 'tenant_settings.update' } })).toBe(1);
  });

  it.each([
    [
      'an auto-denial before the reminder, against the stored escalation',
      { claimDocumentsAutoDenyDays: 5 },
      ['claimDocumentsReminderDays', 'claimDocumentsEscalationDays'],
    ],
    ['a reminder on the day of the auto-denial', { claimDocumentsReminderDays: 30 }, ['claimDocumentsReminderDays']],
    [
      'an escalation after the auto-denial',
      { claimDocumentsEscalationDays: 20, claimDocumentsAutoDenyDays: 15 },
      ['claimDocumentsEscalationDays'],
    ],
    ['a policy review reminder after its lapse', { policyReviewReminderDays: 20, policyReviewLapseDays: 14 }, ['policyReviewReminderDays']],
    ['a review lapsing before the stored reminder', { policyReviewLapseDays: 2 }, ['policyReviewReminderDays']],
    [
      'an acknowledgement reminder before the request',
      { acknowledgementReminderDaysBefore: 30, acknowledgementDeadlineDays: 14 },
      ['acknowledgementReminderDaysBefore'],
    ],
  ])('refuses deadlines with %s (422 naming each deadline that would never come in its place) and records nothing', (_what, body, fields) =>
    refusedNaming(body, fields),
  );

  it('takes deadlines that come before the one they must precede', async () => {
    const order = {
      claimDocumentsReminderDays: 2,
      claimDocumentsEscalationDays: 2,
      claimDocumentsAutoDenyDays: 3,
      policyReviewReminderDays: 3,
      policyReviewLapseDays: 4,
      acknowledgementReminderDaysBefore: 6,
      acknowledgementDeadlineDays: 7,
    };
    const saved = await put(order).expect(200);
    expect(saved.body).toMatchObject(order);
  });
});
