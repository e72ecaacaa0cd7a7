/**
 * Confirming and withdrawing policy changes over HTTP, decided by the subscription's run on the
 * dev server (docs/subscriptions.md, Policy changes): the real API, a real worker, PostgreSQL.
 * Policies are issued through the API by a tenant that collects premiums elsewhere, so they cover
 * at once. A change dated today is applied at once; one dated later waits (the time-skipping test
 * of the run shows it applied on its date) and can be withdrawn. A contact change whose run does not
 * answer fails, and its retry with the same Idempotency-Key finds the quote the failure left.
 */
import crypto from 'node:crypto';
import { subscriptionRun } from '../../../src/contracts/subscription';
import { AuditEvent, Plan, Subscription, SubscriptionChange, SubscriptionVersion, Tenant, User } from '../../../src/models';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../../support/factories';
import { housePlanThroughApi } from '../../support/catalog-api';
import type { RatingTables } from '../../../src/contracts/quote';
import { buildQuote, buildRatingVersion, RISK, TABLES } from '../../support/quote-rows';
import { activePolicyThroughApi } from '../../support/policy-runs';
import { startTestStack, TestStack } from '../../support/stack';
import { untilOneWaitsForLock, untilWaitingForLock } from '../../support/database';
import { utcDayLasting } from '../../support/utc-days';
import { eventually } from '../../support/waiting';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

