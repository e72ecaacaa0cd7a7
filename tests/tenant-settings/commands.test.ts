/**
 * A tenant's authority limits as a tenant admin changes them (docs/claim-money.md, Authority), with
 * the real API and PostgreSQL: an adjuster's limit may not exceed a senior adjuster's of the same
 * kind, whichever side the change moves, and a refused change records nothing.
 */
import { AuditEvent, TenantSettings, type Tenant } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';

describe('tenant settings: the authority ladder', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let auth: string;

  beforeAll(async () => {
    stack = await startTestStack();
    tenant = await buildTenant({ slug: 'ladder', name: 'Ladder Mutual' });
    auth = bearer(stack.config, await buildUser({ tenantId: tenant.id, role: 'tenant_admin', email: 'ladder-admin@example.test' }));
  });
  afterAll(() => stack?.close());

  const put = (body: object) => stack.api.put('/api/v1/tenant/settings').set('Authorization', auth).send(body);
  const updates = () => AuditEvent.count({ where: { tenantId: tenant.id, action: 'tenant_settings.update' } });

  it.each([
    ['an adjuster above the default senior limit', { approvalLimitAdjuster: '30000.00' }, ['approvalLimitAdjuster']],
    ['a senior below the default adjuster limit', { reserveAuthoritySeniorAdjuster: '9999.99' }, ['reserveAuthorityAdjuster']],
    [
      'both monthly limits crossed in one change',
      { monthlyApprovalLimitAdjuster: '2000.00', monthlyApprovalLimitSeniorAdjuster: '1000.00' },
      ['monthlyApprovalLimitAdjuster'],
    ],
  ])('refuses %s (422 naming the adjuster limit) and records nothing', async (_what, body, fields) => {
    const before = (await TenantSettings.findByPk(tenant.id))?.values ?? null;
    const events = await updates();
    const res = await put(body).expect(422);
    expect(res.body.error.details.map((detail: { field: string }) => detail.field)).toEqual(fields);
    expect((await TenantSettings.findByPk(tenant.id))?.values ?? null).toEqual(before);
    expect(await updates()).toBe(events);
  });

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
});
