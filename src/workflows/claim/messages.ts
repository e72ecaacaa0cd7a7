/**
 * The e-mails of a claim's run (docs/claims.md, Notifications): for each, its purpose, which keys
 * its delivery once per transition or stay (`<workflowId>:<sequence>:<purpose>`), and the template
 * it is rendered from with the values it carries. The run passes data, never sentences: the
 * `sendEmail` activity renders each in its recipient's language with the tenant's branding and
 * overrides (docs/notifications.md). Pure, so the workflow (src/workflows/claim.ts) and its
 * deadline table only name them.
 */
import type { NotificationType } from '../../shared/notification-settings';

/** One e-mail of the run, before its recipients are chosen. */
export interface ClaimMessage {
  purpose: string;
  template: { type: NotificationType; values: Record<string, string | number> };
}

/** How a message names the unit its deadline counted in (docs/calendars.md). */
export type HoursWording = 'hours' | 'working hours';
export type DaysWording = 'days' | 'working days';

const message = (purpose: string, type: NotificationType, values: Record<string, string | number>): ClaimMessage => ({
  purpose,
  template: { type, values },
});
const working = (unit: HoursWording | DaysWording) => (unit.startsWith('working') ? 'yes' : 'no');

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
  paid: (claimNumber: string, amount: number, reference: string) => message('paid', 'claimPaid', { claimNumber, amount, reference }),
  /** A partial payment on its way (approved), paid (cleared) or returned by the bank (failed); one e-mail per payment and status. */
  payment: (claimNumber: string, status: 'approved' | 'cleared' | 'failed', amount: number, reference: string) =>
    message(
      `payment-${status}-${reference}`,
      ({ approved: 'claimPaymentApproved', cleared: 'claimPaymentCleared', failed: 'claimPaymentReturned' } as const)[status],
      { claimNumber, amount, reference },
    ),
  denied: (claimNumber: string, reason: string | null) =>
    message('denied', 'claimDenied', { claimNumber, reason: reason ?? '', reasonGiven: reason ? 'yes' : 'no' }),
};
