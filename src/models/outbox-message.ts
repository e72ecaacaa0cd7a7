import type { Workflow } from '@temporalio/common';
import { CreationOptional, Sequelize } from 'sequelize';
import { Row, required, optional, rowColumns, tableOptions } from './columns';

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
 * A message to Temporal recorded in the transaction of the change that needs it, and delivered
 * after the commit (at once by the request, else by the relay): no run without its row, no lost
 * signal, no schedule left running for a paused report, whatever fails in between.
 */
export class OutboxMessage extends Row<OutboxMessage> {
  declare kind: 'start' | 'signal' | 'report_schedule';
  /** The run's workflow ID, or the schedule's ID for `report_schedule`: one's messages are delivered in order. */
  declare workflowId: string;
  declare payload: StartWorkflowPayload | SignalWorkflowPayload | ReportSchedulePayload;
  declare attempts: CreationOptional<number>;
  declare lastError: CreationOptional<string | null>;
  /** Not before: set while one process delivers it (a lease) and after a failure (back-off). */
  declare nextAttemptAt: CreationOptional<Date | null>;
  declare deliveredAt: CreationOptional<Date | null>;
  declare runId: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    OutboxMessage.init(
      rowColumns({
        kind: required.string(20),
        workflowId: required.string(200),
        payload: required.json(),
        attempts: required.integer({ defaultValue: 0 }),
        lastError: optional.text(),
        nextAttemptAt: optional.date(),
        deliveredAt: optional.date(),
        runId: optional.string(100),
      }),
      tableOptions(sequelize, 'outbox_messages'),
    );
  }
}
