/**
 * The business reports (docs/reports.md) with GET /reports/*'s access verbs and query schemas, each
 * section read by the same SQL function as REST and only when the query asks for it. The platform
 * report's tenants are a connection whose figures are counted for the whole page at once.
 */
import type { ObjectRef } from '@pothos/core';
import Joi from 'joi';
import { isoDate } from '../../../shared/typed-schema';
import type { Sequelize, WhereOptions } from 'sequelize';
import { CLAIM_STAGES } from '../../../contracts/claim';
import { SUBSCRIPTION_STATUSES } from '../../../contracts/subscription';
import { Tenant as TenantModel } from '../../../models';
import { tenantOf } from '../../../access/core';
import { tenantRecordAccess } from '../../../access/platform';
import {
  approvalsByAuthority,
  claimCosts,
  type ClaimCost,
  claimGroups,
  claimsByCurrentStage,
  slaBreachCounts,
  slaBreaches,
  stageTimes,
  type ClaimFigures,
  type ClaimGrouping,
  type SlaBreach,
} from '../../../domain/reports/claims-queries';
import { complianceReport } from '../../../domain/reports/compliance-queries';
import { financeGroups, type FinanceFigures as FinanceFiguresRow, type FinanceGrouping } from '../../../domain/reports/finance-queries';
import { type Period, periodOf, periodView } from '../../../domain/reports/period';
import { pendingRegistrations } from '../../../domain/reports/platform-queries';
import {
  cancellationsByReason,
  expiringCounts,
  expiringPolicies,
  policiesByStatus,
  policyGroups,
  type ExpiringPolicy,
  type PolicyGrouping,
} from '../../../domain/reports/policies-queries';
import {
  overdueCounts,
  overdueInvoices,
  premiumGroups,
  type PremiumFigures as PremiumFiguresRow,
  type PremiumGrouping,
} from '../../../domain/reports/premiums-queries';
import { LISTED_ROWS } from '../../../domain/reports/build';
import { PLATFORM_REPORT, TENANT_REPORT_KINDS, type ReportKind } from '../../../domain/reports/kinds';
import { rolesOf, type Verb } from '../../../access/verbs';
import type { AuthUser } from '../../../shared/caller';
import type { Role } from '../../../shared/roles';
import { platformReportQuery } from '../../reports/schemas';
import { costOf, STATEMENT_COST } from '../bounds';
import { builder, type BuilderTypes } from '../builder';
import { connectionOf, orderingOf, paged } from '../connection';
import { callerOf, type GraphQLContext } from '../context';
import { validInput } from '../input';
import { policyProgressFields, ProgressCountsType, RequirementStatusEnum } from './requirements';
import { TenantConnection } from './onboarding';

/**
 * A section's cost is its statements (bounds.ts, STATEMENT_COST): `totals` and `groups` share one,
 * counted for each; a section of counts and a list (SLA breaches, expiring policies) is two.
 */
const ONE_STATEMENT = costOf({ own: STATEMENT_COST });
const TWO_STATEMENTS = costOf({ own: 2 * STATEMENT_COST });

/**
 * What a tenant's report reads from: its tenant, period and grouping, and the moment it is read as of (`now`, the
 * clock of its period too); a section's statement runs once, when asked for.
 */