describe('policy changes confirmed and withdrawn through the run', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let users: Record<'owner' | 'neighbour' | 'agent' | 'admin' | 'manager', User>;
  let auth: Record<keyof typeof users, string>;
  let house: Plan;
  let better: Plan;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    tenant = await buildTenant();
    const build = (role: User['role']) => buildUser({ tenantId: tenant.id, role });
    const [owner, neighbour, agent, admin, manager] = await Promise.all([
      build('policyholder'),
      build('policyholder'),
      build('claims_agent'),
      build('tenant_admin'),
      build('claims_manager'),
    ]);
    users = { owner, neighbour, agent, admin, manager };
    auth = Object.fromEntries(Object.entries(users).map(([name, user]) => [name, bearer(stack.config, user)])) as typeof auth;
    house = await housePlanThroughApi(stack, auth.admin);
    better = await buildPlan({ categoryId: house.categoryId, coverageAmount: '150000.00', premium: '420.00' });
  });
  afterAll(() => stack?.close());
  // A test issues its policy and changes it from today (day(0)) in one UTC day, as the API counts it: across midnight the
  // policy would begin after the change, or a raise dated the day before be refused.
  beforeEach(() => utcDayLasting());

  const path = (id: string, rest = '') => `/api/v1/subscriptions/${id}${rest}`;

  const activePolicy = () => activePolicyThroughApi(stack, auth.owner, house.id);

  const quote = async (id: string, body: object) =>
    (await stack.api.post(path(id, '/changes')).set('Authorization', auth.owner).send(body).expect(201)).body as { id: string };
  const apply = (id: string, changeId: string, who: keyof typeof auth = 'owner') =>
    stack.api.post(path(id, `/changes/${changeId}/apply`)).set('Authorization', auth[who]);
  const withdraw = (id: string, changeId: string, who: keyof typeof auth = 'owner') =>
    stack.api.post(path(id, `/changes/${changeId}/withdraw`)).set('Authorization', auth[who]);
  const changeStatus = (id: string, changeId: string, status: string) =>
    eventually(
      () =>
        stack.api
          .get(path(id, `/changes/${changeId}`))
          .set('Authorization', auth.owner)
          .expect(200),
      (res) => res.body.status === status,
      `change ${changeId} ${status}`,
    );

  it('a change effective today is applied by the run: the row, version 2, ?asOf=; a replay answers the same, a second confirm 409', async () => {
    const id = await activePolicy();
    const change = await quote(id, { effectiveDate: day(0), planId: better.id });
    const confirm = () => apply(id, change.id).set('Idempotency-Key', `apply-${change.id}`);
    const confirmed = await confirm().expect(200);
    expect(confirmed.body).toMatchObject({ id: change.id, confirmedById: users.owner.id });
    const applied = await changeStatus(id, change.id, 'applied');

    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: better.id, coverageAmount: '150000.00', premium: '420.00' });
    const versions = await stack.api.get(path(id, '/versions')).set('Authorization', auth.owner).expect(200);
    expect(versions.body.items).toEqual([
      expect.objectContaining({ number: 1, planId: house.id, premium: '300.00' }),
      expect.objectContaining({
        number: 2,
        effectiveFrom: day(0),
        planId: better.id,
        premium: '420.00',
        changeId: change.id,
        premiumDelta: applied.body.premiumDelta,
        changedById: users.owner.id,
      }),
    ]);
    const asOf = await stack.api
      .get(path(id, `?asOf=${day(0)}`))
      .set('Authorization', auth.owner)
      .expect(200);
    expect(asOf.body).toMatchObject({ coverageAmount: '150000.00', version: { number: 2 } });
    // The day before the end date is the last with terms (the end date is not covered); what a renewal brings is not
    // known before it happens.
    const { endDate } = (await Subscription.findByPk(id))!;
    const asOfDay = (date: string) => stack.api.get(path(id, `?asOf=${date}`)).set('Authorization', auth.owner);
    await asOfDay(new Date(Date.parse(endDate!) - DAY_MS).toISOString().slice(0, 10)).expect(200);
    const afterEnd = await asOfDay(endDate!).expect(404);
    expect(afterEnd.body.error.code).toBe('not_found');

    const replay = await confirm().expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(change.id);
    const twice = await apply(id, change.id).expect(409);
    expect(twice.body.error.message).toContain('applied');
    await withdraw(id, change.id).expect(409);
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(2);
  });

  it('a quote priced before another change was applied is stale (409); a future change waits, blocks another, and is withdrawn', async () => {
    const id = await activePolicy();
    const first = await quote(id, { effectiveDate: day(0), planId: better.id });
    const priced = await quote(id, { effectiveDate: day(0), planId: better.id });
    await apply(id, first.id, 'agent').expect(200);
    await changeStatus(id, first.id, 'applied');
    const stale = await apply(id, priced.id).expect(409);
    expect(stale.body.error.message).toContain('stale');

    const later = await quote(id, { effectiveDate: day(10), planId: house.id });
    await apply(id, later.id).expect(200);
    await changeStatus(id, later.id, 'scheduled');
    const state = await stack.api.get(path(id)).set('Authorization', auth.owner).expect(200);
    expect(state.body.state).toMatchObject({ scheduledChange: { changeId: later.id, effectiveDate: day(10) } });
    // One change at a time: the run refuses a second while one waits.
    const another = await quote(id, { effectiveDate: day(12), planId: house.id });
    await apply(id, another.id).expect(409);
    // A contact-only change goes to the run at once (no quote to confirm): refused while one waits, nothing recorded.
    const recorded = await SubscriptionChange.count({ where: { subscriptionId: id } });
    const contact = await stack.api
      .post(path(id, '/changes'))
      .set('Authorization', auth.owner)
      .send({ effectiveDate: day(0), holderPhone: '+4930777777' })
      .expect(409);
    expect(contact.body.error.message).toBe(`Policy change ${later.id} is scheduled for ${day(10)}`);
    expect(await SubscriptionChange.count({ where: { subscriptionId: id } })).toBe(recorded);

    const withdrawn = await withdraw(id, later.id, 'admin').expect(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawnById: users.admin.id });
    await withdraw(id, later.id).expect(409);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ holderPhone: null, premium: '420.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(2);
  });

  it('applies one of six quotes of one policy confirmed at once; the others are 409 and stay quoted: one version, priced once', async () => {
    const id = await activePolicy();
    const quotes = [];
    for (let i = 0; i < 6; i++) quotes.push(await quote(id, { effectiveDate: day(0), planId: better.id }));
    // Each request may pass the API's check before another's change is written; the run must still take only one.
    const answers = await Promise.all(quotes.map((change, i) => apply(id, change.id, i % 2 ? 'agent' : 'owner')));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = quotes[answers.findIndex((res) => res.status === 200)];
    await changeStatus(id, winner.id, 'applied');
    const rows = await SubscriptionChange.findAll({ where: { subscriptionId: id } });
    expect(rows.filter((row) => row.status === 'applied').map((row) => row.id)).toEqual([winner.id]);
    expect(rows.filter((row) => row.status === 'quoted')).toHaveLength(5);
    const versions = await SubscriptionVersion.findAll({ where: { subscriptionId: id } });
    expect(versions.map((version) => [version.number, version.changeId])).toEqual(expect.arrayContaining([[2, winner.id]]));
    expect(versions).toHaveLength(2);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: better.id, premium: '420.00' });
  });

  it('refuses (409) a quote the API checked before another change was written, which the run then finds stale: nothing applied or billed', async () => {
    const id = await activePolicy();
    const change = await quote(id, { effectiveDate: day(0), planId: better.id });
    const { sequelize } = stack.db;
    // Another change being written: the row's premium moved and locked, not yet committed, so the API's check passes.
    const other = await sequelize.transaction();
    let confirming;
    try {
      await sequelize.query(`UPDATE subscriptions SET premium = '360.00' WHERE id = :id`, { replacements: { id }, transaction: other });
      confirming = apply(id, change.id).then((res) => res);
      await untilOneWaitsForLock(sequelize, '%FROM "subscriptions"%FOR UPDATE%', 'the run carrying the change out, waiting for the row');
    } finally {
      await other.commit();
    }
    const answer = await confirming;
    expect([answer.status, answer.body.error?.message]).toEqual([409, expect.stringContaining('stale')]);
    await expect(SubscriptionChange.findByPk(change.id)).resolves.toMatchObject({ status: 'quoted' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(1);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: house.id, premium: '360.00' });
  });

  it('refuses (409) a change quoted while the policy is being cancelled, recording nothing; a quote made before cannot be confirmed after', async () => {
    const id = await activePolicy();
    const before = await quote(id, { effectiveDate: day(0), planId: better.id });
    const { sequelize } = stack.db;
    const notActive = 'The subscription is cancelled; only an active policy can be changed';
    // The run's cancellation has written the row and is held at its audit event, not yet committed: the quote that
    // comes now reads the policy still active; it is let go with the cancellation.
    const held = await sequelize.transaction();
    let cancelling, quoting;
    try {
      await sequelize.query('LOCK TABLE audit_events IN SHARE MODE', { transaction: held });
      cancelling = stack.api
        .patch(path(id, '/cancel'))
        .set('Authorization', auth.owner)
        .send({})
        .then((res) => res);
      await untilOneWaitsForLock(sequelize, '%INSERT INTO "audit_events"%', 'the cancellation, held at its audit event');
      quoting = stack.api
        .post(path(id, '/changes'))
        .set('Authorization', auth.owner)
        .send({ effectiveDate: day(0), planId: better.id })
        .then((res) => res);
      await untilWaitingForLock(sequelize, '%', 'the quote, held behind the cancellation', 2);
    } finally {
      await held.commit();
    }
    const [cancelled, quoted] = await Promise.all([cancelling, quoting]);
    expect(cancelled.status).toBe(200);
    expect([quoted.status, quoted.body.error?.message]).toEqual([409, notActive]);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'cancelled', planId: house.id });
    const changes = await SubscriptionChange.findAll({ where: { subscriptionId: id } });
    expect(changes.map((change) => [change.id, change.status])).toEqual([[before.id, 'quoted']]);
    expect(await AuditEvent.count({ where: { entityId: id, action: 'subscription.change_quote' } })).toBe(1);

    // The quote priced while the policy was active is refused once it is cancelled: nothing confirmed, applied or billed.
    const confirm = await apply(id, before.id).expect(409);
    expect(confirm.body.error.message).toBe(notActive);
    await expect(SubscriptionChange.findByPk(before.id)).resolves.toMatchObject({ status: 'quoted', confirmedById: null });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(1);
    expect(await AuditEvent.count({ where: { entityId: before.id } })).toBe(0);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'cancelled', planId: house.id, premium: '300.00' });
  });

  it('a contact-only change needs no quote: POST answers it applied at no cost, the row has the new phone, the audit trail not', async () => {
    const id = await activePolicy();
    const moved = await stack.api
      .post(path(id, '/changes'))
      .set('Authorization', auth.admin)
      .send({ effectiveDate: day(0), holderPhone: '+4940999999' })
      .expect(201);
    expect(moved.body).toMatchObject({
      status: 'applied',
      premiumDelta: '0.00',
      instalments: [],
      requested: { holderPhone: '+4940999999' },
    });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ holderPhone: '+4940999999', premium: '300.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(2);
    // The holder's new phone is kept in the change and the policy only, not in the audit trail.
    const events = await AuditEvent.findAll({ where: { entityId: id } });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events.map((event) => event.changes))).not.toContain('4940999999');
  });

  it('changes and cancels a policy whose plan was deleted since: it keeps its terms; a change to the deleted plan is refused (422)', async () => {
    const doomed = await buildPlan({ categoryId: house.categoryId, coverageAmount: '160000.00', premium: '310.00' });
    const [id, other] = [await activePolicyThroughApi(stack, auth.owner, doomed.id), await activePolicy()];
    await stack.api.delete(`/api/v1/plans/${doomed.id}`).set('Authorization', auth.admin).expect(204);

    const moved = await stack.api
      .post(path(id, '/changes'))
      .set('Authorization', auth.owner)
      .send({ effectiveDate: day(0), holderPhone: '+15550009999' })
      .expect(201);
    expect(moved.body).toMatchObject({ status: 'applied', premiumDelta: '0.00' });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: doomed.id, holderPhone: '+15550009999', premium: '310.00' });
    const state = await stack.api.get(path(id)).set('Authorization', auth.owner).expect(200);
    expect(state.body.state).toMatchObject({ changeInProgress: null });

    const toDeleted = await stack.api
      .post(path(other, '/changes'))
      .set('Authorization', auth.owner)
      .send({ effectiveDate: day(0), planId: doomed.id })
      .expect(422);
    expect(toDeleted.body.error.details).toEqual([{ field: 'planId', message: 'unknown or inactive plan' }]);

    await stack.api.patch(path(id, '/cancel')).set('Authorization', auth.owner).send({ reason: 'moving abroad' }).expect(200);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'cancelled', planId: doomed.id });
  });

  it('confirms a change of plan of a policy bound from a quote in yen: the plan priced again is the quoted premium however written', async () => {
    const yen = { categoryId: house.categoryId, currency: 'JPY', premium: '30000.00', coverageAmount: RISK.sumInsured };
    const [bound, rated] = await Promise.all([buildPlan(yen), buildPlan(yen)]);
    await buildRatingVersion(rated, users.admin.id);
    const priced = await buildQuote(bound, {
      requestedById: users.owner.id,
      premiumMinor: 30000,
      instalments: [{ number: 1, amountMinor: 30000 }],
    });
    const id = await activePolicyThroughApi(stack, auth.owner, { quoteId: priced.id });
    // RISK on TABLES in yen: 300,000 × 1.20 / 1,000 × 1.10 × 1.20 = 475.2, rounded to 475 yen; the row keeps it as written
    // (migration 0099), as rows before kept 475.00.
    const change = await quote(id, { effectiveDate: day(0), planId: rated.id });
    const applied = await apply(id, change.id);
    expect([applied.status, applied.body.error?.message]).toEqual([200, undefined]);
    expect(applied.body).toMatchObject({ status: 'applied', premiumBefore: '30000', premiumAfter: '475' });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: rated.id, premium: '475' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(2);
  });

  it('confirms a change quoted before another that left the premium the same amount, written otherwise (30000 and 30000.00 yen)', async () => {
    const yen = { categoryId: house.categoryId, currency: 'JPY', coverageAmount: RISK.sumInsured };
    const [bound, same, dearer] = await Promise.all([
      buildPlan({ ...yen, premium: '30000.00' }),
      buildPlan({ ...yen, premium: '30000.00' }),
      buildPlan({ ...yen, premium: '31000.00' }),
    ]);
    const priced = await buildQuote(bound, {
      requestedById: users.owner.id,
      premiumMinor: 30000,
      instalments: [{ number: 1, amountMinor: 30000 }],
    });
    const id = await activePolicyThroughApi(stack, auth.owner, { quoteId: priced.id });
    // Bound from the quote, the row writes the premium with the yen's decimals; a plan's fixed premium is written with two.
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ premium: '30000' });
    const first = await quote(id, { effectiveDate: day(0), planId: same.id });
    const second = await quote(id, { effectiveDate: day(0), planId: dearer.id });
    await apply(id, first.id).expect(200);
    await changeStatus(id, first.id, 'applied');
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: same.id, premium: '30000.00' });
    // Its version moved the plan, not the premium: what it says changed, on /versions and to the schedule and webhooks.
    const versions = await stack.api.get(path(id, '/versions')).set('Authorization', auth.owner).expect(200);
    expect(versions.body.items[1]).toMatchObject({ number: 2, changed: { planId: { before: bound.id, after: same.id } } });
    expect(Object.keys(versions.body.items[1].changed)).toEqual(['planId']);

    // The second was priced from a premium of 30000 yen, which the policy still has: not stale.
    const confirmed = await apply(id, second.id);
    expect([confirmed.status, confirmed.body.error?.message]).toEqual([200, undefined]);
    await changeStatus(id, second.id, 'applied');
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: dearer.id, premium: '31000.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(3);
  });

  it("refuses (422) a change to a plan whose referral rules the policy's risk meets, at the quote and at the confirmation, recording nothing", async () => {
    // A risk quoted on a plan that refers nothing, bound, then moved to a plan that refers it: no underwriter ever saw it there.
    const ratedPlan = () => buildPlan({ categoryId: house.categoryId, coverageAmount: RISK.sumInsured, premium: '450.00' });
    const [lenient, strict, later] = await Promise.all([ratedPlan(), ratedPlan(), ratedPlan()]);
    const referring: RatingTables = { ...TABLES, referral: { sumInsuredAbove: '100000.00', buildingOlderThanYears: 20 } };
    const rate = (plan: Plan, tables: RatingTables) =>
      stack.api
        .put(`/api/v1/plans/${plan.id}/rating`)
        .set('Authorization', auth.admin)
        .send({ effectiveFrom: day(0), tables })
        .expect(201);
    await Promise.all([rate(lenient, TABLES), rate(strict, referring)]);
    const risk = { ...RISK, yearBuilt: 1950 };
    const quoteOn = async (plan: Plan) =>
      (await stack.api.post('/api/v1/quotes').set('Authorization', auth.owner).send({ planId: plan.id, risk }).expect(201)).body;
    const reasons = [
      'Sum insured 300000.00 is above 100000.00',
      `Building is ${new Date().getUTCFullYear() - 1950} years old, older than 20`,
    ];
    await expect(quoteOn(strict)).resolves.toMatchObject({ status: 'referred', referralReasons: reasons });
    const quoted = await quoteOn(lenient);
    expect(quoted).toMatchObject({ status: 'quoted', referralReasons: [] });
    const id = await activePolicyThroughApi(stack, auth.owner, { quoteId: quoted.id });
    const refusal = (plan: Plan) => ({
      code: 'unprocessable',
      message: `${plan.name} refers this policy's risk to an underwriter: ${reasons.join('; ')}. Ask for a quote on that plan; an underwriter decides it`,
      details: reasons.map((message) => ({ field: 'planId', message })),
    });

    const refused = await stack.api
      .post(path(id, '/changes'))
      .set('Authorization', auth.owner)
      .send({ effectiveDate: day(0), planId: strict.id });
    expect([refused.status, refused.body.error]).toMatchObject([422, refusal(strict)]);
    expect(await SubscriptionChange.count({ where: { subscriptionId: id } })).toBe(0);

    // Tables that refer the risk saved after the change was quoted, in force on the day the term was priced: refused at the confirmation.
    await buildRatingVersion(later, users.admin.id, { tables: TABLES });
    const change = await quote(id, { effectiveDate: day(0), planId: later.id });
    await rate(later, referring);
    const confirm = await apply(id, change.id);
    expect([confirm.status, confirm.body.error]).toMatchObject([422, refusal(later)]);
    await expect(SubscriptionChange.findByPk(change.id)).resolves.toMatchObject({ status: 'quoted' });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: lenient.id, premium: quoted.premium });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: id } })).toBe(1);
  });

  it("refuses (409) a quote whose plan was given another cover since, and applies a plan's cover as quoted", async () => {
    const id = await activePolicy();
    const target = await buildPlan({ categoryId: house.categoryId, coverageAmount: '150000.00', premium: '420.00' });
    const change = await quote(id, { effectiveDate: day(0), planId: target.id });
    expect(change).toMatchObject({ coverageAfter: '150000.00' });
    await target.update({ coverageAmount: '120000.00' });
    const stale = await apply(id, change.id).expect(409);
    expect(stale.body.error.message).toBe("The quote is stale: the plan's cover has changed since; ask for a new quote");
    await expect(SubscriptionChange.findByPk(change.id)).resolves.toMatchObject({ status: 'quoted' });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ planId: house.id, coverageAmount: '100000.00' });
  });

  it('who may confirm: another holder 404, a role that may not change policies 403, another policy’s change 404', async () => {
    const id = await activePolicy();
    const other = await activePolicy();
    const change = await quote(id, { effectiveDate: day(0), planId: better.id });
    await apply(id, change.id, 'neighbour').expect(404);
    expect((await apply(id, change.id, 'manager').expect(403)).body.error.code).toBe('forbidden');
    await apply(other, change.id).expect(404);
    await apply(id, crypto.randomUUID()).expect(404);
    await withdraw(id, change.id, 'neighbour').expect(404);
    await expect(SubscriptionChange.findByPk(change.id)).resolves.toMatchObject({ status: 'quoted', confirmedById: null });
  });
});

