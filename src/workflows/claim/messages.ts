/**
 * The e-mails of a claim's run (docs/claims.md, Notifications): for each, its purpose, which keys
 * its delivery once per transition or stay (`<workflowId>:<sequence>:<purpose>`), and the template
 * it is rendered from with the values it carries. The run passes data, never sentences: the
 * `sendEmail` activity renders each in its recipient's language with the tenant's branding and
 * overrides (docs/notifications.md). Pure, so the workflow (src/workflows/claim.ts) and its
 * deadline table only name them.
 */
import { minorUnitDigits } from '../../shared/money';
import type { NotificationType } from '../../shared/notification-settings';

/** One e-mail of the run, before its recipients are chosen. */
export interface ClaimMessage {
  purpose: string;
  template: { type: NotificationType; values: Record<string, string | number> };
}

/** How a message names the unit its deadline counted in (docs/calendars.md). */
export type HoursWording = 'hours' | 'working hours';
export type DaysWording = 'days' | 'working days';
/** What a payment's mail tells of it: a `ClaimPayment`, or the settlement `disburseClaimPayment` answers. */
export interface PaymentFigures {
  amount: number;
  /** Absent from payments a run recorded before they carried it. */
  currency?: string;
  reference: string;
}

const message = (purpose: string, type: NotificationType, values: Record<string, string | number>): ClaimMessage => ({
  purpose,
  template: { type, values },
});
const working = (unit: HoursWording | DaysWording) => (unit.startsWith('working') ? 'yes' : 'no');
/**
 * An amount and the `decimals` of its currency it is written with. A run's payment recorded before
 * it carried its currency gives none: the mail writes two (src/services/notifications/render.ts).
 */
const amountIn = (amount: number, currency: string | undefined) => ({
  amount,
  ...(currency && { decimals: String(minorUnitDigits(currency)) }),
});

export const claimMessages = {
  assigned: (claimNumber: string, stage: string) => message('assigned', 'claimAssigned', { claimNumber, stage }),
  documentsRequested: (claimNumber: string, note: string | undefined) =>
    message('documents-requested', 'claimDocumentsRequested', { claimNumber, note: note ?? '', noteGiven: note ? 'yes' : 'no' }),
  documentsReceived: (claimNumber: string, fileName: string) =>
    message('documents-received', 'claimDocumentsReceived', { claimNumber, fileName }),
  unassignedEscalation: (claimNumber: string, hours: number, unit: HoursWording = 'hours') =>
    message('unassigned-escalation', 'claimUnassignedEscalation', { claimNumber, hours, working: working(unit) }),
  approvalEscalation: (claimNumber: string, hours: number, unit: HoursWording = 'hours') =>
    message('approval-escalation', 'claimApprovalEscalation', { claimNumber, hours, working: working(unit) }),
  documentsReminder: (claimNumber: string, autoDenyDays: number, unit: DaysWording = 'days') =>
    message('documents-reminder', 'claimDocumentsReminder', { claimNumber, days: autoDenyDays, working: working(unit) }),
  documentsEscalation: (claimNumber: string, days: number, unit: DaysWording = 'days') =>
    message('documents-escalation', 'claimDocumentsEscalation', { claimNumber, days, working: working(unit) }),
  /** The documents deadline fell due on a claim whose payments hold money: it is not denied (stay.ts). */
  denialWithheld: (claimNumber: string, days: number, unit: DaysWording) =>
    message('denial-withheld', 'claimDenialWithheld', { claimNumber, days, working: working(unit) }),
  /** The settlement, in the claim's currency. */
  paid: (claimNumber: string, { amount, currency, reference }: PaymentFigures) =>
    message('paid', 'claimPaid', { claimNumber, ...amountIn(amount, currency), reference }),
  /** A partial payment on its way (approved), paid (cleared) or returned by the bank (failed); one e-mail per payment and status. */
  payment: (claimNumber: string, status: 'approved' | 'cleared' | 'failed', { amount, currency, reference }: PaymentFigures) =>
    message(
      `payment-${status}-${reference}`,
      ({ approved: 'claimPaymentApproved', cleared: 'claimPaymentCleared', failed: 'claimPaymentReturned' } as const)[status],
      { claimNumber, ...amountIn(amount, currency), reference },
    ),
  denied: (claimNumber: string, reason: string | null) =>
    message('denied', 'claimDenied', { claimNumber, reason: reason ?? '', reasonGiven: reason ? 'yes' : 'no' }),
};