interface ReportSource<G> {
  sequelize: Sequelize;
  tenantId: string;
  period: Period;
  groupBy: G;
  now: Date;
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

function reportSource<G>(sequelize: Sequelize, tenantId: string, period: Period, groupBy: G, now: Date): ReportSource<G> {
  const read = new Map<string, Promise<unknown>>();
  return {
    sequelize,
    tenantId,
    period,
    groupBy,
    now,
    once<T>(key: string, reader: () => Promise<T>) {
      if (!read.has(key)) read.set(key, reader());
      return read.get(key) as Promise<T>;
    },
  };
}

/** An object type of counts, one Int field per key (every stage, every status…). */
function countsType<K extends string>(name: string, keys: readonly K[]) {
  return builder.objectRef<Record<K, number>>(name).implement({
    fields: (t) => Object.fromEntries(keys.map((key) => [key, t.int({ resolve: (counts) => counts[key] })])),
  });
}

const ReportPeriod = builder.objectRef<{ from: string; to: string }>('ReportPeriod').implement({
  description: 'The whole UTC days a report covers, both included',
  fields: (t) => ({ from: t.exposeString('from'), to: t.exposeString('to') }),
});

/** The period and grouping of a report of a period, as it was read. */
const periodFields = <G extends string>(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, ReportSource<G>>) => ({
  period: t.field({ type: ReportPeriod, resolve: (source) => periodView(source.period) }),
  groupBy: t.string({ resolve: (source) => source.groupBy }),
});

/** A report's `totals` and `groups`, read by one statement (`read`) however many of them are selected, as of the source's `now`. */
const groupsOf =
  <G, R>(read: (sequelize: Sequelize, tenantId: string, period: Period, groupBy: G, now: Date) => Promise<R>) =>
  (source: ReportSource<G>) =>
    source.once('groups', () => read(source.sequelize, source.tenantId, source.period, source.groupBy, source.now));

/** A report's `totals`, one per currency, and `groups` of `figures`, both from one statement (`read`, as `groupsOf`). */
function perCurrencyFigures<G extends string, Row>(
  t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, ReportSource<G>>,
  figures: ObjectRef<BuilderTypes, Row>,
  read: (sequelize: Sequelize, tenantId: string, period: Period, groupBy: G, now: Date) => Promise<{ totals: Row[]; groups: Row[] }>,
) {
  const figuresOf = groupsOf(read);
  return {
    totals: t.field({
      type: [figures],
      extensions: ONE_STATEMENT,
      description: 'One entry per currency',
      resolve: async (source) => (await figuresOf(source)).totals,
    }),
    groups: t.field({ type: [figures], extensions: ONE_STATEMENT, resolve: async (source) => (await figuresOf(source)).groups }),
  };
}

/** A section read by one statement (`read`) from the report's tenant and period. */
const sectionOf = <R>(read: (sequelize: Sequelize, tenantId: string, period: Period) => Promise<R>) => ({
  extensions: ONE_STATEMENT,
  resolve: (source: ReportSource<unknown>) => read(source.sequelize, source.tenantId, source.period),
});

/** The group a row of figures is for; both null on the totals. (Resolved, not exposed: `expose` takes no generic row.) */
const groupFields = <T extends { key?: string; label?: string }>(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, T>) => ({
  key: t.string({ nullable: true, description: 'The group (null for the totals)', resolve: (row) => row.key }),
  label: t.string({ nullable: true, resolve: (row) => row.label }),
});

const periodArgs = { from: 'First day (UTC), YYYY-MM-DD; default 29 days before to', to: 'Last day (UTC), included; default today' };

// Claims report

/** The claims and policies reports' money (docs/reports.md): never added up across currencies. */
const SUMMED_CURRENCY = 'The currency of the row’s amounts; null when they are in several, which are then not added up';
const SUMMED_AMOUNT = 'Decimal with the row’s currency’s decimals; null when the row’s amounts are in several currencies (docs/reports.md)';

const ClaimFiguresType = builder.objectRef<ClaimFigures & { key?: string; label?: string }>('ClaimFigures').implement({
  fields: (t) => ({
    ...groupFields(t),
    filed: t.exposeInt('filed'),
    approved: t.exposeInt('approved', { description: 'Claims approved in the period, each once however often it was approved' }),
    denied: t.exposeInt('denied', { description: 'Claims denied in the period, each once' }),
    paid: t.exposeInt('paid', { description: 'Settlements paid in the period' }),
    denialRate: t.exposeFloat('denialRate', { nullable: true, description: 'denied / (approved + denied), 0..1' }),
    currency: t.exposeString('currency', { nullable: true, description: SUMMED_CURRENCY }),
    amountClaimed: t.exposeString('amountClaimed', { nullable: true, description: SUMMED_AMOUNT }),
    amountApproved: t.exposeString('amountApproved', {
      nullable: true,
      description: "The approved claims' approved amounts now, each once",
    }),
    amountPaid: t.exposeString('amountPaid', { nullable: true, description: 'The sum of the settlements paid in the period' }),
  }),
});

const StageTime = builder
  .objectRef<{ stage: string; stays: number; meanHours: number; p50Hours: number; p90Hours: number }>('ClaimStageTime')
  .implement({
    fields: (t) => ({
      stage: t.exposeString('stage'),
      stays: t.exposeInt('stays'),
      meanHours: t.exposeFloat('meanHours'),
      p50Hours: t.exposeFloat('p50Hours'),
      p90Hours: t.exposeFloat('p90Hours'),
    }),
  });

const ClaimCostType = builder.objectRef<ClaimCost>('ClaimCost').implement({
  fields: (t) => ({
    planId: t.exposeID('planId'),
    plan: t.exposeString('plan'),
    currency: t.exposeString('currency'),
    costType: t.exposeString('costType'),
    claims: t.exposeInt('claims'),
    outstanding: t.exposeString('outstanding'),
    paid: t.exposeString('paid'),
    recovered: t.exposeString('recovered'),
    incurred: t.exposeString('incurred', { description: 'paid + outstanding − recovered' }),
  }),
});

const SlaBreachType = builder.objectRef<SlaBreach>('SlaBreach').implement({
  fields: (t) => ({
    claimNumber: t.exposeString('claimNumber'),
    stage: t.exposeString('stage'),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    dueAtLocal: t.exposeString('dueAtLocal', { description: "dueAt in the tenant's timeZone, ISO 8601 with its offset" }),
    overdueHours: t.exposeFloat('overdueHours'),
  }),
});

const SlaBreaches = builder.objectRef<ReportSource<ClaimGrouping>>('SlaBreaches').implement({
  fields: (t) => ({
    count: t.int({ resolve: (source) => breachCount(source) }),
    items: t.field({
      type: [SlaBreachType],
      description: `The first ${LISTED_ROWS}`,
      resolve: (source) => source.once('breaches', () => slaBreaches(source.sequelize, source.tenantId, LISTED_ROWS)),
    }),
    truncated: t.boolean({
      description: 'More breaches than listed: the CSV of GET /reports/claims has them all',
      resolve: async (source) =>
        (await breachCount(source)) >
        (await source.once('breaches', () => slaBreaches(source.sequelize, source.tenantId, LISTED_ROWS))).length,
    }),
  }),
});

async function breachCount(source: ReportSource<unknown>): Promise<number> {
  const counts = await source.once('breachCounts', () => slaBreachCounts(source.sequelize, [source.tenantId]));
  return counts.get(source.tenantId) ?? 0;
}

const claimGroupsOf = groupsOf(claimGroups);

const ClaimsReport = builder.objectRef<ReportSource<ClaimGrouping>>('ClaimsReport').implement({
  fields: (t) => ({
    ...periodFields(t),
    totals: t.field({ type: ClaimFiguresType, extensions: ONE_STATEMENT, resolve: async (source) => (await claimGroupsOf(source)).totals }),
    groups: t.field({
      type: [ClaimFiguresType],
      extensions: ONE_STATEMENT,
      resolve: async (source) => (await claimGroupsOf(source)).groups,
    }),
    currentStages: t.field({
      type: countsType('ClaimStageCounts', CLAIM_STAGES),
      description: 'Every claim of the tenant by its stage now',
      ...sectionOf(claimsByCurrentStage),
    }),
    stageTimes: t.field({ type: [StageTime], ...sectionOf(stageTimes) }),
    approvalsByAuthority: t.field({
      type: countsType('ApprovalsByAuthority', ['adjuster', 'senior', 'manager', 'other'] as const),
      ...sectionOf(approvalsByAuthority),
    }),
    slaBreaches: t.field({ type: SlaBreaches, extensions: TWO_STATEMENTS, resolve: (source) => source }),
    costs: t.field({
      type: [ClaimCostType],
      description: 'What the claims filed in the period cost, by plan and cost type (docs/claim-money.md)',
      ...sectionOf(claimCosts),
    }),
  }),
});

// Policies report

const PolicyFigures = builder
  .objectRef<{
    key?: string;
    label?: string;
    written: number;
    activated: number;
    cancelled: number;
    expired: number;
    renewed: number;
    currency: string | null;
    writtenPremium: string | null;
    renewedPremium: string | null;
  }>('PolicyFigures')
  .implement({
    fields: (t) => ({
      ...groupFields(t),
      written: t.exposeInt('written'),
      activated: t.exposeInt('activated'),
      cancelled: t.exposeInt('cancelled'),
      expired: t.exposeInt('expired'),
      renewed: t.exposeInt('renewed'),
      currency: t.exposeString('currency', { nullable: true, description: SUMMED_CURRENCY }),
      writtenPremium: t.exposeString('writtenPremium', { nullable: true, description: SUMMED_AMOUNT }),
      renewedPremium: t.exposeString('renewedPremium', { nullable: true }),
    }),
  });

const Cancellations = builder.objectRef<{ reason: string | null; count: number }>('CancellationsByReason').implement({
  fields: (t) => ({ reason: t.exposeString('reason', { nullable: true }), count: t.exposeInt('count') }),
});

const ExpiringPolicyType = builder.objectRef<ExpiringPolicy>('ExpiringPolicy').implement({
  fields: (t) => ({
    subscriptionId: t.exposeID('subscriptionId'),
    policyholder: t.exposeString('policyholder'),
    email: t.exposeString('email'),
    plan: t.exposeString('plan'),
    endDate: t.exposeString('endDate'),
    premium: t.exposeString('premium'),
  }),
});

const expiringOf = (source: ReportSource<PolicyGrouping>) =>
  source.once('expiring', () => expiringPolicies(source.sequelize, source.tenantId, LISTED_ROWS, 0, source.now));
const expiringCountsOf = (source: ReportSource<PolicyGrouping>) =>
  source.once('expiringCounts', () => expiringCounts(source.sequelize, source.tenantId, source.now));

const Expiring = builder.objectRef<ReportSource<PolicyGrouping>>('ExpiringPolicies').implement({
  description: 'Active policies whose cover ends within 30, 60 and 90 days (each window includes the shorter ones)',
  fields: (t) => ({
    within30Days: t.int({ resolve: async (source) => (await expiringCountsOf(source)).within30Days }),
    within60Days: t.int({ resolve: async (source) => (await expiringCountsOf(source)).within60Days }),
    within90Days: t.int({ resolve: async (source) => (await expiringCountsOf(source)).within90Days }),
    items: t.field({ type: [ExpiringPolicyType], description: `The first ${LISTED_ROWS}`, resolve: expiringOf }),
    truncated: t.boolean({
      resolve: async (source) => (await expiringCountsOf(source)).within90Days > (await expiringOf(source)).length,
    }),
  }),
});

const policyGroupsOf = groupsOf(policyGroups);

const PoliciesReport = builder.objectRef<ReportSource<PolicyGrouping>>('PoliciesReport').implement({
  fields: (t) => ({
    ...periodFields(t),
    totals: t.field({ type: PolicyFigures, extensions: ONE_STATEMENT, resolve: async (source) => (await policyGroupsOf(source)).totals }),
    groups: t.field({ type: [PolicyFigures], extensions: ONE_STATEMENT, resolve: async (source) => (await policyGroupsOf(source)).groups }),
    currentStatuses: t.field({
      type: countsType('SubscriptionStatusCounts', SUBSCRIPTION_STATUSES),
      description: 'Every policy of the tenant by its status now',
      ...sectionOf(policiesByStatus),
    }),
    cancellationsByReason: t.field({ type: [Cancellations], ...sectionOf(cancellationsByReason) }),
    expiring: t.field({ type: Expiring, extensions: TWO_STATEMENTS, resolve: (source) => source }),
  }),
});

// Compliance report

type ComplianceRequirementRow = Awaited<ReturnType<typeof complianceReport>>[number];
type CompliancePolicyRow = ComplianceRequirementRow['policies'][number];

const Escalations = builder.objectRef<{ level1: number; level2: number }>('EscalationCounts').implement({
  description: 'Acknowledgements of the version escalated at each level',
  fields: (t) => ({ level1: t.exposeInt('level1'), level2: t.exposeInt('level2') }),
});

const ComplianceReportPolicy = builder.objectRef<CompliancePolicyRow>('ComplianceReportPolicy').implement({
  fields: (t) => ({ ...policyProgressFields(t), escalations: t.field({ type: Escalations, resolve: (row) => row.escalations }) }),
});

const ComplianceReportRequirement = builder.objectRef<ComplianceRequirementRow>('ComplianceReportRequirement').implement({
  fields: (t) => ({
    requirementId: t.exposeID('requirementId'),
    title: t.exposeString('title'),
    frameworkRef: t.exposeString('frameworkRef'),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    status: t.expose('status', { type: RequirementStatusEnum }),
    complete: t.exposeBoolean('complete'),
    overall: t.expose('overall', { type: ProgressCountsType }),
    policies: t.field({ type: [ComplianceReportPolicy], resolve: (row) => row.policies }),
  }),
});

const ComplianceReport = builder.objectRef<{ asOf: Date; requirements: ComplianceRequirementRow[] }>('ComplianceReport').implement({
  fields: (t) => ({
    asOf: t.expose('asOf', { type: 'DateTime' }),
    requirements: t.field({ type: [ComplianceReportRequirement], resolve: (report) => report.requirements }),
  }),
});

// Platform report

const PendingRegistration = builder
  .objectRef<{ id: string; companyName: string; submittedAt: Date; ageHours: number }>('PendingRegistration')
  .implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      companyName: t.exposeString('companyName'),
      submittedAt: t.expose('submittedAt', { type: 'DateTime' }),
      ageHours: t.exposeFloat('ageHours'),
    }),
  });

