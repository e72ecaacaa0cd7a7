/**
 * A claim's row views write money as its live state does (docs/api.md, Money), on the real API,
 * worker, PostgreSQL and Temporal: the rows keep two decimals in any currency ("12000.00" yen), and
 * every answer read from them (the claim, its list, its reserves, payments, recoveries and figures,
 * the cover of the policy version that judged it, REST and GraphQL) writes the amount with its
 * currency's decimals, as the run's answers do.
 */
import { claimView, claimViews } from '../../../src/api/claims/views';
import type { User } from '../../../src/models';
import { createClaimsTeam, DEBTOR, fileAssignedClaim, type ClaimsTeam } from '../../claims/fixtures';
import { bearer, buildClaim, buildPlan, buildSubscription } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';
import { sentToPostgres } from '../../support/statements';

/** A claim's row as a page of claims reads it, with its currency. */
const ROW = {
  id: '7d3c0c2e-0000-4000-8000-000000000001',
  tenantId: '7d3c0c2e-0000-4000-8000-000000000002',
  claimNumber: 'CLM-2026-000001',
  subscriptionId: '7d3c0c2e-0000-4000-8000-000000000003',
  claimantId: '7d3c0c2e-0000-4000-8000-000000000004',
  filedById: '7d3c0c2e-0000-4000-8000-000000000004',
  incidentDate: '2026-11-02',
  description: 'Water damage in the kitchen',
  amountClaimed: '1.25',
  amountApproved: '1.20',
  status: 'approved' as const,
  assigneeId: null,
  denialReason: null,
  workflowId: 'claim-acme-CLM-2026-000001',
  runId: 'run-1',
  escalationDueAt: new Date('2026-11-30T09:00:00.000Z'),
  subscriptionVersionId: null,
  createdAt: new Date('2026-11-29T10:00:00.000Z'),
  updatedAt: new Date('2026-11-29T11:00:00.000Z'),
  currency: 'KWD',
};

/** The answer's bytes for ROW as the view built with a rest pattern wrote them (fields in the row's order, amounts, run). */
const ROW_ANSWER =
  '{"id":"7d3c0c2e-0000-4000-8000-000000000001","tenantId":"7d3c0c2e-0000-4000-8000-000000000002","claimNumber":"CLM-2026-000001","subscriptionId":"7d3c0c2e-0000-4000-8000-000000000003","claimantId":"7d3c0c2e-0000-4000-8000-000000000004","filedById":"7d3c0c2e-0000-4000-8000-000000000004","incidentDate":"2026-11-02","description":"Water damage in the kitchen","status":"approved","assigneeId":null,"denialReason":null,"subscriptionVersionId":null,"createdAt":"2026-11-29T10:00:00.000Z","updatedAt":"2026-11-29T11:00:00.000Z","amountClaimed":"1.250","amountApproved":"1.200","workflow":{"workflowId":"claim-acme-CLM-2026-000001","runId":"run-1"}}';

it("a page's claims are written byte for byte as the rest pattern wrote them, in each row's order", () => {
  expect(JSON.stringify(claimView(ROW))).toBe(ROW_ANSWER);
  const second = { ...ROW, amountApproved: null, currency: 'JPY', amountClaimed: '12000.00' };
  expect(JSON.stringify(claimViews([ROW, second]))).toBe(JSON.stringify([claimView(ROW), claimView(second)]));
  expect(JSON.parse(JSON.stringify(claimViews([second])))[0]).toMatchObject({ amountClaimed: '12000', amountApproved: null });
});

