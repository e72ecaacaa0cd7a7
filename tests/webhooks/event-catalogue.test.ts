/**
 * The catalogue's business events (docs/webhooks.md, Event types) as an insurer's other systems
 * receive them, on the real API, PostgreSQL, Temporal, worker and an HTTP receiver on 127.0.0.1:
 * a policy is issued, a claim filed on it, reserved, paid in parts (approved alone and by a second
 * person, voided, issued in a batch, cleared, returned by the bank), a recovery recorded and the
 * claim approved with its settlement. Each step's events arrive once, each read as a receiver
 * reads it: parsed by the official CloudEvents SDK, verified by the official Standard Webhooks
 * verifier, its data valid by the catalogue's JSON Schema of its type.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { HTTP, type CloudEvent } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { createClaimReserveActivities } from '../../src/activities/claim-reserves';
import { createSubscriptionActivities, type SubscriptionChange } from '../../src/activities/subscriptions';
import { Claim, TenantSettings, type User, WebhookEvent } from '../../src/models';
import { WEBHOOK_EVENT_TYPE_NAMES } from '../../src/domain/webhooks/events';
import { bearer, buildClaim, buildPlan, buildSubscription, buildUser, signedInBearer } from '../support/factories';
import type { TestStack } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { waitUntil } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam } from '../claims/fixtures';
import { startReceiver } from './receiver';
import { startWebhookStack, type WebhookStack } from './webhook-stack';

const REPAIRER = { kind: 'third_party', name: 'Dachdecker Müller GmbH', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' };
const CLAIMANT_ACCOUNT = { kind: 'claimant', name: 'Jan de Vries', iban: 'NL91ABNA0417164300' };
const DEBTOR = { name: 'Insurflow Versicherung AG', iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' };

/** The types this walk makes happen: every one of the catalogue's claim and policy-issue events. */
const WALKED_TYPES = WEBHOOK_EVENT_TYPE_NAMES.filter((type) => type.startsWith('claim.') && type !== 'claim.stage_changed').concat(
  'subscription.issued',
);

interface Delivered {
  id: string;
  type: string;
  subject: string;
  data: Record<string, unknown>;
}

let webhookStack: WebhookStack;
let stack: TestStack;
let team: ClaimsTeam;
let admin: User;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let secret: string;
const schemas = new Map<string, ValidateFunction>();
/** Every delivery read so far, in order of arrival. */
const delivered: Delivered[] = [];

beforeAll(async () => {
  webhookStack = await startWebhookStack();
  ({ stack } = webhookStack);
  team = await createClaimsTeam();
  admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
  // An adjuster pays up to 1,000 alone; policies cover as they are issued (no first premium to wait for).
  await TenantSettings.upsert({ tenantId: team.tenant.id, values: { approvalLimitAdjuster: 1000, collectPremiums: false } });
  receiver = await startReceiver([200]);
  const created = await stack.api
    .post('/api/v1/webhooks/endpoints')
    .set({ Authorization: signedInBearer(stack.config, admin) })
    .send({ url: receiver.url, eventTypes: ['claim.*', 'subscription.issued'] })
    .expect(201);
  secret = created.body.secret;
  const catalogue = await stack.api.get('/api/v1/webhooks/event-types').set(as(admin)).expect(200);
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  for (const item of catalogue.body.items as Array<{ type: string; cloudEventType: string; schema: object }>)
    schemas.set(item.cloudEventType, ajv.compile(item.schema));
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await webhookStack?.close();
});

const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

/**
 * Reads the deliveries not read yet as a receiver does: the SDK parses the request, the verifier
 * checks its signature (within its five minutes, so each is read as it comes), the catalogue's
 * schema of its type checks its data.
 */
function readArrivals(): Delivered[] {
  for (const message of receiver.received.slice(delivered.length)) {
    const event = HTTP.toEvent({ headers: message.headers, body: message.body }) as CloudEvent<Record<string, unknown>>;
    const verified = new Webhook(secret).verify(message.body, message.headers) as { id: string };
    expect(verified.id).toBe(event.id);
    const valid = schemas.get(event.type);
    expect({ type: event.type, errors: valid && !valid(event.data) ? valid.errors : valid ? null : 'not in the catalogue' }).toEqual({
      type: event.type,
      errors: null,
    });
    delivered.push({ id: event.id, type: event.type.replace('com.insurflow.', ''), subject: event.subject!, data: event.data! });
  }
  return delivered;
}

/** Waits for the event of `type` whose data has `data`, and answers it. */
async function arrival(type: string, data: Record<string, unknown>): Promise<Delivered> {
  const matches = (event: Delivered) => event.type === type && Object.entries(data).every(([key, value]) => event.data[key] === value);
  await waitUntil(
    () => readArrivals().some(matches),
    () => `${type} ${JSON.stringify(data)}; arrived: ${delivered.map((event) => event.type).join(', ')}`,
    30_000,
  );
  return delivered.find(matches)!;
}

