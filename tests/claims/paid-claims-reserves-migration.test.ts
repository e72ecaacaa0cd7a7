/**
 * Migration 0057 on claims paid before reserves were kept (real PostgreSQL): each paid claim gets
 * the reserve it was paid from and its release, so it reads as a new one does; a claim with
 * reserves of its own and an unpaid one are left alone; the migration may run again.
 */
import type { Sequelize } from 'sequelize';
import { up } from '../../src/models/migrations/0057-paid-claims-reserves';
import { ClaimReserveChange, ClaimReserveLine, ClaimPayment } from '../../src/models';
import { financialsOf } from '../../src/domain/claims/money';
import { formatClaimAmount } from '../../src/shared/money';
import { buildClaim } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';

describe('migration 0057 (reserves of claims paid before them) on existing rows', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
  });
  afterAll(() => db?.close());

  it('gives a paid claim its reserve and release, leaves others alone, and may run again', async () => {
    const paid = await buildClaim({ status: 'closed', amountApproved: '750.00' });
    await ClaimPayment.create({
      tenantId: paid.tenantId,
      claimId: paid.id,
      amount: '750.00',
      reference: 'PAY-OLD-1',
      paidAt: new Date('2026-03-01T10:00:00Z'),
    });
    const unpaid = await buildClaim({ status: 'under_review' });
    const ownReserves = await buildClaim({ status: 'closed' });
    await ClaimPayment.create({
      tenantId: ownReserves.tenantId,
      claimId: ownReserves.id,
      amount: '90.00',
      reference: 'PAY-NEW-1',
      paidAt: new Date(),
    });
    await ClaimReserveChange.create({
      id: crypto.randomUUID(),
      tenantId: ownReserves.tenantId,
      claimId: ownReserves.id,
      costType: 'expense',
      category: 'legal',
      amountBefore: '0',
      amount: '90.00',
      reason: 'Counsel',
      status: 'applied',
      requestedById: null,
      requestedAt: new Date(),
    });

    await up(sequelize.getQueryInterface());
    await up(sequelize.getQueryInterface());

    // 0057 runs here on today's columns, which keep the scale an amount is written with (0115), so
    // amounts are compared as the API writes them.
    const euros = (amount: string) => formatClaimAmount(amount, 'EUR');
    const changes = await ClaimReserveChange.findAll({ where: { claimId: paid.id }, order: [['requestedAt', 'ASC']] });
    expect(changes.map((change) => [change.status, euros(change.amountBefore), euros(change.amount), change.requestedById])).toEqual([
      ['applied', '0.00', '750.00', null],
      ['released', '750.00', '0.00', null],
    ]);
    expect(
      (await ClaimReserveLine.findAll({ where: { claimId: paid.id } })).map((line) => [line.costType, line.category, euros(line.amount)]),
    ).toEqual([['indemnity', 'other', '0.00']]);
    expect(await ClaimReserveChange.count({ where: { claimId: unpaid.id } })).toBe(0);
    expect(await ClaimReserveChange.count({ where: { claimId: ownReserves.id } })).toBe(1);
    const figures = await financialsOf([paid.id]);
    expect(figures.get(paid.id)).toMatchObject({ outstanding: '0.00', paid: '750.00', recovered: '0.00', incurred: '750.00' });
  });
});
