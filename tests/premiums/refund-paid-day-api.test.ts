/**
 * A refund owed by hand recorded paid back on the day it was recorded, that day typed without a time
 * (docs/premiums.md, Refunds paid back by hand; docs/ledger.md: "dated the day it was paid"), over REST on
 * real PostgreSQL with the API in process. A black-box run cancelled a paid policy and recorded its refund
 * paid back with `"paidAt": "2026-12-01"`, the day of the cancellation: 422 "A refund is paid back after it was
 * recorded", since the day was read as its midnight and compared with the instant the refund was written.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { PremiumRefund, TenantSettings } from '../../src/models';
import { DAY_MS, utcDay } from '../../src/shared/time';
import { bearer, buildUser } from '../support/factories';
import { buildMonthlyPolicyPaidTwice } from '../support/premiums';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';

const system = { actor: { type: 'system' as const, id: null } };

const stack = testStackOfBlock({ worker: false });

/** A cancelled policy's two refunds owed by hand (10.00 and 3.42 EUR), and a tenant admin paying them back with `paidAt`. */
async function refundsOwed() {
  const { plan, subscription, invoices } = await buildMonthlyPolicyPaidTwice(stack.db.sequelize);
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T12:00:00Z') });
  const [latest, first] = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  const admin = await buildUser({ tenantId: plan.tenantId, role: 'tenant_admin' });
  const payBack = (invoiceId: string, refundId: string, paidAt: string) =>
    stack.api
      .post(`/api/v1/invoices/${invoiceId}/refunds/${refundId}/paid`)
      .set('Authorization', bearer(stack.config, admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ paidAt, method: 'bank_transfer', reference: 'SEPA RF18 0042' });
  const paidEntryDay = async (refundId: string) => {
    const [entry] = await stack.db.sequelize.query<{ postedOn: string }>(
      `SELECT posted_on::text AS "postedOn" FROM journal_entries WHERE tenant_id = :tenantId AND source_key = :key`,
      { replacements: { tenantId: plan.tenantId, key: `premium_refund:${refundId}:paid` }, type: QueryTypes.SELECT },
    );
    return entry?.postedOn;
  };
  return { tenantId: plan.tenantId, invoices, latest, first, payBack, paidEntryDay };
}

describe('a refund paid back on the day it was recorded, typed as a day', () => {
  it("takes the day the tenant's calendar reads: a refund recorded at 20:00 in Los Angeles, 04:00 UTC the next day, is paid back that evening", async () => {
    const { tenantId, invoices, latest, payBack, paidEntryDay } = await refundsOwed();
    await TenantSettings.upsert({ tenantId, values: { timeZone: 'America/Los_Angeles' } });
    await stack.db.sequelize.query(`UPDATE premium_refunds SET created_at = '2026-03-11T04:00:00Z' WHERE id = :id`, {
      replacements: { id: latest.id },
    });
    const early = await payBack(invoices[1].id, latest.id, '2026-03-09').expect(422);
    expect(early.body.error.details).toEqual([{ field: 'paidAt', message: 'not before 2026-03-10, the day the refund was recorded' }]);
    await payBack(invoices[1].id, latest.id, '2026-03-10').expect(200);
    expect(await paidEntryDay(latest.id)).toBe('2026-03-10');
  });

  it('is accepted and posted that day; a day before the refund was recorded is still 422 and records nothing', async () => {
    // The refund is recorded and paid back within one UTC day.
    const today = await utcDayLasting();
    const { invoices, latest, first, payBack, paidEntryDay } = await refundsOwed();

    const yesterday = utcDay(Date.parse(today) - DAY_MS);
    const early = await payBack(invoices[0].id, first.id, yesterday).expect(422);
    expect(early.body.error).toMatchObject({
      message: 'A refund is paid back after it was recorded',
      details: [{ field: 'paidAt', message: `not before ${today}, the day the refund was recorded` }],
    });
    expect(await PremiumRefund.findByPk(first.id, { rejectOnEmpty: true })).toMatchObject({ status: 'owed', paidAt: null });
    expect(await paidEntryDay(first.id)).toBeUndefined();

    const paid = await payBack(invoices[1].id, latest.id, today).expect(200);
    expect(paid.body.refund).toMatchObject({ id: latest.id, status: 'succeeded', paidReference: 'SEPA RF18 0042' });
    expect(await paidEntryDay(latest.id)).toBe(today);
  });
});