describe('a claim’s row views and its live state spell its amounts alike', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;

  beforeAll(async () => {
    team = await createClaimsTeam();
  }, 300_000);

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const get = (path: string) => stack.api.get(`/api/v1${path}`).set(as(team.manager)).expect(200);
  const post = (user: User, path: string, body: object) => stack.api.post(`/api/v1${path}`).set(as(user)).send(body);

  it('a yen claim answers "12000" from its row as from its run, and its money without decimals, REST and GraphQL', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY', coverageAmount: '3000000.00' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    const claimId = await fileAssignedClaim(stack, team, subscription, { amountClaimed: 12000 });
    const reserve = { costType: 'indemnity', category: 'repair', amount: '500', reason: 'Gutter' };
    await post(team.adjuster, `/claims/${claimId}/reserves`, reserve).expect(200);
    const payee = { kind: 'third_party', name: 'Yamada Kogyo', iban: 'DE89 3704 0044 0532 0130 00' };
    const paid = await post(team.adjuster, `/claims/${claimId}/payments`, {
      costType: 'indemnity',
      category: 'repair',
      amount: '400',
      payee,
    });
    expect(paid.status).toBe(201);
    // Issued in a bank file: paid, so there is something to recover.
    await post(team.manager, '/payment-batches', { debtor: DEBTOR }).expect(201);
    const recovered = await post(team.adjuster, `/claims/${claimId}/recoveries`, {
      kind: 'salvage',
      amount: '300',
      receivedOn: new Date().toISOString().slice(0, 10),
    }).expect(201);
    expect(recovered.body.amount).toBe('300');

    const claim = (await get(`/claims/${claimId}`)).body;
    expect([claim.amountClaimed, claim.amountApproved]).toEqual(['12000', null]);
    // The policy version that judged its cover writes its cover in the policy's currency too.
    expect(claim.subscriptionVersion).toMatchObject({ number: 1, coverageAmount: '3000000' });
    expect(claim.state).toMatchObject({ amountClaimed: claim.amountClaimed, amountApproved: null });
    // Outstanding: the lines (12000 + 100); paid: the payment issued (400).
    expect(claim.financials).toEqual({
      currency: 'JPY',
      outstanding: '12100',
      paid: '400',
      recovered: '300',
      incurred: '12200',
      recoveredBeyondPaid: '0',
    });
    const list = (await get(`/claims?subscriptionId=${subscription.id}`)).body.items;
    expect(list.map((row: { amountClaimed: string }) => row.amountClaimed)).toEqual(['12000']);

    const reserves = (await get(`/claims/${claimId}/reserves`)).body;
    expect(reserves.lines.map((line: { amount: string }) => line.amount)).toEqual(['12000', '100']);
    expect(reserves.changes.map(({ amountBefore, amount }: { amountBefore: string; amount: string }) => [amountBefore, amount])).toEqual([
      ['0', '12000'],
      ['0', '500'],
      ['500', '100'],
    ]);
    expect((await get(`/claims/${claimId}/payments`)).body.items.map((row: { amount: string }) => row.amount)).toEqual(['400']);
    expect((await get(`/claims/${claimId}/recoveries`)).body.items.map((row: { amount: string }) => row.amount)).toEqual(['300']);

    const query = `query ($id: ID!) { claim(id: $id) { amountClaimed amountApproved liveState { state { amountClaimed } } financials { recovered }
      subscriptionVersion { coverageAmount } } }`;
    const graphql = await stack.api
      .post('/api/graphql')
      .set(as(team.manager))
      .send({ query, variables: { id: claimId } })
      .expect(200);
    expect(graphql.body.data.claim).toEqual({
      amountClaimed: '12000',
      amountApproved: null,
      liveState: { state: { amountClaimed: '12000' } },
      financials: { recovered: '300' },
      subscriptionVersion: { coverageAmount: '3000000' },
    });
  });

  it("a page of claims in three currencies is read with each claim's currency in its one statement, each amount in its own", async () => {
    const amounts = { JPY: ['12000.00', '12000'], EUR: ['1234.50', '1234.50'], KWD: ['1.25', '1.250'] };
    const filed = new Map<string, string>();
    for (const [currency, [row, written]] of Object.entries(amounts)) {
      const plan = await buildPlan({ tenantId: team.tenant.id, currency });
      const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
      filed.set((await buildClaim({ subscriptionId: subscription.id, amountClaimed: row })).id, written);
    }
    const { result, statements } = await sentToPostgres(() => get('/claims?pageSize=100'));
    const listed = result.body.items.filter((row: { id: string }) => filed.has(row.id));
    expect(listed.map((row: { id: string; amountClaimed: string }) => row.amountClaimed)).toEqual(
      listed.map((row: { id: string }) => filed.get(row.id)),
    );
    expect(listed).toHaveLength(3);
    // The page, its total and the currencies: no second statement for the currencies of its claims.
    expect(statements.filter((sql) => /\bclaims\b/.test(sql))).toHaveLength(1);
  });

  it("a page's claims in yen, euros, dinars, Bahraini dinars and krónur are written as GET /claims/:id writes each claim", async () => {
    // A tenant of its own: its list holds these claims only.
    const own = await createClaimsTeam();
    /** Currency, amount claimed and approved as the row keeps them, and as the answers write them. */
    const cases = [
      { currency: 'JPY', claimed: ['12000.00', '12000'], approved: ['9000.00', '9000'] },
      // A yen amount with hundredths (none is taken any more) keeps them rather than lose them.
      { currency: 'JPY', claimed: ['12000.50', '12000.50'], approved: [null, null] },
      { currency: 'EUR', claimed: ['1234.50', '1234.50'], approved: ['0.10', '0.10'] },
      { currency: 'KWD', claimed: ['1.25', '1.250'], approved: ['0.50', '0.500'] },
      { currency: 'BHD', claimed: ['99999.99', '99999.990'], approved: [null, null] },
      { currency: 'ISK', claimed: ['700.00', '700'], approved: [null, null] },
    ];
    const ids: string[] = [];
    for (const [index, { currency, claimed, approved }] of cases.entries()) {
      const plan = await buildPlan({ tenantId: own.tenant.id, currency });
      const subscription = await buildSubscription({ policyholderId: own.claimant.id, planId: plan.id });
      const claim = await buildClaim({
        subscriptionId: subscription.id,
        amountClaimed: claimed[0]!,
        amountApproved: approved[0],
        // A closed claim has no run to ask for its live state.
        status: 'closed',
        description: `Claim ${index}: "quoted" \\ and a line\nbreak, Zoë 😀`,
        ...(index === 1 && { assigneeId: own.adjuster.id, denialReason: 'Not "covered"', runId: 'run-1' }),
        escalationDueAt: new Date('2026-12-01T09:00:00.000Z'),
      });
      ids.push(claim.id);
    }
    const ownGet = (path: string) =>
      stack.api
        .get(`/api/v1${path}`)
        .set({ Authorization: bearer(stack.config, own.manager) })
        .expect(200);
    const listed = (await ownGet('/claims?pageSize=100')).body.items as Record<string, unknown>[];
    expect(listed.map((item) => item.id).sort()).toEqual([...ids].sort());
    for (const item of listed) {
      const { currency, claimed, approved } = cases[ids.indexOf(item.id as string)];
      expect([currency, item.amountClaimed, item.amountApproved]).toEqual([currency, claimed[1], approved[1]]);
      // Every field of the listed claim, money and run included, as its own answer has it.
      const detail = (await ownGet(`/claims/${item.id}`)).body;
      expect(Object.fromEntries(Object.keys(item).map((key) => [key, detail[key]]))).toEqual(item);
      expect(Object.keys(item)).toEqual(expect.arrayContaining(['amountClaimed', 'amountApproved', 'workflow', 'createdAt']));
    }
  });
});
