/**
 * One DataLoader per relation, made for each request and for its caller: every relation of a list
 * is fetched in one statement, and every statement goes through the access policy's `scope`, so a
 * row the caller may not see is simply absent (null, or not in the list).
 */
import DataLoader from 'dataloader';
import { type ClaimFinancials, currenciesOf, financialsOf } from '../../domain/claims/money';
import { Op, QueryTypes, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import {
  Acknowledgement,
  Category,
  Claim,
  ClaimDocument,
  ClaimHistory,
  ClaimNote,
  CompliancePolicy,
  ComplianceRequirement,
  Plan,
  PolicyVersion,
  Quote,
  RatingVersion,
  Registration,
  Invoice,
  Subscription,
  SubscriptionVersion,
  Tenant,
  TenantSettings,
  User,
} from '../../models';
import { linkedPolicyIds, progressOf, type RequirementProgress } from '../../domain/compliance/requirements';
import { acknowledgementAccess } from '../../access/compliance';
import { categoryAccess, planAccess } from '../../access/catalog';
import { claimAccess, claimNoteAccess, withdrawnFilter } from '../../access/claims';
import { tenantOf } from '../../access/core';
import { registrationAccess, tenantRecordAccess } from '../../access/platform';
import { subscriptionAccess } from '../../access/subscriptions';
import { quoteAccess } from '../../access/quotes';
import { invoiceAccess } from '../../access/invoices';
import type { AuthUser } from '../../shared/caller';
import { groupedBy } from '../../shared/grouping';
import { may } from '../../access/may';
import { DEFAULT_TENANT_SETTINGS } from '../../shared/tenant-settings';
import { type ReportedCycle, statusCounts, type StatusCounts } from '../compliance/query';
import { tenantFigures } from '../../domain/reports/platform-queries';
import { boundQuotesOf, type BoundQuoteView } from '../../domain/quotes/binding';
import { ratingVersionsOfEach } from '../../domain/quotes/rating/versions';

export type TenantFiguresRow = Awaited<ReturnType<typeof tenantFigures>>[number];

export interface Loaders {
  subscription: DataLoader<string, Subscription | null>;
  invoice: DataLoader<string, Invoice | null>;
  plan: DataLoader<string, Plan | null>;
  /**
   * The plan a policy the caller sees was sold on (or one of its versions names): still its plan once withdrawn or
   * deleted, as the policy keeps running on it; `plan` and `plans` keep the catalog's rule.
   */
  policyPlan: DataLoader<string, Plan | null>;
  category: DataLoader<string, Category | null>;
  person: DataLoader<string, User | null>;
  claim: DataLoader<string, Claim | null>;
  /** The last `n` history entries of a claim, oldest first (as REST's): one loader per `n` asked for. */
  lastHistory(n: number): DataLoader<string, ClaimHistory[]>;
  documents: DataLoader<string, ClaimDocument[]>;
  documentCount: DataLoader<string, number>;
  financials: DataLoader<string, ClaimFinancials | null>;
  /** The currency a claim's amounts are in (its policy's), reached from a claim the caller sees. */
  currency: DataLoader<string, string>;
  /** The policy version that judged a claim's cover, reached from a claim the caller sees. */
  claimSubscriptionVersion: DataLoader<string, SubscriptionVersion | null>;
  quote: DataLoader<string, Quote | null>;
  /** The rating version that priced a quote the caller sees. */
  quoteRatingVersion: DataLoader<string, RatingVersion | null>;
  /** The quote a subscription the caller sees was bound from (docs/quotes.md, Binding). */
  boundQuote: DataLoader<Subscription, BoundQuoteView | null, string>;
  /**
   * The loader `key` names in this request, made by `make` the first time it is asked for: a field whose answer
   * depends on its arguments (a page of each policy's changes) batches the rows asked with the same arguments.
   */
  once<L>(key: string, make: () => L): L;
  /** A plan's rating versions, newest first, reached from a plan the caller sees (the field checks viewRatingTables). */
  ratingVersions: DataLoader<string, RatingVersion[]>;
  /** A claim's notes, oldest first; the withdrawn ones too only when asked for (`withdrawnFilter` judges who may). */
  notes(includeWithdrawn: boolean): DataLoader<string, ClaimNote[]>;
  acknowledgement: DataLoader<string, Acknowledgement | null>;
  /**
   * The tenant's compliance policies and versions: an employee reaches them through their own
   * acknowledgements; the fields only compliance roles may read check the role themselves.
   */
  policyVersion: DataLoader<string, PolicyVersion | null>;
  compliancePolicy: DataLoader<string, CompliancePolicy | null>;
  /** A policy's versions, newest first (as GET /compliance/policies/:id). */
  versionsOfPolicy: DataLoader<string, PolicyVersion[]>;
  /** A version report's counts by status. */
  versionCounts: DataLoader<ReportedCycle, StatusCounts, string>;
  /** A requirement's progress as of the request's `now`, counted for every requirement of the request at once (`progressOf`). */
  requirementProgress: DataLoader<ComplianceRequirement, RequirementProgress, string>;
  requirementPolicyIds: DataLoader<string, string[]>;
  tenant: DataLoader<string, Tenant | null>;
  /** A tenant's figures of the platform report, counted for the whole page of tenants at once. */
  tenantFigures: DataLoader<Tenant, TenantFiguresRow, string>;
  registration: DataLoader<string, Registration | null>;
  /** A tenant's `timeZone` setting, by tenant ID, for the local times beside instants (`dueAtLocal`). */
  timeZone: DataLoader<string, string>;
}

/** Rows by id among those `where` allows, in the order of `ids` (null where absent); `paranoid: false` finds soft-deleted ones too. */
function byId<M extends Model & { id: string }>(
  model: ModelStatic<M>,
  where: () => WhereOptions,
  { paranoid = true }: { paranoid?: boolean } = {},
): DataLoader<string, M | null> {
  return new DataLoader(async (ids) => {
    const rows = await model.findAll({ where: { [Op.and]: [where(), { id: [...ids] }] }, paranoid });
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** Rows grouped by their claim, in the order of `claimIds`. */
function groupByClaim<R extends { claimId: string }>(claimIds: readonly string[], rows: R[]): R[][] {
  return groupedBy(claimIds, rows, (row) => row.claimId);
}

/**
 * The people a caller sees beside a claim or a subscription: the staff see their tenant's users
 * (who filed, who handles); anyone else only themselves.
 */
function peopleScope(caller: AuthUser): WhereOptions {
  return may(caller, 'seeTenantPeople') ? { tenantId: tenantOf(caller) } : { id: caller.id };
}

/** One loader per argument value (a history's length, whether withdrawn notes count), made on first use. */
function loaderPer<A, K, V>(make: (argument: A) => DataLoader<K, V>): (argument: A) => DataLoader<K, V> {
  const loaders = new Map<A, DataLoader<K, V>>();
  return (argument) => {
    let loader = loaders.get(argument);
    if (!loader) {
      loader = make(argument);
      loaders.set(argument, loader);
    }
    return loader;
  };
}

/** The loaders of one request by `caller`, whose figures of a moment (a requirement's progress) are as of `now`. */
export function createLoaders(caller: AuthUser | null, now: Date): Loaders {
  // Resolvers that reach a loader have checked the caller (callerOf); a loader never runs without one.
  const who = (): AuthUser => caller!;
  const documentWhere = (claimIds: readonly string[]) => ({ tenantId: tenantOf(who()), claimId: [...claimIds], withdrawnAt: null });

  return {
    subscription: byId(Subscription, () => subscriptionAccess.scope(who())),
    invoice: byId(Invoice, () => invoiceAccess.scope(who())),
    plan: byId(Plan, () => planAccess.scope(who())),
    // Reached from a policy the caller sees: the tenant's plan whatever became of it since (REST reads it so too).
    policyPlan: byId(Plan, () => ({ tenantId: tenantOf(who()) }), { paranoid: false }),
    category: byId(Category, () => categoryAccess.scope(who())),
    person: byId(User, () => peopleScope(who())),
    claim: byId(Claim, () => claimAccess.scope(who())),
    // The claims are already visible to the caller (the loader is reached from a claim).
    lastHistory: loaderPer(
      (n: number) =>
        new DataLoader(async (claimIds) => {
          const rows = await ClaimHistory.sequelize!.query<ClaimHistory>(
            `SELECT * FROM (SELECT h.*, row_number() OVER (PARTITION BY h.claim_id ORDER BY h.sequence DESC) AS rank
               FROM claim_history h WHERE h.tenant_id = :tenantId AND h.claim_id IN (:claimIds)) ranked
             WHERE rank <= :n ORDER BY claim_id, sequence ASC`,
            {
              type: QueryTypes.SELECT,
              model: ClaimHistory,
              mapToModel: true,
              replacements: { tenantId: tenantOf(who()), claimIds: [...claimIds], n },
            },
          );
          return groupByClaim(claimIds, rows);
        }),
    ),
    documents: new DataLoader(async (claimIds) =>
      groupByClaim(claimIds, await ClaimDocument.findAll({ where: documentWhere(claimIds), order: [['createdAt', 'ASC']] })),
    ),
    // The claims are visible to the caller; the figures are the staff's (the resolver checks).
    currency: new DataLoader(async (claimIds) => {
      const currencies = await currenciesOf(claimIds);
      return claimIds.map((id) => currencies.get(id)!);
    }),
    financials: new DataLoader(async (claimIds) => {
      const figures = await financialsOf([...claimIds]);
      return claimIds.map((id) => figures.get(id) ?? null);
    }),
    claimSubscriptionVersion: byId(SubscriptionVersion, () => ({ tenantId: tenantOf(who()) })),
    quote: byId(Quote, () => quoteAccess.scope(who())),
    quoteRatingVersion: byId(RatingVersion, () => ({ tenantId: tenantOf(who()) })),
    boundQuote: new DataLoader(
      async (subscriptions) => {
        const quotes = await boundQuotesOf(subscriptions);
        return subscriptions.map((subscription) => quotes.get(subscription.id) ?? null);
      },
      { cacheKeyFn: (subscription) => subscription.id },
    ),
    once: (() => {
      const made = new Map<string, unknown>();
      return <L>(key: string, make: () => L): L => {
        if (!made.has(key)) made.set(key, make());
        return made.get(key) as L;
      };
    })(),
    ratingVersions: new DataLoader(ratingVersionsOfEach),
    documentCount: new DataLoader(async (claimIds) => {
      const counts = await ClaimDocument.count({ where: documentWhere(claimIds), group: ['claimId'] });
      const byClaim = new Map(counts.map((row) => [String(row.claimId), row.count]));
      return claimIds.map((id) => byClaim.get(id) ?? 0);
    }),
    notes: loaderPer(
      (includeWithdrawn: boolean) =>
        new DataLoader(async (claimIds) =>
          groupByClaim(
            claimIds,
            await ClaimNote.findAll({
              where: { [Op.and]: [claimNoteAccess.scope(who()), withdrawnFilter(who(), includeWithdrawn), { claimId: [...claimIds] }] },
              order: [['createdAt', 'ASC']],
            }),
          ),
        ),
    ),
    acknowledgement: byId(Acknowledgement, () => acknowledgementAccess.scope(who())),
    policyVersion: byId(PolicyVersion, () => ({ tenantId: tenantOf(who()) })),
    compliancePolicy: byId(CompliancePolicy, () => ({ tenantId: tenantOf(who()) })),
    versionsOfPolicy: new DataLoader(async (policyIds) => {
      const versions = await PolicyVersion.findAll({
        where: { tenantId: tenantOf(who()), policyId: [...policyIds] },
        order: [['versionNumber', 'DESC']],
      });
      return groupedBy(policyIds, versions, (version) => version.policyId);
    }),
    // The versions are the caller's tenant's (the loader is reached from a visible version).
    versionCounts: new DataLoader<ReportedCycle, StatusCounts, string>((cycles) => statusCounts(cycles), {
      cacheKeyFn: ({ versionId, cycle }) => `${versionId}:${cycle}`,
    }),
    requirementProgress: new DataLoader(
      async (requirements) => {
        const progress = await progressOf(ComplianceRequirement.sequelize!, [...requirements], now);
        return requirements.map((requirement) => progress.get(requirement.id)!);
      },
      { cacheKeyFn: (requirement) => requirement.id },
    ),
    requirementPolicyIds: new DataLoader(async (requirementIds) => {
      const linked = await linkedPolicyIds([...requirementIds]);
      return requirementIds.map((id) => linked.get(id) ?? []);
    }),
    tenant: byId(Tenant, () => tenantRecordAccess.scope(who())),
    registration: byId(Registration, () => registrationAccess.scope(who())),
    tenantFigures: new DataLoader(async (tenants) => tenantFigures(Tenant.sequelize!, [...tenants]), {
      cacheKeyFn: (tenant) => tenant.id,
    }),
    // Reached from rows the caller already sees, of their tenant: only the zone is read.
    timeZone: new DataLoader(async (tenantIds) => {
      const rows = await TenantSettings.findAll({ where: { tenantId: [...tenantIds] } });
      const zones = new Map(rows.map((row) => [row.tenantId, row.effective().timeZone]));
      return tenantIds.map((id) => zones.get(id) ?? DEFAULT_TENANT_SETTINGS.timeZone);
    }),
  };
}
