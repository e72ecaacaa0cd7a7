/**
 * The deadline table of a claim's stages (docs/claims.md, Deadlines): how long after entering a
 * stage each deadline falls due, by the tenant's settings the run started with, and what happens
 * then. Pure: the workflow (src/workflows/claim.ts) waits for each in order while the stage lasts
 * and carries out its effect.
 */
import type { ClaimDeadline, ClaimSettings, ClaimStage } from '../../contracts/claim';
import { DAY_MS, HOUR_MS } from '../../shared/time';
import { claimMessages, type ClaimMessage } from './messages';

/**
 * What a deadline does when it falls due: e-mails the claimant, escalates to the claims managers
 * (a missed deadline, which the worker counts as an SLA breach once sent) or denies the claim.
 */
export type DeadlineEffect =
  { kind: 'remind_claimant'; message: ClaimMessage } | { kind: 'escalate'; message: ClaimMessage } | { kind: 'deny'; note: string };

/**
 * A deadline of a stage: when it falls due (from entering the stage), its name and its timer's
 * summary, and its effect. `inBusinessDays`: the deadline counts working days of the tenant's
 * calendar instead, and `after` is not used; an activity computes the instant (docs/calendars.md).
 */
export interface StageDeadline {
  after: number;
  inBusinessDays?: number;
  action: ClaimDeadline['action'];
  summary: string;
  effect: DeadlineEffect;
}

/** The deadlines of `stage`, in the order they fall due; none for a stage that waits on nobody's clock. */
export function deadlinesOf(stage: ClaimStage, settings: ClaimSettings, claimNumber: string): StageDeadline[] {
  if (stage === 'reported') {
    const hours = settings.claimUnassignedEscalationHours;
    return [
      {
        after: hours * HOUR_MS,
        action: 'unassigned_escalation',
        summary: `unassigned for ${hours} h: escalate to claims managers`,
        effect: { kind: 'escalate', message: claimMessages.unassignedEscalation(claimNumber, hours) },
      },
    ];
  }
  if (stage === 'waiting_approval') {
    const hours = settings.claimWaitingApprovalEscalationHours;
    return [
      {
        after: hours * HOUR_MS,
        action: 'approval_escalation',
        summary: `waiting for approval for ${hours} h: escalate to claims managers`,
        effect: { kind: 'escalate', message: claimMessages.approvalEscalation(claimNumber, hours) },
      },
    ];
  }
  if (stage === 'documents_requested') {
    const {
      claimDocumentsReminderDays: reminder,
      claimDocumentsEscalationDays: escalation,
      claimDocumentsAutoDenyDays: autoDeny,
    } = settings;
    const business = settings.claimDocumentsDeadlineUnit === 'business_days';
    const days = (count: number) => (business ? { after: count * DAY_MS, inBusinessDays: count } : { after: count * DAY_MS });
    const unit = business ? 'business days' : 'd';
    return [
      {
        ...days(reminder),
        action: 'documents_reminder',
        summary: `documents requested ${reminder} ${unit} ago: remind the claimant`,
        effect: { kind: 'remind_claimant', message: claimMessages.documentsReminder(claimNumber, autoDeny) },
      },
      {
        ...days(escalation),
        action: 'documents_escalation',
        summary: `documents requested ${escalation} ${unit} ago: escalate to claims managers`,
        effect: { kind: 'escalate', message: claimMessages.documentsEscalation(claimNumber, escalation) },
      },
      {
        ...days(autoDeny),
        action: 'documents_auto_deny',
        summary: `documents requested ${autoDeny} ${unit} ago: deny the claim`,
        effect: { kind: 'deny', note: `Documents not received within ${autoDeny} days` },
      },
    ];
  }
  return [];
}
