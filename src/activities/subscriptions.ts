/**
 * Persistence of the subscription lifecycle. The workflow `subscription-<id>` is the only writer
 * of a subscription row's status and dates (the API may only insert the pending row, with the
 * same terms); every write here is guarded by the state it expects, so a retried activity finds
 * its change already made and changes nothing.
 */
import type { Sequelize } from 'sequelize';
import { Invoice, Subscription, TenantSettings } from '../models';
import { UNPAID_INVOICE_STATUSES, type InvoiceStatus } from '../models/invoice';
import { billCurrentTerm } from '../domain/premiums/billing';
import { endLapse, recordLapseStart } from '../models/lapse-periods';
import { subscriptionCreatedEvent } from '../models/subscription';
import { recordAudit } from '../domain/audit/record';
import { claimQuote } from '../domain/quotes/binding';
import { renewalPremium } from '../domain/quotes/re-rating';
import { recordRenewalVersion, type RenewalPrice } from '../domain/subscriptions/versions';
import { ensureScheduleDocuments } from '../domain/subscriptions/schedule-document';
import { refundOnCancellation } from '../domain/premiums/refunds';
import { recordPolicyIssuedEvent, recordStatusChangedEvent } from '../domain/subscriptions/webhook-events';
import type { RenewalPolicy, SubscriptionStatus, SubscriptionTerms } from '../contracts/subscription';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';
import { changeGuarded } from './guarded-change';
import { utcDay } from '../shared/time';

export interface SubscriptionChange {
  subscriptionId: string;
  /** The row is changed only while it still has this status and renewal count. */
  expected: { status: SubscriptionStatus; renewalCount: number };
  /** The workflow's day of the change ('YYYY-MM-DD'): when a lapse starts or ends. Premium-timeline runs only. */
  effectiveOn?: string;
  /** The staff member who waived the first instalment, when that is what activates the subscription. */
  waivedById?: string;
  /** The reason the staff member gave for the waiver. */
  waiverReason?: string;
  changes: Partial<{
    status: SubscriptionStatus;
    startDate: string;
    endDate: string;
    renewalCount: number;
    /** ISO timestamp from the workflow clock, so a retry writes the same value. */
    cancelledAt: string;
    cancelledById: string;
    cancellationReason: string;
  }>;
}

/** An instalment the subscription still owes, as the run plans its reminders and lapses. */
export interface PremiumDue {
  invoiceId: string;
  number: string;
  dueDate: string;
  amountMinor: number;
  currency: string;
}

const ACTION_BY_STATUS: Record<SubscriptionStatus, string> = {
  pending: 'subscription.create',
  pending_payment: 'subscription.await_payment',
  active: 'subscription.activate',
  lapsed: 'subscription.lapse',
  cancelled: 'subscription.cancel',
  expired: 'subscription.expire',
};

/** The actions of the run's moves that begin a policy's cover: straight from pending, or once its first premium is paid or waived. */
const COVER_BEGINS = new Set(['subscription.activate', 'subscription.waive_first_premium']);

function actionOf(from: SubscriptionStatus, next: SubscriptionStatus, waivedById: string | undefined): string {
  if (next === from) return 'subscription.renew';
  if (next === 'active' && from === 'lapsed') return 'subscription.reinstate';
  if (next === 'active' && waivedById) return 'subscription.waive_first_premium';
  return ACTION_BY_STATUS[next];
}

/**
 * A lapse starts when the run moves the subscription to `lapsed`, and ends when it leaves it
 * (reinstated). A retry whose change was already made writes nothing more: each statement is guarded. Cancelled while lapsed: the lapse stays open, nothing was covered after it.
 */
async function recordLapseChange(sequelize: Sequelize, change: SubscriptionChange): Promise<void> {
  const next = change.changes.status ?? change.expected.status;
  if (!change.effectiveOn || next === change.expected.status) return;
  if (next === 'lapsed') {
    const row = await Subscription.findByPk(change.subscriptionId, { attributes: ['tenantId'] });
    if (row)
      await recordLapseStart(sequelize, { tenantId: row.tenantId, subscriptionId: change.subscriptionId, startedOn: change.effectiveOn });
  } else if (change.expected.status === 'lapsed' && next === 'active') {
    await endLapse(sequelize, change.subscriptionId, change.effectiveOn);
  }
}

/** The tenant's settings a subscription period runs on, as of now. */
export async function loadRenewalPolicy(tenantId: string): Promise<RenewalPolicy> {
  const { subscriptionRenewalReminderDays, ...premiums } = await TenantSettings.pickFor(tenantId, [
    'subscriptionRenewalReminderDays',
    'collectPremiums',
    'premiumGraceDays',
    'premiumReinstatementDays',
    'premiumReminderDaysBefore',
  ]);
  return { renewalReminderDays: subscriptionRenewalReminderDays, ...premiums };
}

/**
 * The premium of the term a renewal begins, for a policy bound from a quote: its risk priced again
 * with the tables in force on the term's first day, the end date it renews from. Null when the
 * premium stays: a policy of fixed terms, no tables in force, the same price, or the renewal
 * already written by an earlier attempt.
 */
async function renewedPremium(change: SubscriptionChange): Promise<RenewalPrice | null> {
  const row = await Subscription.findOne({
    where: { id: change.subscriptionId, renewalCount: change.expected.renewalCount },
    attributes: ['quoteId', 'planId', 'currency', 'endDate', 'premium'],
  });
  if (!row?.endDate) return null;
  const premium = await renewalPremium(row, row.endDate);
  return premium ? { premium, premiumBefore: row.premium, firstDay: row.endDate } : null;
}