const PendingRegistrations = builder.objectRef<Awaited<ReturnType<typeof pendingRegistrations>>>('PendingRegistrations').implement({
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'Registrations waiting for a decision' }),
    items: t.field({ type: [PendingRegistration], description: `The oldest ${LISTED_ROWS}`, resolve: (pending) => pending.items }),
    truncated: t.exposeBoolean('truncated'),
  }),
});

const PlatformReport = builder
  .objectRef<{ sequelize: Sequelize; first?: number | null; after?: string | null; ordering: string; scope: WhereOptions }>(
    'PlatformReport',
  )
  .implement({
    description: 'Per tenant its figures (`Tenant.figures`), and the registrations waiting for a decision',
    fields: (t) => ({
      tenants: t.field({
        type: TenantConnection,
        description: 'The tenants, by name unless `ordering` says otherwise (`name`, `-name`, `createdAt`, `-createdAt`)',
        resolve: (report) =>
          connectionOf(
            TenantModel,
            report.scope,
            report,
            orderingOf(report.ordering, { name: Joi.string().max(400), createdAt: isoDate() }),
          ),
      }),
      // Once, not per tenant of the page: a count and a list of the platform's registrations.
      registrations: t.field({
        type: PendingRegistrations,
        extensions: costOf({ once: 2 * STATEMENT_COST }),
        resolve: (report) => pendingRegistrations(report.sequelize, LISTED_ROWS),
      }),
    }),
  });

