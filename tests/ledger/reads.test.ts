/**
 * Reading the books (docs/ledger.md, Reading the books) over REST and GraphQL, on the real
 * PostgreSQL with the API in process. The entries are posted here with `post()`, as the movements
 * post them, so what is read is known to the minor unit: the trial balance as of a day, the chart's
 * balances, an account's lines paged with their running balance, the journal as JSON and as a CSV
 * streamed a batch of entries at a time, a policy's statement; who may read them (403, 404 for
 * another holder's or tenant's policy) and what is refused as input (400).
 */
import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { allRoutes } from '../../src/api/routes';
import { ACCOUNT_CODES } from '../../src/domain/ledger/accounts';
import { credit, debit, post, type JournalEntry } from '../../src/domain/ledger/post';
import type { Tenant, User } from '../../src/models';
import { apiClient } from '../support/graphql';
import { bearer, buildClaim, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const parseCsv = (text: string): string[][] => parse(text, { bom: true });

describe('reading the books', () => {
  const stack = testStackOfBlock({ worker: false });
  let tenant: Tenant;
  let people: Record<'finance' | 'admin' | 'agent' | 'holder' | 'otherHolder' | 'outsider', User>;
  let subscriptionId: string;
  let otherSubscriptionId: string;
  const { graphql, data } = apiClient(() => stack);

  /** Posts the entry as a movement would, in its own transaction; answers its source key. */
  async function posted(tenantId: string, entry: Partial<JournalEntry> & Pick<JournalEntry, 'postedOn' | 'lines'>): Promise<string> {
    const sourceId = crypto.randomUUID();
    const sourceKey = `${entry.sourceType ?? 'invoice'}:${sourceId}:${crypto.randomUUID().slice(0, 8)}`;
    const sequelize = stack.db.sequelize;
    await sequelize.transaction((t) =>
      post(sequelize, { tenantId, sourceType: 'invoice', sourceId, sourceKey, description: 'Movement', currency: 'EUR', ...entry }, t),
    );
    return sourceKey;
  }

  const get = (path: string, user: User) => stack.api.get(`/api/v1${path}`).set('Authorization', bearer(stack.config, user));

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    const [finance, admin, agent, holder, otherHolder, outsider] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'finance' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: other.id, role: 'finance' }),
    ]);
    people = { finance, admin, agent, holder, otherHolder, outsider };
    const plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR', premium: '170.00' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
    subscriptionId = subscription.id;
    otherSubscriptionId = (await buildSubscription({ planId: plan.id, policyholderId: otherHolder.id })).id;
    const claim = await buildClaim({ subscriptionId });

    // The holder's policy: two invoices, a payment beyond the first, the excess refunded, part of the second voided.
    await posted(tenant.id, {
      subscriptionId,
      description: 'Invoice issued',
      postedOn: '2026-10-01',
      lines: [debit('premium_receivable', 12_000), credit('unearned_premium', 12_000)],
    });
    await posted(tenant.id, {
      sourceType: 'premium_payment',
      subscriptionId,
      description: 'Payment received',
      postedOn: '2026-10-05',
      lines: [debit('cash', 15_000), credit('premium_receivable', 12_000), credit('policyholder_credit', 3_000)],
    });
    await posted(tenant.id, {
      sourceType: 'premium_refund',
      subscriptionId,
      description: '=HYPERLINK("http://evil.example"), refund "owed"',
      postedOn: '2026-10-10',
      lines: [debit('policyholder_credit', 3_000), credit('refunds_payable', 3_000)],
    });
    await posted(tenant.id, {
      subscriptionId,
      description: 'Invoice issued',
      postedOn: '2026-11-01',
      lines: [debit('premium_receivable', 5_000), credit('unearned_premium', 5_000)],
    });
    await posted(tenant.id, {
      sourceType: 'premium_refund',
      subscriptionId,
      description: 'Refund paid',
      postedOn: '2026-11-02',
      lines: [debit('refunds_payable', 3_000), credit('cash', 3_000)],
    });
    await posted(tenant.id, {
      subscriptionId,
      description: 'Invoice voided',
      postedOn: '2026-11-20',
      lines: [debit('unearned_premium', 2_000), credit('premium_receivable', 2_000)],
    });
    // Not the policy's premium: its month's earning and its claim's reserve stay off its statement.
    await posted(tenant.id, {
      sourceType: 'earning',
      subscriptionId,
      description: 'Premium earned',
      postedOn: '2026-11-30',
      lines: [debit('unearned_premium', 1_000), credit('earned_premium', 1_000)],
    });
    await posted(tenant.id, {
      sourceType: 'reserve_change',
      claimId: claim.id,
      description: 'Reserve set up',
      postedOn: '2026-11-15',
      lines: [debit('reserve_movement', 50_000), credit('loss_reserves', 50_000)],
    });
    // Another policy, in December: after the trial balance's day.
    await posted(tenant.id, {
      subscriptionId: otherSubscriptionId,
      description: 'Invoice issued',
      postedOn: '2026-12-15',
      lines: [debit('premium_receivable', 7_000), credit('unearned_premium', 7_000)],
    });
    // Yen, written without decimals.
    await posted(tenant.id, {
      sourceType: 'recovery',
      currency: 'JPY',
      description: 'Recovery received',
      postedOn: '2026-11-03',
      lines: [debit('cash', 12_000), credit('recoveries', 12_000)],
    });
    // The other tenant's books.
    await posted(other.id, {
      currency: 'GBP',
      description: 'Their invoice',
      postedOn: '2026-10-01',
      lines: [debit('premium_receivable', 99_900), credit('unearned_premium', 99_900)],
    });
  });

  type Row = { code: string; currency: string; debit: string; credit: string; balance: string };
  const accountIn = (accounts: Row[], code: string, currency = 'EUR') => accounts.find((a) => a.code === code && a.currency === currency);

  it('answers the trial balance as of a day: debits equal credits per currency, later lines left out', async () => {
    const november = (await get('/ledger/trial-balance?asOf=2026-11-30', people.finance).expect(200)).body;
    expect(november.balanced).toBe(true);
    expect(november.totals).toEqual([
      { currency: 'EUR', debit: '910.00', credit: '910.00', balanced: true },
      { currency: 'JPY', debit: '12000', credit: '12000', balanced: true },
    ]);
    expect(accountIn(november.accounts, 'cash')).toEqual({
      code: 'cash',
      name: 'Cash at bank',
      kind: 'asset',
      currency: 'EUR',
      debit: '150.00',
      credit: '30.00',
      balance: '120.00',
    });
    expect(accountIn(november.accounts, 'premium_receivable')).toMatchObject({ debit: '170.00', credit: '140.00', balance: '30.00' });
    expect(accountIn(november.accounts, 'unearned_premium')).toMatchObject({ debit: '30.00', credit: '170.00', balance: '140.00' });
    expect(accountIn(november.accounts, 'recoveries', 'JPY')).toMatchObject({ credit: '12000', balance: '12000' });
    // Every chart account in each currency, those without lines at zero.
    expect(november.accounts).toHaveLength(2 * ACCOUNT_CODES.length);
    expect(accountIn(november.accounts, 'paid_losses')).toMatchObject({ debit: '0.00', credit: '0.00', balance: '0.00' });

    // The day is included: the December invoice counts on the 15th, not on the 14th.
    const before = (await get('/ledger/trial-balance?asOf=2026-12-14&currency=EUR', people.admin).expect(200)).body;
    const on = (await get('/ledger/trial-balance?asOf=2026-12-15&currency=EUR', people.admin).expect(200)).body;
    expect(before.totals).toEqual([{ currency: 'EUR', debit: '910.00', credit: '910.00', balanced: true }]);
    expect(on.totals).toEqual([{ currency: 'EUR', debit: '980.00', credit: '980.00', balanced: true }]);
    expect(accountIn(on.accounts, 'premium_receivable')).toMatchObject({ balance: '100.00' });
    // Before the first line there is nothing to list.
    expect((await get('/ledger/trial-balance?asOf=2026-09-30', people.finance).expect(200)).body).toEqual({
      asOf: '2026-09-30',
      balanced: true,
      accounts: [],
      totals: [],
    });
  });

  it('answers the same trial balance and chart over GraphQL', async () => {
    const rest = (await get('/ledger/trial-balance?asOf=2026-11-30', people.finance).expect(200)).body;
    const answer = await data<{ ledgerTrialBalance: unknown }>(
      `query ($asOf: String) { ledgerTrialBalance(asOf: $asOf) {
         asOf balanced accounts { code name kind currency debit credit balance } totals { currency debit credit balanced } } }`,
      { asOf: '2026-11-30' },
      people.finance,
    );
    expect(answer.ledgerTrialBalance).toEqual(rest);
    const chart = (await get('/ledger/accounts', people.finance).expect(200)).body;
    const accounts = await data<{ ledgerAccounts: unknown }>(
      '{ ledgerAccounts { code name kind normalSide balances { currency debit credit balance } } }',
      {},
      people.finance,
    );
    expect(accounts.ledgerAccounts).toEqual(chart.accounts);

    const refused = await graphql('{ ledgerTrialBalance { balanced } }', {}, people.agent);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const malformed = await graphql('{ ledgerTrialBalance(asOf: "2026-02-30") { balanced } }', {}, people.finance);
    expect(malformed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("lists the chart with each account's balance to date in every currency, zero ones too", async () => {
    const { accounts } = (await get('/ledger/accounts', people.finance).expect(200)).body;
    expect(accounts.map((account: { code: string }) => account.code)).toEqual(ACCOUNT_CODES);
    const receivable = accounts.find((account: { code: string }) => account.code === 'premium_receivable');
    expect(receivable).toMatchObject({ name: 'Premium receivable', kind: 'asset', normalSide: 'debit' });
    expect(receivable.balances).toEqual([
      { currency: 'EUR', debit: '240.00', credit: '140.00', balance: '100.00' },
      { currency: 'JPY', debit: '0', credit: '0', balance: '0' },
    ]);
    const reserves = accounts.find((account: { code: string }) => account.code === 'loss_reserves');
    expect(reserves.balances[0]).toEqual({ currency: 'EUR', debit: '0.00', credit: '500.00', balance: '500.00' });
  });

  it("pages an account's lines with its running balance, every earlier line counted", async () => {
    const path = '/ledger/accounts/premium_receivable/entries?currency=EUR&pageSize=2';
    const first = (await get(path, people.finance).expect(200)).body;
    expect(first.pagination).toMatchObject({ page: 1, pageSize: 2, total: 5, totalIsExact: true, hasMore: true, totalPages: 3 });
    expect(first.items.map((line: Row & { postedOn: string }) => [line.postedOn, line.debit, line.credit, line.balance])).toEqual([
      ['2026-10-01', '120.00', '0.00', '120.00'],
      ['2026-10-05', '0.00', '120.00', '0.00'],
    ]);
    expect(first.items[0]).toMatchObject({ description: 'Invoice issued', sourceType: 'invoice', subscriptionId, currency: 'EUR' });
    const second = (await get(`${path}&page=2`, people.finance).expect(200)).body;
    expect(second.items.map((line: Row) => line.balance)).toEqual(['50.00', '30.00']);
    const last = (await get(`${path}&page=3`, people.finance).expect(200)).body;
    expect(last.items.map((line: Row) => line.balance)).toEqual(['100.00']);
    expect(last.pagination.hasMore).toBe(false);

    // A range counts the lines before it in the balance.
    const november = (await get('/ledger/accounts/premium_receivable/entries?from=2026-11-01&to=2026-11-30', people.finance).expect(200))
      .body;
    expect(november.items.map((line: Row) => [line.debit, line.credit, line.balance])).toEqual([
      ['50.00', '0.00', '50.00'],
      ['0.00', '20.00', '30.00'],
    ]);
    await get('/ledger/accounts/petty_cash/entries', people.finance).expect(404);
    await get('/ledger/accounts/Cash!/entries', people.finance).expect(400);
  });

  it('lists entries with their lines, filtered by day and source, earliest or latest first', async () => {
    const refunds = (await get('/ledger/entries?sourceType=premium_refund', people.finance).expect(200)).body;
    expect(refunds.items.map((entry: { postedOn: string }) => entry.postedOn)).toEqual(['2026-10-10', '2026-11-02']);
    expect(refunds.items[1].lines).toEqual([
      { account: 'refunds_payable', accountName: 'Premium refunds payable', currency: 'EUR', debit: '30.00', credit: '0.00' },
      { account: 'cash', accountName: 'Cash at bank', currency: 'EUR', debit: '0.00', credit: '30.00' },
    ]);
    const november = (await get('/ledger/entries?from=2026-11-01&to=2026-11-30&ordering=-postedOn&pageSize=3', people.finance).expect(200))
      .body;
    expect(november.items.map((entry: { postedOn: string }) => entry.postedOn)).toEqual(['2026-11-30', '2026-11-20', '2026-11-15']);
    expect(november.pagination).toMatchObject({ total: 6, hasMore: true });
    // Nothing of the other tenant's books, nor theirs of ours.
    const all = (await get('/ledger/entries?pageSize=100', people.finance).expect(200)).body;
    expect(all.items).toHaveLength(10);
    expect(all.items.some((entry: { currency: string }) => entry.currency === 'GBP')).toBe(false);
    const theirs = (await get('/ledger/entries', people.outsider).expect(200)).body;
    expect(theirs.items.map((entry: { description: string }) => entry.description)).toEqual(['Their invoice']);
    const theirBalance = (await get('/ledger/trial-balance', people.outsider).expect(200)).body;
    expect(theirBalance.totals).toEqual([{ currency: 'GBP', debit: '999.00', credit: '999.00', balanced: true }]);
  });

  it('exports the range as CSV, one row per line, text escaped and formulas neutralised', async () => {
    const res = await get('/ledger/entries?from=2026-10-01&to=2026-10-31', people.finance).set('Accept', 'text/csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('journal-2026-10-01-to-2026-10-31.csv');
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual([
      'entry id',
      'posted on',
      'source type',
      'source id',
      'source key',
      'description',
      'account code',
      'account name',
      'currency',
      'debit',
      'credit',
      'subscription id',
      'claim id',
      'plan id',
    ]);
    const column = (name: string) => header.indexOf(name);
    expect(rows.map((row) => [row[column('posted on')], row[column('account code')], row[column('debit')], row[column('credit')]])).toEqual(
      [
        ['2026-10-01', 'premium_receivable', '120.00', '0.00'],
        ['2026-10-01', 'unearned_premium', '0.00', '120.00'],
        ['2026-10-05', 'cash', '150.00', '0.00'],
        ['2026-10-05', 'premium_receivable', '0.00', '120.00'],
        ['2026-10-05', 'policyholder_credit', '0.00', '30.00'],
        ['2026-10-10', 'policyholder_credit', '30.00', '0.00'],
        ['2026-10-10', 'refunds_payable', '0.00', '30.00'],
      ],
    );
    // The comma and quotes survive the round trip; the formula is text with a leading apostrophe.
    expect(rows[5][column('description')]).toBe(`'=HYPERLINK("http://evil.example"), refund "owed"`);
    expect(rows[0][column('subscription id')]).toBe(subscriptionId);
    expect(rows[0][column('claim id')]).toBe('');
    expect(rows[0][column('account name')]).toBe('Premium receivable');
  });

  it('streams every line of a range longer than one batch of entries, once each and in order', async () => {
    const busy = await buildTenant();
    const finance = await buildUser({ tenantId: busy.id, role: 'finance' });
    const sequelize = stack.db.sequelize;
    // 1,203 entries over three days, posted in one transaction: more than two batches of 500.
    await sequelize.transaction(async (t) => {
      for (let i = 0; i < 1203; i += 1) {
        const sourceId = crypto.randomUUID();
        await post(
          sequelize,
          {
            tenantId: busy.id,
            sourceType: 'premium_payment',
            sourceId,
            sourceKey: `premium_payment:${sourceId}:received`,
            description: `Payment ${i}`,
            postedOn: `2026-10-0${1 + (i % 3)}`,
            currency: 'EUR',
            lines: [debit('cash', 100 + i), credit('premium_receivable', 100 + i)],
          },
          t,
        );
      }
    });
    const res = await get('/ledger/entries?format=csv', finance).expect(200);
    const [header, ...rows] = parseCsv(res.text);
    expect(rows).toHaveLength(2 * 1203);
    const entryIds = rows.map((row) => row[header.indexOf('entry id')]);
    expect(new Set(entryIds).size).toBe(1203);
    const keys = rows.map((row) => `${row[header.indexOf('posted on')]} ${row[header.indexOf('entry id')]}`);
    expect(keys).toEqual([...keys].sort());
    const cents = (column: string) => rows.reduce((sum, row) => sum + Math.round(Number(row[header.indexOf(column)]) * 100), 0);
    expect(cents('debit')).toBe(cents('credit'));
    expect(cents('debit')).toBe(1203 * 100 + (1202 * 1203) / 2);
  });

  it("answers a policy's statement from the books to its holder and staff, 404 to another holder or tenant", async () => {
    const statement = (await get(`/subscriptions/${subscriptionId}/statement`, people.holder).expect(200)).body;
    expect(statement.figures).toEqual([
      {
        currency: 'EUR',
        billed: '170.00',
        voided: '20.00',
        paid: '150.00',
        refunded: '30.00',
        owed: '30.00',
        credit: '0.00',
        refundPending: '0.00',
      },
    ]);
    // Its premium entries only: not the month's earning nor its claim's reserve.
    expect(statement.entries.map((entry: { description: string }) => entry.description)).toEqual([
      'Invoice issued',
      'Payment received',
      '=HYPERLINK("http://evil.example"), refund "owed"',
      'Invoice issued',
      'Refund paid',
      'Invoice voided',
    ]);
    expect(statement.truncated).toBe(false);
    expect((await get(`/subscriptions/${subscriptionId}/statement`, people.agent).expect(200)).body).toEqual(statement);
    await get(`/subscriptions/${subscriptionId}/statement`, people.otherHolder).expect(404);
    await get(`/subscriptions/${subscriptionId}/statement`, people.outsider).expect(404);
    const other = (await get(`/subscriptions/${otherSubscriptionId}/statement`, people.otherHolder).expect(200)).body;
    expect(other.figures).toEqual([
      {
        currency: 'EUR',
        billed: '70.00',
        voided: '0.00',
        paid: '0.00',
        refunded: '0.00',
        owed: '70.00',
        credit: '0.00',
        refundPending: '0.00',
      },
    ]);
  });

  it('states its parameters in the OpenAPI document, and answers what it declares, no field more or other', async () => {
    const { body: doc } = await stack.api.get('/api/openapi.json').expect(200);
    const parameter = (path: string, name: string) =>
      doc.paths[`/api/v1${path}`].get.parameters.find((p: { name: string }) => p.name === name).schema;
    expect(parameter('/ledger/trial-balance', 'asOf')).toMatchObject({ type: 'string', format: 'date' });
    expect(parameter('/ledger/trial-balance', 'currency')).toMatchObject({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$' });
    expect(parameter('/ledger/accounts/{code}/entries', 'code')).toMatchObject({ maxLength: 40, pattern: '^[a-z_]+$' });
    expect(parameter('/ledger/entries', 'sourceType').enum).toContain('premium_refund');
    expect(parameter('/ledger/entries', 'to')).toMatchObject({ format: 'date' });
    expect(Object.keys(doc.paths['/api/v1/ledger/entries'].get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(doc.paths['/api/v1/ledger/trial-balance'].get.description).toBe('Roles: finance, tenant_admin');
    const specs = allRoutes(stack.config);
    const urls: [path: string, url: string, user: User][] = [
      ['/ledger/trial-balance', '/ledger/trial-balance?asOf=2026-12-31', people.finance],
      ['/ledger/accounts', '/ledger/accounts', people.finance],
      ['/ledger/accounts/:code/entries', '/ledger/accounts/cash/entries?pageSize=100', people.finance],
      ['/ledger/entries', '/ledger/entries?pageSize=100', people.finance],
      ['/subscriptions/:id/statement', `/subscriptions/${subscriptionId}/statement`, people.holder],
    ];
    for (const [path, url, user] of urls) {
      const schema = specs.find((spec) => spec.method === 'get' && spec.path === path)!.response.schema!;
      const { body } = await get(url, user).expect(200);
      const { error } = schema.validate(body, { allowUnknown: false, abortEarly: false });
      expect({ path, problems: error?.details.map((d) => `${d.path.join('.')}: ${d.message}`) ?? [] }).toEqual({ path, problems: [] });
    }
  });

  it('refuses the roles without viewLedger with 403 and malformed input with 400, year 0000 included', async () => {
    for (const user of [people.holder, people.agent]) {
      await get('/ledger/trial-balance', user).expect(403);
      await get('/ledger/accounts', user).expect(403);
      await get('/ledger/accounts/cash/entries', user).expect(403);
      await get('/ledger/entries', user).set('Accept', 'text/csv').expect(403);
    }
    for (const query of [
      'asOf=0000-01-01',
      'asOf=2026-02-30',
      'asOf=30.11.2026',
      'currency=eur',
      'currency=EURO',
      'asOf=2026-11-30&extra=1',
    ]) {
      const res = await get(`/ledger/trial-balance?${query}`, people.finance).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    // Year 0000 reads as a date in JavaScript but not in PostgreSQL: refused by the one day schema, here and on a policy's asOf (both were 500).
    await get(`/subscriptions/${subscriptionId}?asOf=0000-01-01`, people.holder).expect(400);
    const backwards = await get('/ledger/entries?from=2026-11-01&to=2026-10-31', people.finance).expect(400);
    expect(backwards.body.error.details[0]).toMatchObject({ field: 'query.to' });
    await get('/ledger/entries?sourceType=gift', people.finance).expect(400);
    await get('/ledger/accounts/cash/entries?from=2026-13-01', people.finance).expect(400);
    await get('/subscriptions/not-a-uuid/statement', people.holder).expect(400);
  });
});
