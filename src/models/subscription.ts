import { CreationAttributes, Transaction } from 'sequelize';
import { modelOf, required, optional, filledOnInsert, tenantRowColumns } from './columns';
import {
  holderContactOf,
  subscriptionRun,
  type PropertyAddress,
  type SubscriptionStatus,
  type SubscriptionTerms,
} from '../contracts/subscription';
import type { BillingFrequency } from '../shared/instalments';
import { coverAndPremiumAsWritten } from '../shared/money';
import type { PolicyType } from './plan';
import type { AuditedChange, AuditEvent } from './audit-event';
import { instanceOf, runPrepared } from './prepared-statement';
import { selectListOf } from './select-list';

const subscriptionColumns = () =>
  tenantRowColumns({
    planId: required.uuid(),
    policyholderId: required.uuid(),
    // Filled in by the trigger on insert when not given.
    policyNumber: filledOnInsert(optional.string(20)),
    policyType: filledOnInsert(optional.string<PolicyType>(20)),
    holderPhone: optional.string(16),
    propertyAddress: optional.json<PropertyAddress>(),
    status: required.string<SubscriptionStatus>(20, { defaultValue: 'pending' }),
    coverageAmount: required.amount(),
    premium: required.amount(),
    durationMonths: required.integer(),
    /** Copied from the plan by the insert itself (trigger `subscriptions_billing_terms`, migration 0039). */
    billingFrequency: filledOnInsert(optional.string<BillingFrequency>(12)),
    currency: filledOnInsert(optional.char(3)),
    /** DATEONLY columns: 'YYYY-MM-DD'. */
    startDate: optional.dateOnly(),
    endDate: optional.dateOnly(),
    /**
     * The day (UTC) its cover began: the run's move to active, at once or once its first premium was paid or waived
     * (docs/subscriptions.md, When cover begins and ends). Written once, never changed; null while it has not begun.
     */
    coverBeganOn: optional.dateOnly(),
    renewalCount: required.integer({ defaultValue: 0 }),
    cancelledAt: optional.date(),
    cancelledById: optional.uuid(),
    cancellationReason: optional.string(500),
    /** The staff member who waived the first premium, and the reason they gave (docs/premiums.md). */
    firstPremiumWaivedById: optional.uuid(),
    firstPremiumWaiverReason: optional.string(500),
    workflowId: optional.string(200),
    /** The quote the policy was bound from (docs/quotes.md, Binding); null: the plan's fixed premium. */
    quoteId: optional.uuid(),
  });

/**
 * A policyholder's subscription to a plan: the issued policy. Its policy number
 * (`POL-<year>-<6 digits>`, unique in the tenant) and its plan's policy type are filled in by the
 * insert itself (trigger `subscriptions_issue`, migration 0020), so whichever insert creates the
 * row numbers it, once. Owned by its workflow `subscription-<id>`: only the
 * workflow's activities change status and dates; the pending row is inserted by whichever of
 * POST /subscriptions and the run's first activity gets there first (`recordPending`). Coverage and premium are copied from the plan
 * at subscription time, so later catalog edits do not change a running contract.
 */
export class Subscription extends modelOf('subscriptions', subscriptionColumns) {
  /** As answers write it (docs/api.md, Money): its cover and premium with its currency's decimals (the row keeps them as written). */
  override toJSON(): object {
    return coverAndPremiumAsWritten(this.get());
  }

  /**
   * Inserts the pending row for terms a run was started with; a repeat (a retried activity, the
   * API and the run both inserting, a second start of the same Idempotency-Key) is a no-op.
   * A row already there is not inserted again: the insert's trigger would lock the tenant's policy
   * number counter to the end of the transaction only to find that row (docs/subscriptions.md,
   * Policy numbers); one not visible yet (its insert not committed) goes through the trigger as before.
   */
  static async recordPending(terms: SubscriptionTerms, transaction?: Transaction): Promise<void> {
    if (await Subscription.findOne({ where: { id: terms.subscriptionId }, attributes: ['id'], transaction })) return;
    await Subscription.bulkCreate([pendingRowOf(terms)], { ignoreDuplicates: true, transaction });
  }