// Premiums report

const amountIn = 'Decimal in the currency’s own minor unit';

const PremiumFigures = builder.objectRef<PremiumFiguresRow & { key?: string; label?: string }>('PremiumFigures').implement({
  description: 'Figures in one currency: different currencies are never added up',
  fields: (t) => ({
    ...groupFields(t),
    currency: t.exposeString('currency'),
    billed: t.exposeString('billed', { description: `Invoices due in the period, void ones left out. ${amountIn}` }),
    collected: t.exposeString('collected', { description: 'Payments received in the period, credit included' }),
    refunded: t.exposeString('refunded', { description: 'Refunds recorded in the period (sent, pending or owed; not failed)' }),
    outstanding: t.exposeString('outstanding', { description: 'What the invoices due in the period still owe today' }),
    overdue: t.exposeString('overdue', { description: 'The part of outstanding past its due date' }),
  }),
});

type OverdueInvoiceRow = Awaited<ReturnType<typeof overdueInvoices>>[number];
const OverdueInvoice = builder.objectRef<OverdueInvoiceRow>('OverdueInvoice').implement({
  fields: (t) => ({
    invoiceId: t.exposeID('invoiceId'),
    number: t.exposeString('number'),
    policyNumber: t.exposeString('policyNumber', { nullable: true }),
    policyholder: t.exposeString('policyholder'),
    email: t.exposeString('email'),
    dueDate: t.exposeString('dueDate'),
    daysOverdue: t.exposeInt('daysOverdue'),
    currency: t.exposeString('currency'),
    owed: t.exposeString('owed', { description: amountIn }),
  }),
});

