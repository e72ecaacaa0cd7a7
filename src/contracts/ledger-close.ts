/**
 * The contract of `ledger-close-<tenantId>-<YYYY-MM>` runs (docs/ledger.md, Closing a month): the
 * books of one tenant's month are closed. The API records the period `closing` and starts the run;
 * the run posts the month's earned premium, policy by policy in pages, then locks the period
 * (`closed`) with its trial balance. A month reopened and closed again runs under the same ID.
 */
import { workflowRun } from './workflow-run';

/** One run at a time per tenant and month; a close after a reopening replaces the ended run. */
export const ledgerCloseRun = workflowRun(
  'ledgerCloseWorkflow',
  'ledger-close-',
  (tenantId: string, month: string) => `${tenantId}-${month}`,
);

/**
 * `closing` (asked; the run posts the earnings), `closed` (nothing dated in it is accepted) and
 * `reopened` (a tenant admin opened it again; it may be closed again).
 */
export const LEDGER_PERIOD_STATUSES = ['closing', 'closed', 'reopened'] as const;
export type LedgerPeriodStatus = (typeof LEDGER_PERIOD_STATUSES)[number];

/** A month as the API names it, `YYYY-MM`, of the years 1000 to 2999 (PostgreSQL's dates have no year 0). */
export const LEDGER_MONTH_PATTERN = /^[12]\d{3}-(0[1-9]|1[0-2])$/;

/** Policies (subscriptions) per page of earnings: each page is one statement and one transaction. */
export const EARNINGS_PAGE_SIZE = 5000;

export interface LedgerCloseInput {
  tenantId: string;
  /** `YYYY-MM`. */
  month: string;
  /** Who asked for the close: recorded as the period's closer and the audit event's actor. */
  closedById: string;
}

/** What the earnings of a close did: policies looked at, earning entries posted. */
export interface EarningsPosted {
  policies: number;
  entries: number;
}

export type LedgerCloseWorkflow = (input: LedgerCloseInput) => Promise<EarningsPosted>;
