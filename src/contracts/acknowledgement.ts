/**
 * The contract of `ack-<acknowledgementId>` runs, shared by the workflow, the rollout's
 * activities, the model, the API and tests: the acknowledgement's statuses, the run's input and
 * outcome, its update and signal, and how it is started.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MarkedPersonalData } from '../shared/personal-data';
import type { DaysUnit, TenantSettingsValues } from '../shared/tenant-settings';
import { workflowRun } from './workflow-run';

/** How an acknowledgement's days count: its due date and reminder, and its escalations (docs/calendars.md). */
export interface AcknowledgementUnits {
  deadline: DaysUnit;
  escalation: DaysUnit;
}

/**
 * `run` counts the acknowledgement's runs: the first is `ack-<id>`; a person exempted on leaving
 * the audience who joins it again gets a fresh run, `ack-<id>-<run>`, so no start can reach a closed one.
 * `cycle` is the attestation cycle of a recurring policy (1 = the publication): a later cycle's
 * acknowledgement runs as `ack-<id>-c<cycle>` (and `ack-<id>-c<cycle>-<run>`), so an operator
 * tells the cycles apart in the Temporal UI and every notification key derived from it is the cycle's.
 */
export const acknowledgementRun = workflowRun(
  'acknowledgementWorkflow',
  'ack-',
  (acknowledgementId: string, run = 1, cycle = 1) => `${acknowledgementId}${cycle > 1 ? `-c${cycle}` : ''}${run > 1 ? `-${run}` : ''}`,
);

/**
 * `superseded`: the version was retired by a newer one before this employee acknowledged it;
 * the run ended and the newer version's own acknowledgement takes over.
 * `exempt`: the employee left the version's audience (role change, deactivation) before
 * acknowledging it; the run ended, never to be overdue or escalated.
 */
export const ACKNOWLEDGEMENT_STATUSES = ['pending', 'acknowledged', 'overdue', 'escalated', 'superseded', 'exempt'] as const;
export type AcknowledgementStatus = (typeof ACKNOWLEDGEMENT_STATUSES)[number];
/** Statuses whose `ack-<id>` run is still open. */
export const OPEN_ACKNOWLEDGEMENT_STATUSES: AcknowledgementStatus[] = ['pending', 'overdue', 'escalated'];

export interface AcknowledgementInput {
  tenantId: string;
  acknowledgementId: string;
  employeeId: string;
  /** ISO timestamp; every timer is derived from it. */
  dueAt: string;
  reminderDaysBefore: number;
  graceDays: number;
  /**
   * How the reminder and the escalations count their days (docs/calendars.md); absent in runs
   * started before business time: wall-clock days. In business time the run asks an activity
   * for its instants, and again when the calendar changes.
   */
  units?: AcknowledgementUnits;
  /**
   * The run opens itself as it starts: checks that the version is still published and the employee
   * still in its audience, and sends the notice. First set by the audience sync for someone who
   * joined after publication, hence the name; a rollout's batch sets it for its runs too, so the
   * notices go out from the runs on the bulk queue instead of inside the batch. The name stays:
   * runs in flight and workers of the previous release read it.
   */
  joined?: boolean;
}

/**
 * The input of a run that opens itself (`joined`), built from its acknowledgement row and the
 * tenant's reminder and grace settings: what a rollout's batch and the audience sync start.
 */
export function openingAcknowledgementInput(
  row: { tenantId: string; id: string; employeeId: string; dueAt: Date },
  settings: Pick<
    TenantSettingsValues,
    'acknowledgementReminderDaysBefore' | 'acknowledgementGraceDays' | 'acknowledgementDeadlineUnit' | 'acknowledgementEscalationUnit'
  >,
): AcknowledgementInput {
  return {
    tenantId: row.tenantId,
    acknowledgementId: row.id,
    employeeId: row.employeeId,
    dueAt: row.dueAt.toISOString(),
    reminderDaysBefore: settings.acknowledgementReminderDaysBefore,
    graceDays: settings.acknowledgementGraceDays,
    units: { deadline: settings.acknowledgementDeadlineUnit, escalation: settings.acknowledgementEscalationUnit },
    joined: true,
  };
}

/** What the acknowledgement records besides its time: which text was read, from where, by whom. */
export interface AcknowledgementEvidence {
  /** SHA-256 (hex) of the version content the employee was shown. */
  contentSha256: string;
  clientAddress: string | null;
  userAgent: string | null;
  /**
   * The full name the employee typed, when they typed one: marked as theirs, so Temporal's
   * history keeps it sealed with their data key (docs/privacy.md); erased once that key is
   * destroyed. A plain string in requests made before marking, which runs in flight still carry.
   */
  typedName: MarkedPersonalData<string> | string | null;
}

export interface AcknowledgeRequest {
  userId: string;
  /** Absent in requests made before evidence was recorded. */
  evidence?: AcknowledgementEvidence;
}

export interface AcknowledgementOutcome {
  status: 'acknowledged' | 'superseded' | 'exempt';
  acknowledgedAt: string | null;
}

/** How a joiner's run finds its acknowledgement as it starts (the `openAcknowledgement` activity). */
export type AcknowledgementOpening = 'open' | 'exempt' | 'retired';

/** Starts by name use it as their type argument. */
export type AcknowledgementWorkflow = (input: AcknowledgementInput) => Promise<AcknowledgementOutcome>;

export const acknowledgeUpdate = defineUpdate<AcknowledgementOutcome, [AcknowledgeRequest]>('acknowledge');
/** Sent when a newer version of the policy is published: the run ends as superseded. */
export const versionRetiredSignal = defineSignal('versionRetired');
/**
 * Sent when the employee's role or status changed: the run asks the database whether they are
 * still in the version's audience, and ends as exempt if not.
 */
export const audienceChangedSignal = defineSignal('audienceChanged');