const OverdueByCurrency = builder.objectRef<{ currency: string; count: number; owed: string }>('OverdueByCurrency').implement({
  fields: (t) => ({ currency: t.exposeString('currency'), count: t.exposeInt('count'), owed: t.exposeString('owed') }),
});

const overdueCountsOf = (source: ReportSource<PremiumGrouping>) =>
  source.once('overdueCounts', () => overdueCounts(source.sequelize, source.tenantId, source.now));
const overdueItemsOf = (source: ReportSource<PremiumGrouping>) =>
  source.once('overdueItems', () => overdueInvoices(source.sequelize, source.tenantId, LISTED_ROWS, 0, source.now));
const overdueCountOf = async (source: ReportSource<PremiumGrouping>) =>
  (await overdueCountsOf(source)).reduce((total, { count }) => total + count, 0);

const OverdueNow = builder.objectRef<ReportSource<PremiumGrouping>>('OverdueInvoices').implement({
  description: 'Unpaid invoices past their due date now, whatever the period, the longest overdue first',
  fields: (t) => ({
    count: t.int({ resolve: overdueCountOf }),
    byCurrency: t.field({ type: [OverdueByCurrency], resolve: overdueCountsOf }),
    items: t.field({ type: [OverdueInvoice], description: `The first ${LISTED_ROWS}`, resolve: overdueItemsOf }),
    truncated: t.boolean({ resolve: async (source) => (await overdueCountOf(source)) > (await overdueItemsOf(source)).length }),
  }),
});

