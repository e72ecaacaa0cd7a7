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
 * (a missed deadline, which the worker counts as an SLA breach once sent) or denies the claim; a claim whose
 * payments hold money is not denied, and its handler and the claims managers are sent `withheld` instead.
 */
export type DeadlineEffect =
  | { kind: 'remind_claimant'; message: ClaimMessage }
  | { kind: 'escalate'; message: ClaimMessage }
  | { kind: 'deny'; note: string; withheld: ClaimMessage };

/** A deadline counted in business time: an activity computes its instant from the claim's calendar (docs/calendars.md). */
export interface BusinessAmount {
  amount: number;
  unit: 'business_days' | 'business_hours';
}

/**
 * A deadline of a stage: when it falls due (from entering the stage), its name and its timer's
 * summary, and its effect. With `business`, the deadline counts working time of the claim's
 * calendar instead and `after` is not used. The deadlines of one stage share one unit.
 */
export interface StageDeadline {
  after: number;
  business?: BusinessAmount;
  action: ClaimDeadline['action'];
  summary: string;
  effect: DeadlineEffect;
}

/**
 * How the deadlines of a stage count, in hours or days of the calendar or of the claim's business
 * calendar: a deadline `count` units after entering the stage, and the unit as a timer's summary
 * and as an e-mail say it.
 */
function clock<Kind extends 'hours' | 'days'>(kind: Kind, business: boolean) {
  const unitMs = kind === 'hours' ? HOUR_MS : DAY_MS;
  return {
    after: (count: number) => ({
      after: count * unitMs,
      ...(business && { business: { amount: count, unit: `business_${kind}` as const } }),
    }),
    unit: business ? `business ${kind}` : kind === 'hours' ? 'h' : 'd',
    wording: business ? (`working ${kind}` as const) : kind,
  };
}

/** The deadlines of `stage`, in the order they fall due; none for a stage that waits on nobody's clock. */
export function deadlinesOf(stage: ClaimStage, settings: ClaimSettings, claimNumber: string): StageDeadline[] {
  const { after: hours, unit: hoursUnit, wording: hoursWording } = clock('hours', settings.claimEscalationUnit === 'business_hours');
  if (stage === 'reported') {
    const count = settings.claimUnassignedEscalationHours;
    return [
      {
        ...hours(count),
        action: 'unassigned_escalation',
        summary: `unassigned for ${count} ${hoursUnit}: escalate to claims managers`,
        effect: { kind: 'escalate', message: claimMessages.unassignedEscalation(claimNumber, count, hoursWording) },
      },
    ];
  }
  if (stage === 'waiting_approval') {
    const count = settings.claimWaitingApprovalEscalationHours;
    return [
      {
        ...hours(count),
        action: 'approval_escalation',
        summary: `waiting for approval for ${count} ${hoursUnit}: escalate to claims managers`,
        effect: { kind: 'escalate', message: claimMessages.approvalEscalation(claimNumber, count, hoursWording) },
      },
    ];
  }
  if (stage === 'documents_requested') {
    const {
      claimDocumentsReminderDays: reminder,
      claimDocumentsEscalationDays: escalation,
      claimDocumentsAutoDenyDays: autoDeny,
    } = settings;
    const { after: days, unit, wording } = clock('days', settings.claimDocumentsDeadlineUnit === 'business_days');
    return [
      {
        ...days(reminder),
        action: 'documents_reminder',
        summary: `documents requested ${reminder} ${unit} ago: remind the claimant`,
        effect: { kind: 'remind_claimant', message: claimMessages.documentsReminder(claimNumber, autoDeny, wording) },
      },
      {
        ...days(escalation),
        action: 'documents_escalation',
        summary: `documents requested ${escalation} ${unit} ago: escalate to claims managers`,
        effect: { kind: 'escalate', message: claimMessages.documentsEscalation(claimNumber, escalation, wording) },
      },
      {
        ...days(autoDeny),
        action: 'documents_auto_deny',
        summary: `documents requested ${autoDeny} ${unit} ago: deny the claim`,
        effect: {
          kind: 'deny',
          note: `Documents not received within ${autoDeny} ${wording}`,
          withheld: claimMessages.denialWithheld(claimNumber, autoDeny, wording),
        },
      },
    ];
  }
  return [];
}
