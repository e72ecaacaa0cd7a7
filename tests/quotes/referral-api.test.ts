/**
 * Referred quotes decided through the API (docs/quotes.md, Referral), on the dev server with a real
 * worker: a quote the plan's referral rules catch is answered `referred` and its run opened with a
 * deadline in business days; an underwriter accepts it with a loading (REST) or declines it
 * (GraphQL), and every refusal a client can meet is answered before anything changes.
 */
import { Quote, type Plan, type RatingVersion, type Tenant, type User } from '../../src/models';
import { quoteReferralRun } from '../../src/contracts/quote-referral';
import { DueAt } from '../../src/shared/search-attributes';
import { apiKeyHeader } from '../support/api-keys';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { buildQuote, buildRatingVersion, RISK, TABLES } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

describe('quote referral API', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let plan: Plan;
  let version: RatingVersion;
  let holder: User;
  let underwriter: User;
  let otherUnderwriter: User;
  let agent: User;
  let outsider: User;
  const client = apiClient(() => stack);
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const decide = (id: string, action: 'accept' | 'decline', user: User, body: object = {}) =>
    stack.api.post(`/api/v1/quotes/${id}/${action}`).set(as(user)).send(body);

  beforeAll(async () => {
    tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    underwriter = await buildUser({ tenantId: tenant.id, role: 'underwriter' });
    otherUnderwriter = await buildUser({ tenantId: tenant.id, role: 'underwriter' });
    agent = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    outsider = await buildUser({ role: 'underwriter' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    version = await buildRatingVersion(plan, admin.id, { tables: { ...TABLES, referral: { sumInsuredAbove: '250000.00' } } });
  });

  /** A quote of 475.20 EUR asked for by `user`, referred for its sum insured, once its run is open. */
  async function referredQuote(user: User): Promise<string> {
    const res = await stack.api.post('/api/v1/quotes').set(as(user)).send({ planId: plan.id, risk: RISK });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'referred', premium: '475.20' });
    expect(res.body.referralReasons).toHaveLength(1);
    const handle = stack.temporal.workflow.getHandle(quoteReferralRun.id(res.body.id));
    await eventually(
      () => handle.describe().catch(() => null),
      (run) => run?.status.name === 'RUNNING',
      'the referral run to start',
    );
    return res.body.id;
  }

  it('accept with a loading: the refusals change nothing, then the quote is quoted at 546.48 and its holder mailed', async () => {
    const id = await referredQuote(holder);
    const quote = await Quote.findByPk(id, { rejectOnEmpty: true });
    // Two business days of the tenant's default calendar from the request, kept on the quote and the run.
    expect(quote.referralDueAt!.getTime()).toBeGreaterThan(Date.now() + 24 * 60 * 60 * 1000);
    const run = await stack.temporal.workflow.getHandle(quoteReferralRun.id(id)).describe();
    expect(run.typedSearchAttributes.get(DueAt)?.toISOString()).toBe(quote.referralDueAt!.toISOString());
    // The run is visible as its quote is: to the tenant's underwriters and its requester, to nobody else.
    const runPath = `/api/v1/workflows/${quoteReferralRun.id(id)}`;
    expect((await stack.api.get(runPath).set(as(underwriter))).body).toMatchObject({ searchAttributes: { BusinessStatus: 'referred' } });
    expect((await stack.api.get(runPath).set(as(outsider))).status).toBe(404);

    const inbox = await stack.api.get('/api/v1/me/tasks').set(as(underwriter));
    expect(inbox.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'quote_referral', id, title: 'Referred quote: 475.20 EUR (' + quote.referralReasons[0] + ')' }),
      ]),
    );

    expect((await decide(id, 'accept', holder)).status).toBe(403);
    expect((await decide(id, 'accept', agent)).status).toBe(403);
    expect((await decide(id, 'accept', outsider)).status).toBe(404);
    for (const loading of ['1.5', '0.12345', '-0.1', 'abc', 0.15]) {
      const refused = await decide(id, 'accept', underwriter, { loading });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details[0]).toMatchObject({ field: 'body.loading' });
    }
    expect((await decide(id, 'accept', underwriter, { note: 'x'.repeat(2001) })).status).toBe(400);
    expect((await decide(id, 'decline', underwriter, {})).status).toBe(400);
    // A key with an underwriter's role is a machine acting as the admin who made it: a referral waits for a person's judgement.
    const key = await apiKeyHeader(stack, await buildUser({ tenantId: tenant.id, role: 'tenant_admin' }), 'underwriter');
    const byKey = await stack.api.post(`/api/v1/quotes/${id}/accept`).set(key).send({});
    expect([byKey.status, byKey.body.error?.code]).toEqual([403, 'person_required']);
    expect(await Quote.findByPk(id)).toMatchObject({ status: 'referred', premiumMinor: 47520, decidedById: null });

    const accepted = await decide(id, 'accept', underwriter, { loading: '0.15', note: 'Old wiring' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id, status: 'quoted', premium: '546.48', currency: 'EUR' });
    expect(accepted.body.referral).toMatchObject({ loading: '0.1500', note: 'Old wiring', dueAt: expect.any(String) });
    expect(Date.parse(accepted.body.referral.decidedAt)).toBeLessThanOrEqual(Date.now());
    expect(accepted.body.breakdown.at(-1)).toMatchObject({ step: 'loading', factor: '1.15', amount: '71.28' });
    expect(await Quote.findByPk(id)).toMatchObject({ loading: '0.1500', decisionNote: 'Old wiring', decidedById: underwriter.id });
    await stack.smtp.waitFor((m) => m.to.includes(holder.email) && m.subject === 'Your quote is accepted: 546.48 EUR');
    // Once the run has ended, a second decision is refused from the row, naming the quote's status (while the run still
    // finishes, its validator refuses it as "decided", also 409).
    expect(await stack.temporal.workflow.getHandle(quoteReferralRun.id(id)).result()).toBe('accepted');

    const again = await decide(id, 'decline', otherUnderwriter, { note: 'Changed my mind' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('quoted');
    expect((await decide(id, 'accept', otherUnderwriter, { loading: '0.2' })).status).toBe(409);
    expect(await Quote.findByPk(id)).toMatchObject({ status: 'quoted', premiumMinor: 54648 });
    expect((await stack.api.get('/api/v1/me/tasks').set(as(underwriter))).body.items.map((t: { id: string }) => t.id)).not.toContain(id);
  });

  it('an underwriter may not decide a quote they asked for under another account on their mailbox (403 same_person), changing nothing', async () => {
    // The underwriter's own mailbox, a sub-address of it, as a policyholder: the run knows only the requester's account.
    const [local, host] = underwriter.email.split('@');
    const ownHome = await buildUser({ tenantId: tenant.id, role: 'policyholder', email: `${local}+home@${host.toUpperCase()}` });
    const id = await referredQuote(ownHome);
    for (const [action, body] of [
      ['accept', { loading: '0' }],
      ['decline', { note: 'No' }],
    ] as const) {
      const refused = await decide(id, action, underwriter, body);
      expect([refused.status, refused.body.error?.code]).toEqual([403, 'same_person']);
    }
    const mutation = `mutation ($id: ID!) { acceptQuoteReferral(id: $id) { id status } }`;
    expect((await client.graphql(mutation, { id }, underwriter)).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(await Quote.findByPk(id)).toMatchObject({ status: 'referred', decidedById: null, loading: null });
    // Another person still decides it.
    expect((await decide(id, 'accept', otherUnderwriter, { loading: '0' })).status).toBe(200);
  });

  it('an underwriter may not decide their own quote; another declines it over GraphQL; a quote never referred is 409', async () => {
    const id = await referredQuote(underwriter);
    const taskIds = async (user: User) =>
      ((await stack.api.get('/api/v1/me/tasks').set(as(user))).body.items as { id: string }[]).map((t) => t.id);
    expect(await taskIds(underwriter)).not.toContain(id);
    expect(await taskIds(otherUnderwriter)).toContain(id);
    const own = await decide(id, 'decline', underwriter, { note: 'No' });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toContain('may not decide');

    const mutation = `mutation ($id: ID!, $note: String!) { declineQuoteReferral(id: $id, note: $note) { id status premium } }`;
    const declined = await client.data<{ declineQuoteReferral: object }>(mutation, { id, note: 'Flood zone' }, otherUnderwriter);
    expect(declined.declineQuoteReferral).toEqual({ id, status: 'declined', premium: '475.20' });
    expect(await Quote.findByPk(id)).toMatchObject({ status: 'declined', decisionNote: 'Flood zone', decidedById: otherUnderwriter.id });
    const mail = await stack.smtp.waitFor((m) => m.to.includes(underwriter.email) && m.subject === 'Your quote was declined');
    expect(mail.text).toContain('Flood zone');

    const refused = await client.graphql(mutation, { id, note: 'Again' }, otherUnderwriter);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT' });

    const quoted = await stack.api
      .post('/api/v1/quotes')
      .set(as(holder))
      .send({ planId: plan.id, risk: { ...RISK, sumInsured: '200000.00' } });
    expect(quoted.body.status).toBe('quoted');
    expect((await decide(quoted.body.id, 'accept', underwriter)).status).toBe(409);
  });

  it('a referred quote whose run has not started yet (its start waits in the outbox) answers 503, not a refusal', async () => {
    const quote = await buildQuote(plan, { status: 'referred', ratingVersionId: version.id, requestedById: holder.id });
    const res = await decide(quote.id, 'accept', underwriter, { loading: '0.1' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('dependency_unavailable');
    expect(await quote.reload()).toMatchObject({ status: 'referred', decidedById: null });
  });
});