const PremiumsReport = builder.objectRef<ReportSource<PremiumGrouping>>('PremiumsReport').implement({
  fields: (t) => ({
    ...periodFields(t),
    ...perCurrencyFigures(t, PremiumFigures, premiumGroups),
    overdueNow: t.field({ type: OverdueNow, extensions: TWO_STATEMENTS, resolve: (source) => source }),
  }),
});

// Finance report

const FinanceFigures = builder.objectRef<FinanceFiguresRow & { key?: string; label?: string }>('FinanceFigures').implement({
  description: 'The insurer’s figures in one currency, read from the books (docs/ledger.md): different currencies are never added up',
  fields: (t) => ({
    ...groupFields(t),
    currency: t.exposeString('currency'),
    written: t.exposeString('written', { description: `Premium written in the period, net of voids and refunds. ${amountIn}` }),
    earned: t.exposeString('earned', { description: 'Premium earned in the period' }),
    unearned: t.exposeString('unearned', { description: 'Unearned premium on the last day of the period (by month: of the month)' }),
    paid: t.exposeString('paid', { description: 'Paid out on claims in the period (cleared or settled)' }),
    incurred: t.exposeString('incurred', { description: 'Paid losses and the change in reserves in the period, less recoveries' }),
    recoveries: t.exposeString('recoveries', { description: 'Recovered on claims in the period' }),
    lossRatio: t.exposeString('lossRatio', { nullable: true, description: 'incurred ÷ earned, 4 decimals; null when nothing was earned' }),
  }),
});

const FinanceReport = builder.objectRef<ReportSource<FinanceGrouping>>('FinanceReport').implement({
  fields: (t) => ({
    ...periodFields(t),
    ...perCurrencyFigures(t, FinanceFigures, financeGroups),
  }),
});

/** Where a report field keeps its kind and its verb's roles, for the check that both transports serve each kind alike. */
export interface ReportFieldKind {
  name: string;
  roles: readonly Role[];
}

export function reportKindOfField(extensions: Readonly<Record<string, unknown>> | null | undefined): ReportFieldKind | undefined {
  return extensions?.reportKind as ReportFieldKind | undefined;
}