export function createSubscriptionActivities(deps: Pick<ActivityDeps, 'sequelize' | 'documents'>) {
  async function applySubscriptionChange(change: SubscriptionChange): Promise<void> {
    const { cancelledAt, ...changes } = change.changes;
    const { expected } = change;
    const next = changes.status ?? expected.status;
    const action = actionOf(expected.status, next, change.waivedById);
    const repriced = action === 'subscription.renew' ? await renewedPremium(change) : null;
    // The day cover begins: the term's start when the run dates it in this move (straight from pending), else
    // today, the first premium's payment or waiver. Written once: a row that has it keeps it.
    const coverBeganOn = COVER_BEGINS.has(action) ? (changes.startDate ?? utcDay(new Date())) : null;
    await changeGuarded(
      deps.sequelize,
      Subscription,
      { id: change.subscriptionId, status: expected.status, renewalCount: expected.renewalCount },
      (row) => ({
        ...changes,
        ...(repriced && { premium: repriced.premium }),
        ...(cancelledAt && { cancelledAt: new Date(cancelledAt) }),
        ...(change.waivedById && { firstPremiumWaivedById: change.waivedById, firstPremiumWaiverReason: change.waiverReason ?? null }),
        ...(coverBeganOn && !row.coverBeganOn && { coverBeganOn }),
      }),
      {
        action,
        entityType: 'subscription',
        actorId: changes.cancelledById ?? change.waivedById ?? null,
        dedupeKey: `${change.subscriptionId}:${expected.status}:${expected.renewalCount}:${action}`,
      },
      async (row, transaction) => {
        await recordStatusChangedEvent(
          row,
          {
            from: expected.status,
            to: next,
            actorId: changes.cancelledById ?? change.waivedById ?? null,
            change: `${expected.status}:${expected.renewalCount}:${action}`,
          },
          transaction,
        );
        // Its first term, active or awaiting its first premium: the policy is issued.
        if (expected.status === 'pending' && (next === 'active' || next === 'pending_payment'))
          await recordPolicyIssuedEvent(row, transaction);
        // A renewal at another premium: the policy's terms from the renewal's first day are a version of their own.
        if (repriced) await recordRenewalVersion(row, repriced, transaction);
      },
    );
    // A term begins (activation or renewal): its instalments are invoiced. Idempotent, so a
    // retry whose change was already made still bills the term once (docs/premiums.md).
    if (next === 'active' || next === 'pending_payment') {
      await billCurrentTerm(deps.sequelize, change.subscriptionId);
      // Issuing dates the row, whose trigger writes version 1; a re-rated renewal writes a version too:
      // each gets its schedule here, so GET /subscriptions/:id/documents only reads. Idempotent like the
      // billing (a retry, or a term with no new version, renders nothing); a worker without a store
      // leaves them to `admin.js backfill-schedules`.
      if (deps.documents) await ensureScheduleDocuments(deps.sequelize, deps.documents, change.subscriptionId);
    }
    await recordLapseChange(deps.sequelize, change);
    // Cancelled mid-term: the paid, unused part is refunded, once per cancellation (docs/premiums.md, Refunds).
    if (next === 'cancelled') await refundOnCancellation(deps.sequelize, change.subscriptionId, workflowAuditSource(null));
  }

  return {
    /** The same idempotent insert POST /subscriptions makes right after starting the run. */
    async recordPendingSubscription(terms: SubscriptionTerms): Promise<void> {
      await deps.sequelize.transaction(async (transaction) => {
        // The API claimed the quote before starting the run; a start it saw fail may have released it.
        if (terms.quoteId)
          await claimQuote(
            deps.sequelize,
            { quoteId: terms.quoteId, subscriptionId: terms.subscriptionId, stillValid: false },
            transaction,
          );
        // The row's insert takes the tenant's policy number counter to the commit (every start of the tenant waits
        // for it), so it comes after the claim. Its audit event stays after it: the API's statement inserts the row,
        // then the same event, and the reverse order here could deadlock with it (docs/subscriptions.md, Policy numbers).
        await Subscription.recordPending(terms, transaction);
        // The staff member who issued the policy, else the holder: the same actor as the API's event.
        await recordAudit(workflowAuditSource(terms.issuedById ?? terms.policyholderId), subscriptionCreatedEvent(terms), transaction);
      });
    },

    applySubscriptionChange,

    /** Read at the start of a run that was not handed its settings (a first period, a restored run). */
    loadRenewalPolicy,

    /**
     * A renewal's row change, and the settings the next period runs on read right after it: the
     * run hands them over with the period, so the next run starts without a step of its own to
     * read them (docs/subscriptions.md).
     */
    async renewSubscriptionPeriod({ change, tenantId }: { change: SubscriptionChange; tenantId: string }): Promise<RenewalPolicy> {
      await applySubscriptionChange(change);
      return loadRenewalPolicy(tenantId);
    },

    /** The subscription's unpaid instalments, earliest due first: the rows are the truth the run plans from. */
    async loadPremiumDues(subscriptionId: string): Promise<PremiumDue[]> {
      const unpaid = await Invoice.findAll({
        where: { subscriptionId, status: UNPAID_INVOICE_STATUSES as InvoiceStatus[] },
        order: [
          ['dueDate', 'ASC'],
          ['sequence', 'ASC'],
        ],
      });
      return unpaid.map((invoice) => ({
        invoiceId: invoice.id,
        number: invoice.number,
        dueDate: String(invoice.dueDate),
        amountMinor: Number(invoice.amountMinor),
        currency: invoice.currency,
      }));
    },
  };
}
