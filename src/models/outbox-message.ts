import type { Workflow } from '@temporalio/common';
import { modelOf, required, optional, rowColumns } from './columns';

/**
 * Everything needed to start a run the way the API starts it (see src/services/workflow-start.ts).
 * `W` is the workflow's signature from its contract, which types `args` when the start is written.
 */
export interface StartWorkflowPayload<W extends Workflow = Workflow> {
  workflowType: string;
  args: Parameters<W>;
  tenantId: string;
  status: string;
  summary: string;
  dueAt?: string;
  /**
   * The run takes over a workflow ID whose run has ended (an operator's repair): the start may
   * reuse the ID, which every other start refuses.
   */
  replacesEndedRun?: boolean;
}

export interface SignalWorkflowPayload {
  signalName: string;
  args: unknown[];
}

/** A saved report's Temporal Schedule to bring in line with its definition's row (src/services/report-schedules.ts). */
export interface ReportSchedulePayload {
  definitionId: string;
}

/**
 * An account mail the API rendered and tried to send itself (src/domain/identity/account-mails.ts):
 * `sealed` holds it (its text carries the live token) under a key of JWT_SECRET, with the row's key
 * as its owner.
 */
export interface AccountMailPayload {
  mail: 'account';
  sealed: string;
}

/** The purpose an account mail is sealed under; a migration reading the kept mails opens them with it (0116). */
export const ACCOUNT_MAIL_SEALING_PURPOSE = 'outbox-account-mail';

/**
 * A mail the worker sends (src/activities/outbox-mails.ts), not the API's relay: a quote's
 * `quoteIssued` to its requester (src/domain/quotes/quote-mail.ts), a difference in the books to
 * the tenant's finance people (src/domain/ledger/reconciliation-mail.ts), both rendered as they are
 * sent; an account mail whose first attempt, the API's, failed.
 */
export type MailPayload = { mail: 'quoteIssued'; quoteId: string } | { mail: 'ledgerDifference'; incidentId: string } | AccountMailPayload;

const outboxMessageColumns = () =>
  rowColumns({
    kind: required.string<'start' | 'signal' | 'report_schedule' | 'mail'>(20),
    /**
     * The run's workflow ID, or the schedule's ID for `report_schedule`, or the mail's notification
     * key for `mail`: one's messages are delivered in order.
     */
    workflowId: required.string(200),
    payload: required.json<StartWorkflowPayload | SignalWorkflowPayload | ReportSchedulePayload | MailPayload>(),
    attempts: required.integer({ defaultValue: 0 }),
    lastError: optional.text(),
    /** Not before: set while one process delivers it (a lease) and after a failure (back-off). */
    nextAttemptAt: optional.date(),
    deliveredAt: optional.date(),
    runId: optional.string(100),
  });

/**
 * A message to Temporal recorded in the transaction of the change that needs it, and delivered
 * after the commit (at once by the request, else by the relay): no run without its row, no lost
 * signal, no schedule left running for a paused report, whatever fails in between. A `mail` is
 * recorded the same way and sent by the worker.
 */
export class OutboxMessage extends modelOf('outbox_messages', outboxMessageColumns) {}