/**
 * The `extensions` and `resolve` of a report kind's field (src/domain/reports/kinds.ts): the caller
 * is refused with the kind's verb and the arguments checked by its keys, as GET /reports/<kind> does.
 */
function ofReportKind<A extends object, P, R>(
  kind: { name: string; verb: Verb },
  input: (args: A) => P,
  run: (caller: AuthUser, parameters: P, context: GraphQLContext, args: A) => R,
  extensions: Record<string, unknown> = {},
) {
  return {
    extensions: { ...extensions, reportKind: { name: kind.name, roles: rolesOf(kind.verb) } },
    resolve: (_root: unknown, args: A, context: GraphQLContext) => {
      const caller = callerOf(context, kind.verb);
      return run(caller, input(args), context, args);
    },
  };
}

const { claims, policies, compliance, premiums, finance } = TENANT_REPORT_KINDS;

/** The arguments of a report of a period, grouped as `groupBy` describes. */
const periodReportArgs = (groupBy: string) =>
  builder.args((t) => ({
    from: t.string({ description: periodArgs.from }),
    to: t.string({ description: periodArgs.to }),
    groupBy: t.string({ description: groupBy }),
  }));

/** A report of a period (claims, policies…), grouped as `groupBy` describes, as a source whose sections are read when selected. */
function periodReport<G extends string>(kind: ReportKind<{ from?: Date; to?: Date; groupBy: G }>, groupBy: string) {
  return {
    args: periodReportArgs(groupBy),
    ...ofReportKind(
      kind,
      (args: Record<string, unknown>) => validInput(kind.parameters, args),
      (caller, { groupBy: grouping, ...dates }, context) =>
        reportSource<G>(context.services.sequelize, tenantOf(caller), periodOf(dates, context.now), grouping, context.now),
    ),
  };
}

type PlatformArgs = { first?: number | null; after?: string | null; ordering?: string | null };

/** The platform report's page of tenants, in the `ordering` asked for. */
const PLATFORM_PAGE = paged(builder.args((t) => ({ ordering: t.string() })));

builder.queryFields((t) => ({
  claimsReport: t.field({
    type: ClaimsReport,
    description: "The tenant's claims report, as GET /reports/claims (claims managers and tenant admins)",
    ...periodReport(claims, 'stage (default), assignee, month or policyType'),
  }),
  policiesReport: t.field({
    type: PoliciesReport,
    description: "The tenant's policies report, as GET /reports/policies (tenant admins)",
    ...periodReport(policies, 'month (default), plan or policyType'),
  }),
  premiumsReport: t.field({
    type: PremiumsReport,
    description: "The tenant's premiums report, as GET /reports/premiums (claims managers and tenant admins)",
    ...periodReport(premiums, 'month (default) or plan'),
  }),
  financeReport: t.field({
    type: FinanceReport,
    description: "The tenant's finance report from the books, as GET /reports/finance (finance and tenant admins)",
    ...periodReport(finance, 'month (default), plan or policyType'),
  }),
  complianceReport: t.field({
    type: ComplianceReport,
    description: "The tenant's compliance report, as GET /reports/compliance (compliance roles)",
    ...ofReportKind(
      compliance,
      (args: Record<string, unknown>) => validInput(compliance.parameters, args),
      async (caller, _parameters, { services, now }) => ({
        asOf: now,
        requirements: await complianceReport(services.sequelize, tenantOf(caller), now),
      }),
      // The requirements, their progress and their escalations, whatever is selected.
      costOf({ own: 3 * STATEMENT_COST }),
    ),
  }),
  platformReport: t.field({
    type: PlatformReport,
    description: 'The platform report, as GET /reports/platform (platform admins)',
    args: PLATFORM_PAGE.args,
    ...ofReportKind(
      PLATFORM_REPORT,
      ({ ordering }: PlatformArgs) => validInput(platformReportQuery, { ordering }),
      (caller, filters, context, { first, after }) => ({
        sequelize: context.services.sequelize,
        first,
        after,
        ordering: filters.ordering,
        scope: tenantRecordAccess.scope(caller),
      }),
      PLATFORM_PAGE.extensions,
    ),
  }),
}));
