/**
 * Events out (docs/webhooks.md): the catalogue of event types, and how an event is recorded: in
 * the transaction of the change it tells of, with one delivery per subscribed endpoint and the
 * start of each delivery's run in the outbox (src/api/temporal/outbox.ts relays it). So no event
 * is lost, and none is sent for a change that rolled back.
 */
import { type CreationAttributes, Op, QueryTypes, type Transaction } from 'sequelize';
import { webhookDeliveryRun, type WebhookDeliveryWorkflow } from '../../contracts/webhook-delivery';
import { OutboxMessage, WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../../models';
import type { StartWorkflowPayload } from '../../models/outbox-message';
import { idFromRequest } from '../../shared/deterministic-id';

/** The prefix of every CloudEvents `type`: `com.insurflow.claim.stage_changed`. */
export const CLOUDEVENT_TYPE_PREFIX = 'com.insurflow.';

/**
 * The media type of a delivery's body: a CloudEvent in the structured mode of the CloudEvents HTTP
 * binding, which receivers (and the official SDKs) recognise by this type, not by plain JSON.
 * Written as the JavaScript SDK writes it: its parser is looked up by the whole header value.
 */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

type JsonSchema = Record<string, unknown>;

const uuid = { type: 'string', format: 'uuid' };
const dateTime = { type: 'string', format: 'date-time' };
const nullableUuid = { type: ['string', 'null'], format: 'uuid' };

/**
 * The schema of an event's data: every property required but those `added` to a type after events
 * of it were recorded, which an older event replayed from the kept ones (up to 30 days back) lacks.
 */
function objectSchema(properties: Record<string, JsonSchema>, added: readonly string[] = []): JsonSchema {
  const required = Object.keys(properties).filter((key) => !added.includes(key));
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * An amount of a claim or a policy as the API writes it (docs/api.md, Money): a decimal string with
 * the decimals of `currency`, none, two or three ("12000" JPY, "500.50" EUR, "1.250" KWD).
 */
const decimal = {
  type: 'string',
  pattern: '^[0-9]+(\\.[0-9]{2,3})?$',
  description: 'A decimal string with the decimals of the currency: "12000" JPY, "500.50" EUR, "1.250" KWD',
};
/** A signed amount (a premium returned is negative), otherwise written as `decimal`. */
const signedDecimal = { ...decimal, pattern: '^-?[0-9]+(\\.[0-9]{2,3})?$', description: `${decimal.description}; negative: returned` };
const currency = { type: 'string', pattern: '^[A-Z]{3}$' };
const date = { type: 'string', format: 'date' };
const costType = { type: 'string', enum: ['indemnity', 'expense'] };
const category = { type: 'string', enum: ['repair', 'medical', 'legal', 'other'] };

/** The claim money events' own fields and what they share: the claim, its number and its plan's currency. */
const claimMoney = (properties: Record<string, JsonSchema>) =>
  objectSchema({ claimId: uuid, claimNumber: { type: 'string' }, ...properties, currency });

/**
 * The invoice events' amount: integer minor units as the invoice keeps them, and since 2026-11-30 also
 * the decimal string every API answer writes (docs/api.md, Money), in the same currency.
 */
const invoiceMoney = { amountMinor: { type: 'integer' }, amount: decimal, currency };
const ADDED_AMOUNT = ['amount'];

/** The premium refund events' data: the refund, its invoice and policy, its amount, then their own fields. */
const refundData = (properties: Record<string, JsonSchema>) =>
  objectSchema({ refundId: uuid, invoiceId: uuid, subscriptionId: uuid, ...invoiceMoney, ...properties }, ADDED_AMOUNT);

/**
 * Every payment event has the same data; its type is the status the payment reached. No payee's
 * name or account leaves in an event: only whether it is the claimant or a third party.
 */
const paymentData = claimMoney({
  paymentId: uuid,
  reference: { type: 'string' },
  kind: { type: 'string', enum: ['partial', 'settlement'] },
  amount: decimal,
  costType,
  category,
  payeeKind: { type: ['string', 'null'], enum: ['claimant', 'third_party', null] },
  batchId: nullableUuid,
  failureReason: { type: ['string', 'null'] },
  actorId: nullableUuid,
});

/** Every event type: its description and the JSON Schema of its `data`. */
export const WEBHOOK_EVENT_TYPES = {
  'claim.stage_changed': {
    description: 'A claim moved to another stage (assigned, under review, approved, paid, closed…).',
    data: objectSchema({
      claimId: uuid,
      claimNumber: { type: 'string' },
      from: { type: ['string', 'null'] },
      to: { type: 'string' },
      sequence: { type: 'integer' },
      actorId: nullableUuid,
      at: dateTime,
    }),
  },
  'claim.filed': {
    description: 'A claim was filed on a policy (by its holder or by staff for them); its run starts with it reported.',
    data: objectSchema({
      claimId: uuid,
      claimNumber: { type: 'string' },
      subscriptionId: uuid,
      policyNumber: { type: ['string', 'null'] },
      claimantId: uuid,
      filedById: uuid,
      incidentDate: date,
      amountClaimed: decimal,
      currency,
      filedAt: dateTime,
    }),
  },
  'claim.reserve_changed': {
    description:
      "A claim's reserve line was set to a new amount: a change within the asker's authority (applied), one approved by a second person, a payment taking its amount off the line (payment) or giving it back (payment_returned), or the release at closing (released).",
    data: claimMoney({
      changeId: uuid,
      costType,
      category,
      status: { type: 'string', enum: ['applied', 'approved', 'released', 'payment', 'payment_returned'] },
      amountBefore: decimal,
      amount: decimal,
      requestedById: nullableUuid,
      decidedById: nullableUuid,
    }),
  },
  'claim.payment_requested': {
    description:
      "A payment on a claim was asked for, to a payee against a reserve line. Within the asker's approval limit it is approved at once (claim.payment_approved follows in the same change).",
    data: paymentData,
  },
  'claim.payment_approved': {
    description:
      'A payment on a claim was approved (by its asker within their limit, or by a second person); it waits for a payment batch.',
    data: paymentData,
  },
  'claim.payment_issued': {
    description: 'A payment on a claim left for the bank: in a payment batch file (batchId), or as a card refund the provider has taken.',
    data: paymentData,
  },
  'claim.payment_cleared': {
    description:
      "A payment on a claim reached its payee: the bank paid it, the card refund succeeded, or the claim's settlement was paid (kind settlement).",
    data: paymentData,
  },
  'claim.payment_voided': {
    description: 'A payment on a claim was withdrawn before it was issued; its amount went back to its reserve line.',
    data: paymentData,
  },
  'claim.payment_failed': {
    description: 'The bank returned an issued payment on a claim (failureReason); its amount went back to its reserve line.',
    data: paymentData,
  },
  'claim.recovery_recorded': {
    description: 'Money received back on a claim was recorded: subrogation, salvage or the deductible.',
    data: claimMoney({
      recoveryId: uuid,
      kind: { type: 'string', enum: ['subrogation', 'salvage', 'deductible'] },
      amount: decimal,
      receivedOn: date,
      reference: { type: ['string', 'null'] },
      recordedById: uuid,
    }),
  },
  'subscription.issued': {
    description:
      "A policy was issued: its run gave it its first term, active at once or awaiting its first premium (status), with the plan's cover and premium as the policy keeps them.",
    data: objectSchema({
      subscriptionId: uuid,
      policyNumber: { type: 'string' },
      policyType: { type: ['string', 'null'] },
      planId: uuid,
      policyholderId: uuid,
      status: { type: 'string', enum: ['active', 'pending_payment'] },
      coverageAmount: decimal,
      premium: decimal,
      currency,
      billingFrequency: { type: ['string', 'null'] },
      startDate: date,
      endDate: date,
    }),
  },
  'subscription.status_changed': {
    description:
      'A policy changed status: awaiting its first premium, active, lapsed, reinstated (lapsed → active), renewed (active → active, a new term), cancelled or expired.',
    data: objectSchema({
      subscriptionId: uuid,
      policyNumber: { type: ['string', 'null'] },
      from: { type: 'string' },
      to: { type: 'string' },
      renewalCount: { type: 'integer' },
      startDate: { type: ['string', 'null'], format: 'date' },
      endDate: { type: ['string', 'null'], format: 'date' },
      actorId: nullableUuid,
    }),
  },
  'subscription.changed': {
    description:
      "A policy change was applied: the policy's next version, effective from a date in its term, with the fields it moved (never the holder's contact itself), the terms after it and the premium delta for the rest of the term (positive billed, negative returned) in minor units and, since 2026-11-30, as a decimal string.",
    data: objectSchema(
      {
        subscriptionId: uuid,
        policyNumber: { type: ['string', 'null'] },
        changeId: uuid,
        version: { type: 'integer' },
        effectiveDate: date,
        changedFields: {
          type: 'array',
          items: { type: 'string', enum: ['planId', 'coverageAmount', 'premium', 'propertyAddress', 'holderPhone'] },
        },
        planId: uuid,
        coverageAmount: decimal,
        premium: decimal,
        currency,
        premiumDeltaMinor: { type: 'integer' },
        premiumDelta: signedDecimal,
        actorId: nullableUuid,
      },
      ['premiumDelta'],
    ),
  },
  'invoice.paid': {
    description: 'A premium invoice was paid in full: its amount in minor units and, since 2026-11-30, as a decimal string.',
    data: objectSchema(
      { invoiceId: uuid, subscriptionId: uuid, ...invoiceMoney, paymentId: uuid, method: { type: 'string' }, paidAt: dateTime },
      ADDED_AMOUNT,
    ),
  },
  'invoice.refund_recorded': {
    description:
      'A refund of a premium payment was recorded: owed by hand, pending at the payment provider, or made there (a cancellation refunds the unused part).',
    data: refundData({
      status: { type: 'string', enum: ['owed', 'pending', 'succeeded'] },
      reason: { type: 'string' },
    }),
  },
  'invoice.refund_paid': {
    description:
      'A refund of a premium payment was paid: the payment provider reports it succeeded (provider), or staff recorded it paid back by hand (method, reference).',
    data: refundData({
      reason: { type: 'string' },
      paidAt: dateTime,
      provider: { type: ['string', 'null'] },
      method: { type: ['string', 'null'], enum: ['card', 'bank_transfer', 'cheque', 'other', null] },
      reference: { type: ['string', 'null'] },
    }),
  },
  'acknowledgement.escalated': {
    description: "An employee's policy acknowledgement is overdue (level 1) or still missing after the grace period (level 2).",
    data: objectSchema({
      acknowledgementId: uuid,
      employeeId: uuid,
      versionId: uuid,
      level: { type: 'integer', enum: [1, 2] },
      status: { type: 'string' },
      dueAt: dateTime,
    }),
  },
  'acknowledgement.acknowledged': {
    description: 'An employee acknowledged a policy version (on time, or late after an escalation).',
    data: objectSchema({
      acknowledgementId: uuid,
      employeeId: uuid,
      versionId: uuid,
      acknowledgedAt: dateTime,
      wasStatus: { type: 'string' },
    }),
  },
  'registration.approved': {
    description: "A company's registration was approved by a platform admin; its tenant is set up next.",
    data: objectSchema({ registrationId: uuid, companyName: { type: 'string' }, decidedById: nullableUuid }),
  },
  'registration.rejected': {
    description: "A company's registration was rejected by a platform admin.",
    data: objectSchema({ registrationId: uuid, companyName: { type: 'string' }, decidedById: nullableUuid }),
  },
  'tenant.status_changed': {
    description: 'A platform admin suspended the tenant (its users may no longer sign in) or reactivated it.',
    data: objectSchema({ tenantId: uuid, from: { type: 'string' }, to: { type: 'string' }, reason: { type: ['string', 'null'] } }),
  },
} as const satisfies Record<string, { description: string; data: JsonSchema }>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export const WEBHOOK_EVENT_TYPE_NAMES = Object.keys(WEBHOOK_EVENT_TYPES) as WebhookEventType[];

/** What an endpoint may subscribe to: `*`, a type, or every type of a resource (`claim.*`). */
export const WEBHOOK_EVENT_PATTERNS: readonly string[] = [
  '*',
  ...new Set(WEBHOOK_EVENT_TYPE_NAMES.map((type) => `${type.split('.')[0]}.*`)),
  ...WEBHOOK_EVENT_TYPE_NAMES,
];

export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

export interface WebhookEventRecord {
  tenantId: string | null;
  type: WebhookEventType;
  /** The entity it is about, as `<resource>/<id>`: CloudEvents' `subject`. */
  subject: string;
  data: Record<string, unknown>;
  time: Date;
  /** Names the change, so a retried activity or a repeated request records it once. */
  dedupeKey: string;
}

/**
 * Records the event, a delivery to each enabled endpoint of its tenant subscribed to its type,
 * and each delivery's start, all in `transaction`. Recording the same change again does nothing.
 */
export function recordWebhookEvent(record: WebhookEventRecord, transaction: Transaction): Promise<void> {
  return recordWebhookEvents([record], transaction);
}

/**
 * Records several events as `recordWebhookEvent` records one, in a statement per table whatever
 * their number (a payment batch issues up to 500 payments in one transaction).
 */
export async function recordWebhookEvents(records: readonly WebhookEventRecord[], transaction: Transaction): Promise<void> {
  if (records.length === 0) return;
  // The event's ID (the webhook-id receivers de-duplicate by) follows from the change it names, so a
  // change made again after its row was lost (a restore to an earlier instant, its run redoing it) is
  // sent under the same ID as the first time, not a new one.
  const rows = records.map((record) => ({
    ...record,
    id: idFromRequest('webhook-event', record.dedupeKey),
    time: record.time.toISOString(),
  }));
  // A change already recorded (its dedupe key) is skipped: only the events new here are answered.
  const created = await WebhookEvent.sequelize!.query<{ id: string; tenantId: string | null; type: string }>(
    `INSERT INTO webhook_events (id, tenant_id, type, subject, data, time, dedupe_key, created_at)
     SELECT r.id, r."tenantId", r.type, r.subject, r.data, r.time, r."dedupeKey", now()
       FROM jsonb_to_recordset(:rows::jsonb)
         AS r(id uuid, "tenantId" uuid, type text, subject text, data jsonb, time timestamptz, "dedupeKey" text)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id, tenant_id AS "tenantId", type`,
    { replacements: { rows: JSON.stringify(rows) }, transaction, type: QueryTypes.SELECT },
  );
  const tenantIds = [...new Set(created.map((event) => event.tenantId).filter((id): id is string => id !== null))];
  if (tenantIds.length === 0) return;
  const endpoints = await WebhookEndpoint.findAll({ where: { tenantId: tenantIds, disabledAt: { [Op.is]: null } }, transaction });
  const deliveries = await WebhookDelivery.bulkCreate(
    created.flatMap((event) =>
      endpoints
        .filter((endpoint) => endpoint.tenantId === event.tenantId && matchesEventType(endpoint.eventTypes, event.type))
        .map((endpoint) => ({ tenantId: endpoint.tenantId, endpointId: endpoint.id, eventId: event.id })),
    ),
    { transaction },
  );
  await OutboxMessage.bulkCreate(
    deliveries.map((delivery) => deliveryRunOf(delivery, 0)),
    { transaction },
  );
}

/** The outbox start of a delivery's run: the first (`replay` 0) or a replay. */
function deliveryRunOf(delivery: WebhookDelivery, replay: number): CreationAttributes<OutboxMessage> {
  const payload: StartWorkflowPayload<WebhookDeliveryWorkflow> = {
    workflowType: webhookDeliveryRun.type,
    args: [{ tenantId: delivery.tenantId, deliveryId: delivery.id, replay }],
    tenantId: delivery.tenantId,
    status: 'pending',
    summary: `Webhook delivery ${delivery.id}${replay ? ` (replay ${replay})` : ''}`,
  };
  return { kind: 'start', workflowId: webhookDeliveryRun.id(delivery.id, replay), payload };
}

/** Writes the outbox start of a delivery's run (a replay's) in `transaction`. */
export function enqueueDeliveryRun(delivery: WebhookDelivery, replay: number, transaction: Transaction): Promise<OutboxMessage> {
  return OutboxMessage.create(deliveryRunOf(delivery, replay), { transaction });
}

/** The CloudEvents 1.0 JSON of an event, as it is sent. */
export function cloudEventOf(event: WebhookEvent): object {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.tenantId ? `/insurflow/tenants/${event.tenantId}` : '/insurflow/platform',
    type: `${CLOUDEVENT_TYPE_PREFIX}${event.type}`,
    subject: event.subject,
    time: new Date(event.time).toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  };
}