/** The API's wait for an Update: short, so a run that never answers costs each request about a second. */
const UPDATE_TIMEOUT_MS = 1000;

describe('a contact change whose run does not answer', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { TEMPORAL_UPDATE_TIMEOUT_MS: String(UPDATE_TIMEOUT_MS) } });
  });
  afterAll(() => stack?.close());

  it('answers 504 without confirming, and a retry with the same Idempotency-Key reuses the quote it recorded instead of another', async () => {
    const holder = await buildUser({ role: 'policyholder' });
    const subscription = await buildSubscription({ policyholderId: holder.id });
    const workflowId = subscriptionRun.id(subscription.id);
    // A run that exists on a queue no worker serves: Temporal answers, the run never does.
    await stack.temporal.workflow.start('subscriptionWorkflow', { taskQueue: `idle-${crypto.randomUUID()}`, workflowId, args: [{}] });
    try {
      const send = () =>
        stack.api
          .post(`/api/v1/subscriptions/${subscription.id}/changes`)
          .set('Authorization', bearer(stack.config, holder))
          .set('Idempotency-Key', `contact-${subscription.id}`)
          .send({ effectiveDate: day(0), holderPhone: '+4930123456' });
      // The Update was sent and never answered: 504, repeat it with the same key (docs/failure-semantics.md).
      for (const attempt of [1, 2]) {
        const answer = await send();
        expect({ attempt, status: answer.status, code: answer.body.error?.code }).toEqual({
          attempt,
          status: 504,
          code: 'outcome_unknown',
        });
      }
      const changes = await SubscriptionChange.findAll({ where: { subscriptionId: subscription.id } });
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ status: 'quoted', requested: { holderPhone: '+4930123456' } });
    } finally {
      await stack.temporal.workflow.getHandle(workflowId).terminate('test done');
    }
  });
});