it('walks a policy and a claim through every business event: each arrives once, read by the CloudEvents SDK, verified, valid by its schema', async () => {
  // The run dates the policy the day it issues it, seconds from now: the same UTC day. The loss and the recovery of that day stay
  // valid after a midnight (neither may be in the future).
  const today = await utcDayLasting();
  const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
  const ids: Record<string, string> = {};
  const claimPath = () => `/api/v1/claims/${ids.claim}`;
  const pay = (user: User, body: Record<string, unknown>, key: string) =>
    stack.api.post(`${claimPath()}/payments`).set(as(user)).set('Idempotency-Key', key).send(body);
  const decide = (user: User, paymentId: string, verb: 'approve' | 'void' | 'clear' | 'fail', body?: object) =>
    stack.api.post(`${claimPath()}/payments/${paymentId}/${verb}`).set(as(user)).send(body);
  const transition = (user: User, body: Record<string, unknown>) => stack.api.post(`${claimPath()}/transitions`).set(as(user)).send(body);
  const payment = (id: string) => ({ paymentId: id, claimId: ids.claim, kind: 'partial', currency: 'EUR' });

  /** Each step: what happens, and the events (type and data) it must send. */
  const steps: Array<{ step: string; act: () => Promise<unknown>; sends: () => Array<[string, Record<string, unknown>]> }> = [
    {
      step: 'a policyholder takes out a policy: the run issues it',
      act: async () => {
        ids.policy = (await stack.api.post('/api/v1/subscriptions').set(as(team.claimant)).send({ planId: plan.id }).expect(202)).body.id;
      },
      sends: () => [
        [
          'subscription.issued',
          {
            subscriptionId: ids.policy,
            planId: plan.id,
            policyholderId: team.claimant.id,
            status: 'active',
            coverageAmount: '100000.00',
            premium: '450.00',
            currency: 'EUR',
            startDate: today,
          },
        ],
      ],
    },
    {
      step: 'a claim is filed on it',
      act: async () => {
        const filed = await stack.api
          .post('/api/v1/claims')
          .set(as(team.claimant))
          .send({ subscriptionId: ids.policy, incidentDate: today, amountClaimed: 6000, description: 'Storm damage' })
          .expect(201);
        ids.claim = filed.body.id;
      },
      sends: () => [
        [
          'claim.filed',
          {
            claimId: ids.claim,
            subscriptionId: ids.policy,
            claimantId: team.claimant.id,
            filedById: team.claimant.id,
            incidentDate: today,
            amountClaimed: '6000.00',
            currency: 'EUR',
          },
        ],
      ],
    },
    {
      step: 'it is assigned: the run reserves the amount claimed',
      act: () => stack.api.post(`${claimPath()}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200),
      sends: () => [
        ['claim.reserve_changed', { claimId: ids.claim, category: 'other', status: 'applied', amountBefore: '0.00', amount: '6000.00' }],
      ],
    },
    {
      step: 'the adjuster reserves the repair, within their authority',
      act: () =>
        stack.api
          .post(`${claimPath()}/reserves`)
          .set(as(team.adjuster))
          .send({ costType: 'indemnity', category: 'repair', amount: 800, reason: 'Roof repair estimate' })
          .expect(200),
      sends: () => [
        ['claim.reserve_changed', { category: 'repair', status: 'applied', amount: '800.00', requestedById: team.adjuster.id }],
      ],
    },
    {
      step: 'a payment within the adjuster’s limit, asked for twice with one key: requested and approved at once',
      act: async () => {
        const body = { costType: 'indemnity', category: 'repair', amount: 500, payee: REPAIRER };
        ids.repair = (await pay(team.adjuster, body, 'roof-repair-1').expect(201)).body.payment.id;
        expect((await pay(team.adjuster, body, 'roof-repair-1')).body.payment.id).toBe(ids.repair);
      },
      sends: () => [
        ['claim.payment_requested', { ...payment(ids.repair), amount: '500.00', payeeKind: 'third_party', actorId: team.adjuster.id }],
        ['claim.payment_approved', { ...payment(ids.repair), actorId: team.adjuster.id }],
        ['claim.reserve_changed', { category: 'repair', status: 'payment', amountBefore: '800.00', amount: '300.00' }],
      ],
    },
    {
      step: 'a payment above it, approved by a senior adjuster',
      act: async () => {
        const body = { costType: 'indemnity', category: 'other', amount: 2000, payee: CLAIMANT_ACCOUNT };
        ids.big = (await pay(team.adjuster, body, 'claimant-big-1').expect(202)).body.payment.id;
        await decide(team.senior, ids.big, 'approve').expect(200);
      },
      sends: () => [
        ['claim.payment_requested', { ...payment(ids.big), amount: '2000.00', payeeKind: 'claimant', actorId: team.adjuster.id }],
        ['claim.payment_approved', { ...payment(ids.big), actorId: team.senior.id }],
      ],
    },
    {
      step: 'a payment voided before it is issued',
      act: async () => {
        const body = { costType: 'indemnity', category: 'other', amount: 100, payee: CLAIMANT_ACCOUNT };
        ids.small = (await pay(team.adjuster, body, 'claimant-small-1').expect(201)).body.payment.id;
        await decide(team.adjuster, ids.small, 'void').expect(200);
      },
      sends: () => [
        ['claim.payment_voided', { ...payment(ids.small), amount: '100.00', actorId: team.adjuster.id }],
        ['claim.reserve_changed', { category: 'other', status: 'payment_returned', amount: '4000.00' }],
      ],
    },
    {
      step: 'the approved ones issued in a payment batch',
      act: async () => {
        ids.batch = (await stack.api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(201)).body.id;
      },
      sends: () => [
        ['claim.payment_issued', { ...payment(ids.repair), batchId: ids.batch, actorId: team.manager.id }],
        ['claim.payment_issued', { ...payment(ids.big), batchId: ids.batch, actorId: team.manager.id }],
      ],
    },
    {
      step: 'the bank pays one (told twice) and returns the other',
      act: async () => {
        await decide(team.manager, ids.repair, 'clear').expect(200);
        await decide(team.manager, ids.repair, 'clear').expect(200);
        await decide(team.manager, ids.big, 'fail', { reason: 'AC04 account closed' }).expect(200);
      },
      sends: () => [
        ['claim.payment_cleared', { ...payment(ids.repair), amount: '500.00', actorId: team.manager.id }],
        ['claim.payment_failed', { ...payment(ids.big), failureReason: 'AC04 account closed', actorId: team.manager.id }],
      ],
    },
    {
      step: 'salvage is sold: a recovery',
      act: async () => {
        const body = { kind: 'salvage', amount: 300, receivedOn: today, reference: 'Scrap dealer 17' };
        ids.recovery = (await stack.api.post(`${claimPath()}/recoveries`).set(as(team.adjuster)).send(body).expect(201)).body.id;
      },
      sends: () => [
        [
          'claim.recovery_recorded',
          {
            recoveryId: ids.recovery,
            kind: 'salvage',
            amount: '300.00',
            receivedOn: today,
            reference: 'Scrap dealer 17',
            recordedById: team.adjuster.id,
            currency: 'EUR',
          },
        ],
      ],
    },
    {
      step: 'the claim is approved: its settlement is paid, and closing releases what is left',
      act: async () => {
        await transition(team.adjuster, { to: 'under_review' }).expect(200);
        await transition(team.adjuster, { to: 'waiting_approval' }).expect(200);
        await transition(team.manager, { to: 'approved', approvedAmount: 1500 }).expect(200);
      },
      // What the cleared payment paid (500) is taken off the approval: the settlement pays the rest.
      sends: () => [
        ['claim.payment_cleared', { claimId: ids.claim, kind: 'settlement', amount: '1000.00', payeeKind: null, actorId: null }],
        ['claim.reserve_changed', { category: 'repair', status: 'released', amount: '0.00' }],
      ],
    },
    {
      step: 'the claim is reopened: back under review, its reserves restored',
      act: async () => {
        await waitUntil(async () => (await Claim.findByPk(ids.claim, { rejectOnEmpty: true })).status === 'closed', 'the claim closed');
        await stack.api.post(`${claimPath()}/reopen`).set(as(team.manager)).send({ reason: 'The roof leaks again' }).expect(200);
      },
      sends: () => [
        ['claim.stage_changed', { claimId: ids.claim, from: 'closed', to: 'under_review', actorId: team.manager.id }],
        ['claim.reserve_changed', { category: 'repair', status: 'applied', amountBefore: '0.00', amount: '300.00' }],
      ],
    },
  ];

  for (const { step, act, sends } of steps) {
    await act();
    for (const [type, data] of sends()) {
      const event = await arrival(type, data);
      expect({ step, type, subject: event.subject }).toEqual({
        step,
        type,
        subject: type.startsWith('claim.') ? `claims/${ids.claim}` : `subscriptions/${ids.policy}`,
      });
    }
  }

  // Every business type of the catalogue was walked (beside the claim's stage changes), and each change was told once.
  const walked = delivered.filter((event) => event.type !== 'claim.stage_changed');
  expect([...new Set(walked.map((event) => event.type))].sort()).toEqual([...WALKED_TYPES].sort());
  const changeOf = (event: Delivered) =>
    `${event.type}:${event.data.paymentId ?? event.data.changeId ?? event.data.recoveryId ?? event.data.sequence ?? event.subject}`;
  const told = delivered.map(changeOf);
  expect(told.filter((change, index) => told.indexOf(change) !== index)).toEqual([]);
  expect(new Set(delivered.map((event) => event.id)).size).toBe(delivered.length);
  // No payee's name or account leaves in an event.
  for (const text of ['Dachdecker', 'DE89370400440532013000', 'Jan de Vries', 'NL91ABNA0417164300'])
    expect(receiver.received.filter((message) => message.body.includes(text))).toEqual([]);
}, 240_000);

it('a retried activity records its event once: a policy issued, a reserve line set', async () => {
  const claim = await buildClaim({ tenantId: team.tenant.id });
  const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
  const pending = await buildSubscription({ planId: plan.id, policyholderId: team.claimant.id, status: 'pending' });
  const today = new Date().toISOString().slice(0, 10);
  const change = {
    id: '5d7c8c1e-2f4b-4d8e-9a51-0c7b3f0e6a11',
    costType: 'expense' as const,
    category: 'legal' as const,
    amountBefore: 0,
    amount: 250,
    reason: 'Counsel',
    requestedById: team.adjuster.id,
    requestedAt: new Date().toISOString(),
    status: 'applied' as const,
    decidedById: null,
  };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    await new MockActivityEnvironment().run(createSubscriptionActivities(stack.deps).applySubscriptionChange, {
      subscriptionId: pending.id,
      expected: { status: 'pending', renewalCount: 0 },
      changes: { status: 'active', startDate: today, endDate: '2099-01-01' },
    } satisfies SubscriptionChange);
    await new MockActivityEnvironment().run(createClaimReserveActivities(stack.deps).recordReserveChanges, {
      claimId: claim.id,
      tenantId: claim.tenantId,
      changes: [change],
    });
  }
  await arrival('subscription.issued', { subscriptionId: pending.id, status: 'active', endDate: '2099-01-01' });
  await arrival('claim.reserve_changed', { claimId: claim.id, changeId: change.id, amount: '250.00' });
  expect(await WebhookEvent.count({ where: { subject: `subscriptions/${pending.id}`, type: 'subscription.issued' } })).toBe(1);
  expect(await WebhookEvent.count({ where: { subject: `claims/${claim.id}`, type: 'claim.reserve_changed' } })).toBe(1);
});

it('a yen policy is issued with its cover and premium in yen’s digits, valid by the catalogue', async () => {
  const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY', coverageAmount: '3000000.00', premium: '30000.00' });
  const pending = await buildSubscription({ planId: plan.id, policyholderId: team.claimant.id, status: 'pending', currency: 'JPY' });
  await new MockActivityEnvironment().run(createSubscriptionActivities(stack.deps).applySubscriptionChange, {
    subscriptionId: pending.id,
    expected: { status: 'pending', renewalCount: 0 },
    changes: { status: 'active', startDate: new Date().toISOString().slice(0, 10), endDate: '2099-01-01' },
  } satisfies SubscriptionChange);
  const issued = await arrival('subscription.issued', { subscriptionId: pending.id });
  expect(issued.data).toMatchObject({ currency: 'JPY', coverageAmount: '3000000', premium: '30000' });
});

it('a policy awaiting its first premium is issued then, and not again once the premium covers it', async () => {
  const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
  const pending = await buildSubscription({ planId: plan.id, policyholderId: team.claimant.id, status: 'pending' });
  const today = new Date().toISOString().slice(0, 10);
  const { applySubscriptionChange } = createSubscriptionActivities(stack.deps);
  await new MockActivityEnvironment().run(applySubscriptionChange, {
    subscriptionId: pending.id,
    expected: { status: 'pending', renewalCount: 0 },
    changes: { status: 'pending_payment', startDate: today, endDate: '2099-01-01' },
  } satisfies SubscriptionChange);
  await new MockActivityEnvironment().run(applySubscriptionChange, {
    subscriptionId: pending.id,
    expected: { status: 'pending_payment', renewalCount: 0 },
    changes: { status: 'active' },
  } satisfies SubscriptionChange);
  await arrival('subscription.issued', { subscriptionId: pending.id, status: 'pending_payment', startDate: today });
  expect(await WebhookEvent.count({ where: { subject: `subscriptions/${pending.id}`, type: 'subscription.issued' } })).toBe(1);
  expect(await WebhookEvent.count({ where: { subject: `subscriptions/${pending.id}`, type: 'subscription.status_changed' } })).toBe(2);
});