  /**
   * The API's insert of the pending row together with its audit event, as one statement: one
   * round trip, and atomic without an explicit transaction (both inserts of the statement commit
   * or neither does). Duplicates are ignored as in `recordPending` and `recordAudit`. Answers the
   * row as it now stands: the one inserted, or the one already there (the run's first activity or
   * an earlier request with the same key got there first). Null only when that other insert
   * committed while this statement ran, after its snapshot was taken: then read the row afresh.
   */
  static async recordPendingWithEvent(terms: SubscriptionTerms, event: CreationAttributes<AuditEvent>): Promise<Subscription | null> {
    const row = pendingRowOf(terms);
    const rows = await runPrepared<object>(
      Subscription.sequelize!,
      pendingWithEventSql(),
      [
        row.id,
        row.tenantId,
        row.planId,
        row.policyholderId,
        row.status,
        row.coverageAmount,
        row.premium,
        row.durationMonths,
        row.holderPhone,
        row.propertyAddress ? JSON.stringify(row.propertyAddress) : null,
        row.workflowId,
        row.quoteId,
        event.tenantId ?? null,
        event.actorType,
        event.actorId ?? null,
        event.action,
        event.entityType,
        event.entityId,
        JSON.stringify(event.changes),
        event.requestId ?? null,
        event.workflowId ?? null,
        event.runId ?? null,
        event.dedupeKey ?? null,
        event.actorCreatedBy ?? null,
        event.clientAddress ?? null,
        event.userAgent ?? null,
      ],
      'write',
    );
    return rows[0] ? instanceOf(Subscription, rows[0]) : null;
  }
}

/**
 * The statement of `recordPendingWithEvent`: the row's insert and its event's, then the row as
 * inserted or, from before the statement, as it was (a CTE's insert is invisible to the rest of
 * its statement). A prepared statement, so PostgreSQL plans the CTE once per connection.
 */
let pendingWithEvent: string | undefined;
function pendingWithEventSql(): string {
  const row = selectListOf(Subscription);
  pendingWithEvent ??= `WITH inserted AS (
       INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, status, coverage_amount, premium, duration_months,
                                  holder_phone, property_address, workflow_id, quote_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, now(), now())
       ON CONFLICT DO NOTHING
       RETURNING ${row}
     ), event AS (
       INSERT INTO audit_events (tenant_id, actor_type, actor_id, action, entity_type, entity_id, changes, request_id, workflow_id, run_id, dedupe_key,
                                 actor_created_by, client_address, user_agent)
       VALUES ($13, $14, $15, $16, $17, $18, $19::jsonb, $20, $21, $22, $23, $24, $25, $26)
       ON CONFLICT DO NOTHING
     )
     SELECT * FROM inserted
     UNION ALL
     SELECT ${row} FROM subscriptions WHERE id = $1 AND tenant_id = $2`;
  return pendingWithEvent;
}

/** The pending row for the terms a run was started with: the same whether the API or the run inserts it. */
function pendingRowOf(terms: SubscriptionTerms) {
  const contact = holderContactOf(terms);
  return {
    id: terms.subscriptionId,
    tenantId: terms.tenantId,
    planId: terms.planId,
    policyholderId: terms.policyholderId,
    status: 'pending' as const,
    coverageAmount: terms.coverageAmount,
    premium: terms.premium,
    durationMonths: terms.durationMonths,
    holderPhone: contact.holderPhone ?? null,
    propertyAddress: contact.propertyAddress ?? null,
    workflowId: subscriptionRun.id(terms.subscriptionId),
    quoteId: terms.quoteId ?? null,
  };
}

/** The audit event of a subscription's pending row, whoever inserts it first (the API or the run): written once. */
export function subscriptionCreatedEvent(terms: SubscriptionTerms): AuditedChange {
  return {
    tenantId: terms.tenantId,
    action: 'subscription.create',
    entityType: 'subscription',
    entityId: terms.subscriptionId,
    after: {
      status: 'pending',
      planId: terms.planId,
      policyholderId: terms.policyholderId,
      premium: terms.premium,
      coverageAmount: terms.coverageAmount,
      ...(terms.issuedById && { issuedById: terms.issuedById }),
      ...(terms.quoteId && { quoteId: terms.quoteId }),
    },
    dedupeKey: `${terms.subscriptionId}:create`,
  };
}
