/**
 * Recording quotes (src/domain/quotes/recording.ts) on the real PostgreSQL: the quotes priced in one
 * turn of the event loop share one statement, and each is still answered with its own outcome: its
 * row and validity (the tenant's own), its mail, a taken id refused as a duplicate, a row the
 * database refuses failing alone.
 */
import crypto from 'node:crypto';
import { DatabaseError, UniqueConstraintError } from 'sequelize';
import { quoteHolderFor } from '../../src/access/quotes';
import { recordQuote, type NewQuote } from '../../src/domain/quotes/recording';
import { OutboxMessage, Plan, Quote, Tenant, TenantSettings, User } from '../../src/models';
import { DAY_MS } from '../../src/shared/time';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { RISK } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';
import { sentToPostgres } from '../support/statements';

describe('recording quotes', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let shortLived: Tenant;
  let plan: Plan;
  let shortLivedPlan: Plan;
  let holder: User;

  beforeAll(async () => {
    [tenant, shortLived] = await Promise.all([buildTenant(), buildTenant()]);
    // A tenant whose quotes are valid 7 days instead of the default 30.
    await TenantSettings.upsert({ tenantId: shortLived.id, values: { quoteValidityDays: 7 } });
    [plan, shortLivedPlan, holder] = await Promise.all([
      buildPlan({ tenantId: tenant.id, currency: 'EUR' }),
      buildPlan({ tenantId: shortLived.id, currency: 'EUR' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
    ]);
  });

  /** A quoted quote of 475.20 EUR on `on`, asked for by `by` (null: a visitor), for its holder as the API records it. */
  const newQuote = (on: Plan, by: User | null, overrides: Partial<NewQuote> = {}): NewQuote => ({
    id: crypto.randomUUID(),
    tenantId: on.tenantId,
    planId: on.id,
    ratingVersionId: null,
    requestedById: by?.id ?? null,
    policyholderId: by && quoteHolderFor(by),
    status: 'quoted',
    risk: RISK,
    currency: 'EUR',
    premiumMinor: 47520,
    breakdown: [{ step: 'fixed', label: 'The plan’s premium', amount: '475.20' }],
    instalments: [{ number: 1, amountMinor: 47520 }],
    referralReasons: [],
    createdAt: new Date(),
    ...overrides,
  });
  const mailsOf = (id: string) => OutboxMessage.count({ where: { kind: 'mail', workflowId: `quote-issued-${id}` } });
  const quoteInserts = (statements: string[]) => statements.filter((sql) => /INSERT INTO quotes/.test(sql));

  it("records the quotes priced in one turn by one statement: each answered with its own row, its tenant's validity and, when signed in, its mail", async () => {
    const asked = [newQuote(plan, holder), newQuote(plan, null), newQuote(shortLivedPlan, null), newQuote(plan, holder)];

    const { result: answered, statements } = await sentToPostgres(() =>
      Promise.all(asked.map((values) => recordQuote(stack.db.sequelize, values))),
    );

    expect(quoteInserts(statements)).toHaveLength(1);
    const validDays = [30, 30, 7, 30];
    for (const [index, values] of asked.entries()) {
      const stored = (await Quote.findByPk(values.id))!;
      expect(stored.validUntil.getTime() - values.createdAt.getTime()).toBe(validDays[index] * DAY_MS);
      // The answer is the row as stored, field for field, as plain values (no model instance built for it).
      expect(answered[index]).toStrictEqual(stored.get({ plain: true }));
      expect(await mailsOf(values.id)).toBe(values.requestedById ? 1 : 0);
    }
  });

  it('answers a taken id (a repeated Idempotency-Key) as a duplicate and records the others of its statement', async () => {
    const first = newQuote(plan, holder);
    await recordQuote(stack.db.sequelize, first);
    const others = [newQuote(plan, holder), newQuote(plan, null)];

    const outcomes = await Promise.allSettled([first, ...others].map((values) => recordQuote(stack.db.sequelize, values)));

    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: expect.any(UniqueConstraintError) });
    expect(outcomes.slice(1).map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await Quote.count({ where: { id: [first.id, ...others.map((values) => values.id)] } })).toBe(3);
    expect(await mailsOf(first.id)).toBe(1);
  });

  it('fails only the quote whose row PostgreSQL refuses: the others of its statement are recorded one by one', async () => {
    const refused = newQuote(plan, holder, { premiumMinor: 0 });
    const others = [newQuote(plan, holder), newQuote(shortLivedPlan, null)];

    const { result: outcomes, statements } = await sentToPostgres(() =>
      Promise.allSettled([others[0], refused, others[1]].map((values) => recordQuote(stack.db.sequelize, values))),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseError);
    expect(quoteInserts(statements)).toHaveLength(4);
    expect(await Quote.count({ where: { id: others.map((values) => values.id) } })).toBe(2);
    expect(await Quote.count({ where: { id: refused.id } })).toBe(0);
    expect(await mailsOf(others[0].id)).toBe(1);
    expect(await mailsOf(refused.id)).toBe(0);
  });
});
