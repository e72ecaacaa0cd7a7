/**
 * One acknowledgement run's state (acknowledgement.ts is the state machine that moves it): how it
 * ended, if it did, and the moments its reminder and escalations fall due.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { AcknowledgementInput } from '../../contracts/acknowledgement';
import { DAY_MS } from '../../shared/time';

export const STEP_RETRY = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' } as const;

/** When the reminder and the two escalations fall due, in epoch ms. */
export interface Moments {
  reminder: number;
  managerAlert: number;
  complianceAlert: number;
}

export interface AcknowledgementRun {
  readonly input: AcknowledgementInput;
  /** What every step activity is given: the acknowledgement and the run. */
  readonly step: { acknowledgementId: string; workflowId: string };
  readonly dueAt: Date;
  acknowledgedAt: Date | null;
  retired: boolean;
  exempted: boolean;
  /** True while an activity checks whether the employee is still in the audience. */
  checkingAudience: boolean;
  /**
   * When the reminder and the two escalations fall due. In wall-clock days, from the input; in
   * business time, from an activity (moments.ts), asked again when the calendar changes: it is
   * then replaced and the wait under way recomputed.
   */
  moments: Moments;
  /** Calendar changes whose new moments an activity is computing (the rescheduleDeadlines Update). */
  reschedulesInFlight: number;
  /** The moment the run waits for now; null once escalated to the compliance team. */
  waitingFor: keyof Moments | null;
}

export function startRun(input: AcknowledgementInput): AcknowledgementRun {
  const { workflowId } = workflowInfo();
  const dueAt = new Date(input.dueAt);
  return {
    input,
    step: { acknowledgementId: input.acknowledgementId, workflowId },
    dueAt,
    acknowledgedAt: null,
    retired: false,
    exempted: false,
    checkingAudience: false,
    moments: {
      reminder: dueAt.getTime() - input.reminderDaysBefore * DAY_MS,
      managerAlert: dueAt.getTime(),
      complianceAlert: dueAt.getTime() + input.graceDays * DAY_MS,
    },
    reschedulesInFlight: 0,
    waitingFor: 'reminder',
  };
}

export const ended = (run: AcknowledgementRun) => run.acknowledgedAt !== null || run.retired || run.exempted;
