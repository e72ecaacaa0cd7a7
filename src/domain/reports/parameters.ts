/**
 * What each business report takes besides its output format: the request's query of
 * GET /reports/<kind> and a saved definition's `parameters` are validated by these same keys, so a
 * saved report accepts exactly what the report does.
 */
import { isoDate, oneOf, object, withDefault } from '../../shared/typed-schema';
import { CLAIM_GROUPINGS } from './claims-queries';
import { FINANCE_GROUPINGS } from './finance-queries';
import { MAX_PERIOD_DAYS } from './period';
import { POLICY_GROUPINGS } from './policies-queries';
import { PREMIUM_GROUPINGS } from './premiums-queries';

// Only the format here: the period's bounds are business rules (422, period.ts), which the
// OpenAPI document cannot express.
const day = isoDate();

/** The period (whole UTC days) every dated report takes. */
export const periodKeys = {
  from: day.description(
    `First day of the period (UTC), default 29 days before to; at most ${MAX_PERIOD_DAYS} days before to; days in the years 2000 to 2999 (else 422)`,
  ),
  to: day.description('Last day of the period (UTC), included; default today'),
};

export const CLAIM_REPORT_SECTIONS = ['groups', 'slaBreaches', 'stageTimes', 'costs'] as const;
export const POLICY_REPORT_SECTIONS = ['groups', 'expiring', 'cancellations'] as const;
export const PREMIUM_REPORT_SECTIONS = ['groups', 'overdue'] as const;
/** The finance report's figures are its groups: one table. */
export const FINANCE_REPORT_SECTIONS = ['groups'] as const;

/**
 * A dated report's keys: the period, what its figures are grouped by (`defaultGroup` unless
 * asked) and which table the CSV holds (its groups unless asked).
 */
function datedReportKeys<G extends string, S extends string>(
  groupings: readonly G[],
  groupByDescription: string,
  defaultGroup: G,
  sections: readonly ['groups', ...S[]],
) {
  return {
    ...periodKeys,
    groupBy: withDefault(oneOf(groupings).description(groupByDescription), defaultGroup),
    section: withDefault(oneOf<'groups' | S>(sections).description('Which table the CSV holds'), 'groups'),
  };
}

export const claimsReportKeys = datedReportKeys(
  CLAIM_GROUPINGS,
  'stage and assignee: the claim’s current ones; month: of the event; policyType: of the subscription the claim is filed on',
  'stage',
  CLAIM_REPORT_SECTIONS,
);

export const policiesReportKeys = datedReportKeys(
  POLICY_GROUPINGS,
  'month: of the event; plan: the policy’s plan; policyType: the policy’s, as issued',
  'month',
  POLICY_REPORT_SECTIONS,
);

export const premiumsReportKeys = datedReportKeys(
  PREMIUM_GROUPINGS,
  'month: of the due day, the payment or the refund; plan: the policy’s plan',
  'month',
  PREMIUM_REPORT_SECTIONS,
);

export const financeReportKeys = datedReportKeys(
  FINANCE_GROUPINGS,
  'month: of the entry’s posting day; plan: the plan it was posted for; policyType: the policy’s, as issued',
  'month',
  FINANCE_REPORT_SECTIONS,
);

export const claimsReportParameters = object(claimsReportKeys);
export const policiesReportParameters = object(policiesReportKeys);
export const premiumsReportParameters = object(premiumsReportKeys);
export const financeReportParameters = object(financeReportKeys);
/** The compliance report is as of now: it takes nothing. */
export const complianceReportKeys = {};
export const complianceReportParameters = object(complianceReportKeys);
