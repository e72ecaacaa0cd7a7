import Joi from 'joi';
import { CLAIM_STAGES } from '../../contracts/claim';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { SUBSCRIPTION_STATUSES } from '../../contracts/subscription';
import { oneOf, object } from '../../shared/typed-schema';
import { countsSchema, policyProgressSchema, requirementStatus } from '../compliance/requirements/schemas';
import { REQUIREMENT_STATUSES } from '../../domain/compliance/requirements';
import { uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys, pageSchema } from '../lists/pagination';
import type { ReportKind } from '../../domain/reports/kinds';

const format = oneOf(['json', 'csv'] as const).description('csv: a download (same as Accept: text/csv), of the section named by `section`');

/** GET /reports/<kind>'s query: the keys its kind takes (src/domain/reports/kinds.ts) and the output format. */
export const reportQuery = (kind: Pick<ReportKind, 'keys'>) => object({ ...kind.keys, format });

const periodSchema = Joi.object({ from: Joi.string(), to: Joi.string() }).label('ReportPeriod');
const money = Joi.string().description('Decimal with the currency’s decimals ("12000" JPY)');
/** A figure's sum and its currency: money of several currencies is never added up (docs/reports.md). */
const summed = Joi.string()
  .allow(null)
  .description('Decimal with the row’s currency’s decimals ("12000" JPY); null when the row’s amounts are in several currencies');
const summedCurrency = Joi.string()
  .allow(null)
  .description('The currency of the row’s amounts; null when they are in several, which are then not added up');
const countsOf = (keys: readonly string[]) => Joi.object(Object.fromEntries(keys.map((key) => [key, Joi.number().integer()])));

/**
 * The keys a grouped report begins with: its period, what it groups by, the `totals` of its
 * figures and the same figures for each group, with the group's `key` and `label`.
 */
const groupedFigures = (name: string, figures: Record<string, Joi.Schema>, totals: Joi.Schema) => ({
  period: periodSchema,
  groupBy: Joi.string(),
  totals,
  groups: Joi.array().items(Joi.object({ key: Joi.string(), label: Joi.string(), ...figures }).label(`${name}ReportGroup`)),
});

const claimFigures = {
  filed: Joi.number().integer(),
  approved: Joi.number().integer(),
  denied: Joi.number().integer(),
  paid: Joi.number().integer(),
  denialRate: Joi.number().allow(null).description('denied / (approved + denied), 0..1'),
  currency: summedCurrency,
  amountClaimed: summed,
  amountApproved: summed,
  amountPaid: summed,
};

export const claimsReportSchema = Joi.object({
  ...groupedFigures('Claim', claimFigures, Joi.object(claimFigures).label('ClaimFigures')),
  currentStages: countsOf(CLAIM_STAGES).description('Every claim of the tenant by its stage now'),
  stageTimes: Joi.array().items(
    Joi.object({
      stage: Joi.string(),
      stays: Joi.number().integer(),
      meanHours: Joi.number(),
      p50Hours: Joi.number(),
      p90Hours: Joi.number(),
    }).label('ClaimStageTime'),
  ),
  approvalsByAuthority: Joi.object({
    adjuster: Joi.number().integer(),
    senior: Joi.number().integer(),
    manager: Joi.number().integer(),
    other: Joi.number().integer(),
  }),
  slaBreaches: Joi.object({
    count: Joi.number().integer(),
    items: Joi.array().items(
      Joi.object({
        claimNumber: Joi.string(),
        stage: Joi.string(),
        dueAt: Joi.date().description(
          "When the stage's escalation fell due (UTC): in business time as the claim's run computed it, or the tenant's hours from entering the stage",
        ),
        dueAtLocal: Joi.string().description("dueAt in the tenant's timeZone, ISO 8601 with its offset"),
        overdueHours: Joi.number(),
      }).label('SlaBreach'),
    ),
    truncated: Joi.boolean().description('More breaches than listed: the CSV (section=slaBreaches) has them all'),
  }),
  costs: Joi.array()
    .items(
      Joi.object({
        planId: Joi.string(),
        plan: Joi.string(),
        currency: Joi.string(),
        costType: Joi.string(),
        claims: Joi.number().integer(),
        outstanding: Joi.string(),
        paid: Joi.string(),
        recovered: Joi.string(),
        incurred: Joi.string().description('paid + outstanding − recovered'),
      }).label('ClaimCost'),
    )
    .description('What the claims filed in the period cost, by plan and cost type (docs/claim-money.md)'),
}).label('ClaimsReport');

const policyFigures = {
  written: Joi.number().integer(),
  activated: Joi.number().integer(),
  cancelled: Joi.number().integer(),
  expired: Joi.number().integer(),
  renewed: Joi.number().integer(),
  currency: summedCurrency,
  writtenPremium: summed,
  renewedPremium: summed,
};

export const policiesReportSchema = Joi.object({
  ...groupedFigures('Policy', policyFigures, Joi.object(policyFigures).label('PolicyFigures')),
  currentStatuses: countsOf(SUBSCRIPTION_STATUSES).description('Every policy of the tenant by its status now'),
  cancellationsByReason: Joi.array().items(Joi.object({ reason: Joi.string().allow(null), count: Joi.number().integer() })),
  expiring: Joi.object({
    within30Days: Joi.number().integer(),
    within60Days: Joi.number().integer(),
    within90Days: Joi.number().integer(),
    items: Joi.array().items(
      Joi.object({
        subscriptionId: uuid,
        policyholder: Joi.string(),
        email: Joi.string(),
        plan: Joi.string(),
        endDate: Joi.string(),
        premium: money,
      }).label('ExpiringPolicy'),
    ),
    truncated: Joi.boolean().description('More than listed: the CSV (section=expiring) has them all'),
  }),
}).label('PoliciesReport');

