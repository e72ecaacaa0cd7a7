/**
 * The e-mails of a claim's run (docs/claims.md, Notifications): for each, its purpose, which keys
 * its delivery once per transition or stay (`<workflowId>:<sequence>:<purpose>`), its subject and
 * its text. Pure, so the workflow (src/workflows/claim.ts) and its deadline table only name them.
 */

/** One e-mail of the run, before its recipients are chosen. */
export interface ClaimMessage {
  purpose: string;
  subject: string;
  text: string;
}

/** How a message names the unit its deadline counted in (docs/calendars.md). */
export type HoursWording = 'hours' | 'working hours';
export type DaysWording = 'days' | 'working days';

export const claimMessages = {
  assigned: (claimNumber: string, stage: string): ClaimMessage => ({
    purpose: 'assigned',
    subject: `Claim ${claimNumber} is assigned to you`,
    text: `Claim ${claimNumber} (${stage}) is now yours to handle.`,
  }),
  documentsRequested: (claimNumber: string, note: string | undefined): ClaimMessage => ({
    purpose: 'documents-requested',
    subject: `Documents needed for claim ${claimNumber}`,
    text: note ?? 'Please upload the documents your claim handler asked for.',
  }),
  documentsReceived: (claimNumber: string, fileName: string): ClaimMessage => ({
    purpose: 'documents-received',
    subject: `Documents received for claim ${claimNumber}`,
    text: `${fileName} was uploaded; the claim is back under review.`,
  }),
  unassignedEscalation: (claimNumber: string, hours: number, unit: HoursWording = 'hours'): ClaimMessage => ({
    purpose: 'unassigned-escalation',
    subject: `Claim ${claimNumber} is still unassigned`,
    text: `Claim ${claimNumber} has waited ${hours} ${unit} for a handler.`,
  }),
  approvalEscalation: (claimNumber: string, hours: number, unit: HoursWording = 'hours'): ClaimMessage => ({
    purpose: 'approval-escalation',
    subject: `Claim ${claimNumber} is waiting for approval`,
    text: `Claim ${claimNumber} has waited ${hours} ${unit} for an approval decision.`,
  }),
  documentsReminder: (claimNumber: string, autoDenyDays: number, unit: DaysWording = 'days'): ClaimMessage => ({
    purpose: 'documents-reminder',
    subject: `Reminder: documents needed for claim ${claimNumber}`,
    text: `We are still waiting for the documents of claim ${claimNumber}. Without them the claim is denied after ${autoDenyDays} ${unit}.`,
  }),
  documentsEscalation: (claimNumber: string, days: number, unit: DaysWording = 'days'): ClaimMessage => ({
    purpose: 'documents-escalation',
    subject: `Claim ${claimNumber}: documents overdue`,
    text: `The documents of claim ${claimNumber} were requested ${days} ${unit} ago and have not arrived.`,
  }),
  paid: (claimNumber: string, amount: number, reference: string): ClaimMessage => ({
    purpose: 'paid',
    subject: `Claim ${claimNumber} is paid`,
    text: `We paid ${amount.toFixed(2)} for claim ${claimNumber} (reference ${reference}).`,
  }),
  /** A partial payment on its way (approved), paid (cleared) or returned by the bank (failed); one e-mail per payment and status. */
  payment: (claimNumber: string, status: 'approved' | 'cleared' | 'failed', amount: number, reference: string): ClaimMessage => ({
    purpose: `payment-${status}-${reference}`,
    subject: {
      approved: `A payment on claim ${claimNumber} is on its way`,
      cleared: `A payment on claim ${claimNumber} was paid`,
      failed: `A payment on claim ${claimNumber} could not be made`,
    }[status],
    text: {
      approved: `We approved a payment of ${amount.toFixed(2)} on claim ${claimNumber} (reference ${reference}); it goes out with our next bank transfer.`,
      cleared: `We paid ${amount.toFixed(2)} on claim ${claimNumber} (reference ${reference}).`,
      failed: `The bank returned the payment of ${amount.toFixed(2)} on claim ${claimNumber} (reference ${reference}). Your claim handler will be in touch about the account details.`,
    }[status],
  }),
  denied: (claimNumber: string, reason: string | null): ClaimMessage => ({
    purpose: 'denied',
    subject: `Claim ${claimNumber} is denied`,
    text: `Claim ${claimNumber} was denied: ${reason}.`,
  }),
};
