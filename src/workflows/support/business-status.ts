/**
 * What operators see of a run in the Temporal UI: the BusinessStatus / DueAt / AssigneeId
 * search attributes and the run's current details line. Every process calls this at each stage.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { AssigneeId, BusinessStatus, DueAt } from '../../shared/search-attributes';

export interface StatusUpdate {
  status: string;
  /** The next deadline, or null to clear it. Omit to leave it as it is. */
  dueAt?: Date | null;
  /** Omit to leave as it is; null clears it. */
  assigneeId?: string | null;
  /** One line for the UI; defaults to the status. */
  details?: string;
}

export function publishStatus(update: StatusUpdate): void {
  const pairs: SearchAttributeUpdatePair[] = [{ key: BusinessStatus, value: update.status }];
  if (update.dueAt !== undefined) pairs.push({ key: DueAt, value: update.dueAt });
  if (update.assigneeId !== undefined) pairs.push({ key: AssigneeId, value: update.assigneeId });
  upsertSearchAttributes(pairs);
  setCurrentDetails(update.details ?? `Status: ${update.status}`);
}