const amountIn = Joi.string().description('Decimal in the currency’s own minor unit (2 places for EUR, none for JPY, 3 for KWD)');
const premiumFigures = {
  currency: Joi.string().description('ISO 4217: figures of different currencies are never added up'),
  billed: amountIn.description('Invoices due in the period, void ones left out'),
  collected: amountIn.description('Payments received in the period, credit included'),
  refunded: amountIn.description('Refunds recorded in the period (sent, pending or owed; not failed)'),
  outstanding: amountIn.description('What the invoices due in the period still owe today'),
  overdue: amountIn.description('The part of outstanding past its due date'),
};

export const premiumsReportSchema = Joi.object({
  ...groupedFigures(
    'Premium',
    premiumFigures,
    Joi.array().items(Joi.object(premiumFigures).label('PremiumFigures')).description('One entry per currency'),
  ),
  overdueNow: Joi.object({
    count: Joi.number().integer().description('Unpaid invoices past their due date now, whatever the period'),
    byCurrency: Joi.array().items(
      Joi.object({ currency: Joi.string(), count: Joi.number().integer(), owed: amountIn }).label('OverdueByCurrency'),
    ),
    items: Joi.array().items(
      Joi.object({
        invoiceId: uuid,
        number: Joi.string(),
        policyNumber: Joi.string().allow(null),
        policyholder: Joi.string(),
        email: Joi.string(),
        dueDate: Joi.string(),
        daysOverdue: Joi.number().integer(),
        currency: Joi.string(),
        owed: amountIn,
      }).label('OverdueInvoice'),
    ),
    truncated: Joi.boolean().description('More than listed: the CSV (section=overdue) has them all'),
  }),
}).label('PremiumsReport');

const financeFigures = {
  currency: Joi.string().description('ISO 4217: figures of different currencies are never added up'),
  written: amountIn.description(
    'Premium written in the period, net of what voids and refunds returned: net credits to unearned_premium but earnings',
  ),
  earned: amountIn.description('Net credits to earned_premium in the period'),
  unearned: amountIn.description('Balance of unearned_premium on the last day of the period (by month: of the month)'),
  paid: amountIn.description('Paid out on claims in the period: credits to cash by claim payments cleared or settled'),
  incurred: amountIn.description('Net debits to paid_losses and reserve_movement in the period, less recoveries'),
  recoveries: amountIn.description('Net credits to recoveries in the period'),
  lossRatio: Joi.string()
    .allow(null)
    .pattern(/^-?\d+\.\d{4}$/)
    .description('incurred ÷ earned, a decimal with 4 places; null when nothing was earned'),
};

export const financeReportSchema = Joi.object({
  ...groupedFigures(
    'Finance',
    financeFigures,
    Joi.array().items(Joi.object(financeFigures).label('FinanceFigures')).description('One entry per currency'),
  ),
}).label('FinanceReport');

export const complianceReportSchema = Joi.object({
  asOf: Joi.date(),
  requirements: Joi.array().items(
    Joi.object({
      requirementId: uuid,
      title: Joi.string(),
      frameworkRef: Joi.string(),
      dueAt: Joi.date(),
      status: requirementStatus,
      complete: Joi.boolean(),
      overall: countsSchema,
      policies: Joi.array().items(
        policyProgressSchema
          .keys({
            escalations: Joi.object({ level1: Joi.number().integer(), level2: Joi.number().integer() }).description(
              'Acknowledgements of the version escalated at each level',
            ),
          })
          .label('ComplianceReportPolicy'),
      ),
    }).label('ComplianceReportRequirement'),
  ),
}).label('ComplianceReport');

export const platformReportQuery = object({
  ...pageQueryKeys,
  ordering: orderingParam(['name', 'createdAt'], 'name'),
  format: format.description('csv: one row per tenant, every tenant (no paging)'),
});

const platformTenantSchema = Joi.object({
  tenant: Joi.object({ id: uuid, name: Joi.string(), slug: Joi.string(), status: Joi.string() }),
  users: Joi.number().integer().description('Active users'),
  activePolicies: Joi.number().integer(),
  openClaims: Joi.number().integer(),
  slaBreaches: Joi.number().integer(),
  requirements: Joi.object({
    total: Joi.number().integer(),
    ...Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, Joi.number().integer()])),
  }),
}).label('PlatformReportTenant');

export const platformReportSchema = pageSchema(platformTenantSchema)
  .keys({
    registrations: Joi.object({
      count: Joi.number().integer().description('Registrations waiting for a decision'),
      items: Joi.array().items(
        Joi.object({ id: uuid, companyName: Joi.string(), submittedAt: Joi.date(), ageHours: Joi.number() }).label('PendingRegistration'),
      ),
      truncated: Joi.boolean(),
    }),
  })
  .label('PlatformReport');

/** The JSON document of each tenant's report kind, for the OpenAPI document. */
export const TENANT_REPORT_SCHEMAS: Record<SavedReportKind, Joi.ObjectSchema> = {
  claims: claimsReportSchema,
  policies: policiesReportSchema,
  compliance: complianceReportSchema,
  premiums: premiumsReportSchema,
  finance: financeReportSchema,
};
