/**
 * The work inbox (docs/inbox.md): what waits for the caller, from each process's own rows. One
 * source per kind says for whom it applies, which rows are the caller's tasks (always inside the
 * access policy's scope of the resource) and how a row becomes a task. Each source reads at most
 * `limit` rows, already ordered by due date, and counts its tasks, so the inbox costs two bounded
 * statements per kind whatever the caller's backlog.
 */
import { literal, Op, type Includeable, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { OPEN_STAGES } from '../../contracts/claim';
import { EXPIRE_AFTER } from '../../contracts/onboarding';
import {
  Acknowledgement,
  Claim,
  CompliancePolicy,
  Invoice,
  PolicyVersion,
  Quote,
  Registration,
  SubscriptionChange,
  TenantSettings,
} from '../../models';
import { overdueInvoiceWhere } from '../../models/invoice';
import type { RequestedChange } from '../../models/subscription-change';
import { claimAccess } from '../../access/claims';
import { tenantOf } from '../../access/core';
import { acknowledgementAccess, policyVersionAccess } from '../../access/compliance';
import { invoiceAccess } from '../../access/invoices';
import { quoteAccess } from '../../access/quotes';
import { may } from '../../access/may';
import type { Verb } from '../../access/verbs';
import { registrationAccess } from '../../access/platform';
import type { AuthUser } from '../../shared/caller';
import { formatMinorUnits } from '../../shared/money';
import { localTimeIn } from '../../domain/calendars/local-time';
import { notMadeBy } from '../../domain/compliance/four-eyes';
import { API_PREFIX } from '../http/paths';

export const TASK_KINDS = [
  'claim',
  'policy_review',
  'acknowledgement',
  'registration',
  'overdue_invoice',
  'policy_change',
  'quote_referral',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface TaskLink {
  rel: string;
  method: 'GET' | 'POST';
  href: string;
}

export interface Task {
  kind: TaskKind;
  id: string;
  title: string;
  /** When the task falls due (an escalation, a lapse, an expiry); null when nothing does. */
  dueAt: Date | null;
  /** `dueAt` in the tenant's time zone with its offset (UTC for a caller without a tenant); null with it. */
  dueAtLocal: string | null;
  createdAt: Date;
  links: TaskLink[];
}

/** A task as its source makes it; the inbox adds the local time. */
type SourceTask = Omit<Task, 'dueAtLocal'>;

export interface Inbox {
  items: Task[];
  counts: Record<TaskKind, number>;
  limit: number;
}

interface TaskRow extends Model {
  id: string;
  createdAt: Date;
}

interface Source<M extends TaskRow> {
  kind: TaskKind;
  model: ModelStatic<M>;
  appliesTo(caller: AuthUser): boolean;
  /** The caller's tasks, inside the resource's access-policy scope. */
  where(caller: AuthUser): Promise<WhereOptions>;
  /** The due date as SQL of the row (the model's alias), to order by. */
  dueAt(caller: AuthUser): Promise<string>;
  include?: Includeable[];
  /** The task of a row, with the links the caller may follow. */
  toTask(row: M, dueAt: Date | null, caller: AuthUser): SourceTask;
}

const link = (rel: string, method: TaskLink['method'], path: string): TaskLink => ({ rel, method, href: `${API_PREFIX}${path}` });

/** A source for the members of a tenant whose role may `verb` (a platform admin has no tenant's tasks). */
const tenantMemberWho =
  (verb: Verb) =>
  (caller: AuthUser): boolean =>
    caller.tenantId !== null && may(caller, verb);

const HOUR_SQL = (hours: number) => `make_interval(hours => ${Math.trunc(hours)})`;
const DAY_SQL = (days: number) => `make_interval(days => ${Math.trunc(days)})`;

/**
 * A claim assigned to the caller and still worked. Its SLA deadline is the escalation its run
 * works to in the current stage (`deadlinesOf` in src/workflows/claim.ts; docs/inbox.md): the
 * instant the run computed in business time (`escalation_due_at`, migration 0053), otherwise
 * counted from when the claim entered that stage (`stage_entered_at`: a reassignment restarts
 * nothing) by the tenant's current settings, the same deadlines as the SLA breach report's; a
 * stage without an escalation has none.
 */
const claims: Source<Claim> = {
  kind: 'claim',
  model: Claim,
  appliesTo: tenantMemberWho('seeAssignedClaimTasks'),
  where: async (caller) => ({ [Op.and]: [claimAccess.scope(caller), { assigneeId: caller.id, status: OPEN_STAGES }] }),
  dueAt: async (caller) => {
    const settings = await TenantSettings.forTenant(caller.tenantId!);
    const entered = `"Claim".stage_entered_at`;
    return `coalesce("Claim".escalation_due_at, CASE "Claim".status
      WHEN 'reported' THEN ${entered} + ${HOUR_SQL(settings.claimUnassignedEscalationHours)}
      WHEN 'waiting_approval' THEN ${entered} + ${HOUR_SQL(settings.claimWaitingApprovalEscalationHours)}
      WHEN 'documents_requested' THEN ${entered} + ${DAY_SQL(settings.claimDocumentsEscalationDays)}
    END)`;
  },
  toTask: (claim, dueAt) => ({
    kind: 'claim',
    id: claim.id,
    title: `Claim ${claim.claimNumber} (${claim.status})`,
    dueAt,
    createdAt: claim.createdAt,
    links: [link('self', 'GET', `/claims/${claim.id}`), link('transition', 'POST', `/claims/${claim.id}/transitions`)],
  }),
};

/**
 * A version in review that the caller may decide: a reviewer role, and none of its makers under any account on their
 * mailbox (four eyes, src/domain/compliance/four-eyes.ts): its author, whoever changed its draft, its submitter.
 */
const policyReviews: Source<PolicyVersion> = {
  kind: 'policy_review',
  model: PolicyVersion,
  appliesTo: tenantMemberWho('reviewPolicyVersion'),
  where: async (caller) => ({
    [Op.and]: [policyVersionAccess.scope(caller), { status: 'in_review' }, notMadeBy(caller.id, '"PolicyVersion"')],
  }),
  dueAt: async () => `"PolicyVersion".review_due_at`,
  include: [{ model: CompliancePolicy, as: 'policy', attributes: ['title'] }],
  toTask: (version, dueAt) => ({
    kind: 'policy_review',
    id: version.id,
    title: `Review ${titleOf(version)} v${version.versionNumber}`,
    dueAt,
    createdAt: version.createdAt,
    links: [
      link('approve', 'POST', `/compliance/versions/${version.id}/approve`),
      link('reject', 'POST', `/compliance/versions/${version.id}/reject`),
    ],
  }),
};

const titleOf = (version: PolicyVersion): string => (version.get('policy') as CompliancePolicy | undefined)?.title ?? 'policy';

/** The caller's own acknowledgements still to give (overdue and escalated ones included: they can still be given). */
const acknowledgements: Source<Acknowledgement> = {
  kind: 'acknowledgement',
  model: Acknowledgement,
  appliesTo: (caller) => caller.tenantId !== null,
  where: async (caller) => ({
    [Op.and]: [acknowledgementAccess.scope(caller), { employeeId: caller.id, status: ['pending', 'overdue', 'escalated'] }],
  }),
  dueAt: async () => `"Acknowledgement".due_at`,
  include: [
    {
      model: PolicyVersion,
      as: 'version',
      attributes: ['versionNumber'],
      include: [{ model: CompliancePolicy, as: 'policy', attributes: ['title'] }],
    },
  ],
  toTask: (ack, dueAt) => {
    const version = ack.get('version') as PolicyVersion | undefined;
    return {
      kind: 'acknowledgement',
      id: ack.id,
      title: version ? `Acknowledge ${titleOf(version)} v${version.versionNumber}` : 'Acknowledge a policy',
      dueAt,
      createdAt: ack.createdAt,
      links: [link('acknowledge', 'POST', `/acknowledgements/${ack.id}/acknowledge`)],
    };
  },
};

/** A company's registration waiting for a platform admin's decision; it expires EXPIRE_AFTER its submission. */
const registrations: Source<Registration> = {
  kind: 'registration',
  model: Registration,
  appliesTo: (caller) => may(caller, 'decideRegistration'),
  where: async (caller) => ({ [Op.and]: [registrationAccess.scope(caller), { status: 'pending' }] }),
  dueAt: async () => `"Registration".created_at + interval '${EXPIRE_AFTER}'`,
  toTask: (registration, dueAt) => ({
    kind: 'registration',
    id: registration.id,
    title: `Registration of ${registration.companyName}`,
    dueAt,
    createdAt: registration.createdAt,
    links: [
      link('self', 'GET', `/registrations/${registration.id}`),
      link('approve', 'POST', `/registrations/${registration.id}/approve`),
      link('reject', 'POST', `/registrations/${registration.id}/reject`),
    ],
  }),
};

/**
 * An invoice of the tenant unpaid past its due date: a queue the claims staff share. It falls due
 * when its grace period ends and the policy lapses (the tenant's `premiumGraceDays`, as the
 * subscription's run counts it); recording the payment through its link clears it.
 */
const overdueInvoices: Source<Invoice> = {
  kind: 'overdue_invoice',
  model: Invoice,
  appliesTo: tenantMemberWho('chaseOverduePremiums'),
  where: async (caller) => ({ [Op.and]: [invoiceAccess.scope(caller), overdueInvoiceWhere()] }),
  dueAt: async (caller) => {
    const settings = await TenantSettings.forTenant(caller.tenantId!);
    return `("Invoice".due_date + ${DAY_SQL(settings.premiumGraceDays)}) AT TIME ZONE 'UTC'`;
  },
  toTask: (invoice, dueAt, caller) => ({
    kind: 'overdue_invoice',
    id: invoice.id,
    title: `Invoice ${invoice.number} overdue: ${formatMinorUnits(invoice.amountMinor, invoice.currency)} ${invoice.currency} due ${invoice.dueDate}`,
    dueAt,
    createdAt: invoice.createdAt,
    links: [
      link('self', 'GET', `/invoices/${invoice.id}`),
      // Chasing is the claims staff's; recording the money only `recordPremiumPayment`'s (tenant admins): who chases gets no link.
      ...(may(caller, 'recordPremiumPayment') ? [link('record_payment', 'POST', `/invoices/${invoice.id}/payments`)] : []),
    ],
  }),
};

/** What a change moves, as the task names it: the fields of `requested` (docs/subscriptions.md, Policy changes). */
const CHANGED_FIELDS: Record<keyof RequestedChange, string> = { planId: 'plan', propertyAddress: 'property address', holderPhone: 'phone' };

/**
 * A policy change of the tenant confirmed and waiting for its effective date, when the run carries
 * it out: until then the staff who may change any policy can still withdraw it (docs/inbox.md).
 * It falls due at the start of its effective day (UTC), and leaves the inbox once applied, withdrawn or not applied.
 */
const scheduledChanges: Source<SubscriptionChange> = {
  kind: 'policy_change',
  model: SubscriptionChange,
  appliesTo: tenantMemberWho('changeAnyPolicy'),
  where: async (caller) => ({ tenantId: tenantOf(caller), status: 'scheduled' }),
  dueAt: async () => `"SubscriptionChange".effective_date::timestamp AT TIME ZONE 'UTC'`,
  toTask: (change, dueAt) => {
    const path = `/subscriptions/${change.subscriptionId}/changes/${change.id}`;
    const fields = (Object.keys(CHANGED_FIELDS) as Array<keyof RequestedChange>).filter((field) => change.requested[field] !== undefined);
    const sign = change.premiumDeltaMinor > 0 ? '+' : '';
    return {
      kind: 'policy_change',
      id: change.id,
      title: `Policy change (${fields.map((field) => CHANGED_FIELDS[field]).join(', ')}) effective ${change.effectiveDate}: ${sign}${formatMinorUnits(change.premiumDeltaMinor, change.currency)} ${change.currency}`,
      dueAt,
      createdAt: change.createdAt,
      links: [link('self', 'GET', path), link('withdraw', 'POST', `${path}/withdraw`)],
    };
  },
};

/**
 * A quote the rating rules referred, waiting for an underwriter's decision (docs/quotes.md,
 * Referral): a queue the tenant's underwriters and tenant admins share, without the quotes the
 * caller asked for (they may not decide those). It falls due when the referral lapses.
 */
const quoteReferrals: Source<Quote> = {
  kind: 'quote_referral',
  model: Quote,
  appliesTo: tenantMemberWho('decideQuoteReferral'),
  where: async (caller) => ({
    [Op.and]: [
      quoteAccess.scope(caller),
      { status: 'referred', [Op.or]: [{ requestedById: null }, { requestedById: { [Op.ne]: caller.id } }] },
    ],
  }),
  dueAt: async () => `"Quote".referral_due_at`,
  toTask: (quote, dueAt) => ({
    kind: 'quote_referral',
    id: quote.id,
    title: `Referred quote: ${formatMinorUnits(quote.premiumMinor, quote.currency)} ${quote.currency} (${quote.referralReasons.join('; ')})`,
    dueAt,
    createdAt: quote.createdAt,
    links: [
      link('self', 'GET', `/quotes/${quote.id}`),
      link('accept', 'POST', `/quotes/${quote.id}/accept`),
      link('decline', 'POST', `/quotes/${quote.id}/decline`),
    ],
  }),
};

/** Earliest due first, those without a due date last, then the oldest. */
function byDueDate(a: SourceTask, b: SourceTask): number {
  if (a.dueAt && b.dueAt && a.dueAt.getTime() !== b.dueAt.getTime()) return a.dueAt.getTime() - b.dueAt.getTime();
  if (a.dueAt && !b.dueAt) return -1;
  if (!a.dueAt && b.dueAt) return 1;
  return a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
}

/** One kind's first `limit` tasks by due date, and how many there are. */
async function read<M extends TaskRow>(
  source: Source<M>,
  caller: AuthUser,
  limit: number,
): Promise<{ tasks: SourceTask[]; count: number }> {
  const where = await source.where(caller);
  const dueAt = await source.dueAt(caller);
  const [rows, count] = await Promise.all([
    source.model.findAll({
      where,
      ...(source.include && { include: source.include }),
      attributes: { include: [[literal(dueAt), 'taskDueAt']] },
      order: [literal('"taskDueAt" ASC NULLS LAST'), literal(`"${source.model.name}".created_at ASC`)],
      limit,
    }),
    source.model.count({ where }),
  ]);
  return { tasks: rows.map((row) => source.toTask(row, (row.get('taskDueAt') as Date | null) ?? null, caller)), count };
}

interface KindReader {
  kind: TaskKind;
  appliesTo(caller: AuthUser): boolean;
  read(caller: AuthUser, limit: number): Promise<{ tasks: SourceTask[]; count: number }>;
}

/** A kind's source behind one shape, so the inbox merges kinds of different models. */
const readerOf = <M extends TaskRow>(source: Source<M>): KindReader => ({
  kind: source.kind,
  appliesTo: source.appliesTo,
  read: (caller, limit) => read(source, caller, limit),
});

const READERS = [
  readerOf(claims),
  readerOf(policyReviews),
  readerOf(acknowledgements),
  readerOf(registrations),
  readerOf(overdueInvoices),
  readerOf(scheduledChanges),
  readerOf(quoteReferrals),
];

/** The caller's first `limit` tasks by due date, and how many of each kind there are. */
export async function inboxOf(caller: AuthUser, limit: number): Promise<Inbox> {
  const counts = Object.fromEntries(TASK_KINDS.map((kind) => [kind, 0])) as Record<TaskKind, number>;
  const items: SourceTask[] = [];
  for (const reader of READERS.filter((r) => r.appliesTo(caller))) {
    const { tasks, count } = await reader.read(caller, limit);
    counts[reader.kind] = count;
    items.push(...tasks);
  }
  const local = await localTimeIn(caller.tenantId);
  return {
    items: items
      .sort(byDueDate)
      .slice(0, limit)
      .map((task) => ({ ...task, dueAtLocal: local(task.dueAt) })),
    counts,
    limit,
  };
}
