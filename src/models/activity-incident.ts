import { modelOf, required, optional, rowColumns } from './columns';

const activityIncidentColumns = () =>
  rowColumns({
    tenantId: optional.uuid(),
    workflowId: required.string(255),
    runId: required.string(64),
    workflowType: required.string(100),
    activityId: required.string(255),
    activityType: required.string(100),
    attempts: required.integer(),
    lastError: required.string(500),
    /** When its third failed attempt was recorded. */
    since: required.date(),
  });

/**
 * An activity that failed its third attempt or a later one and has not succeeded since: one row
 * per activity of a run, kept up to date by each failed attempt and deleted by its success
 * (src/activities/incidents.ts). `lastError` is scrubbed of anything that looks like a secret.
 */
export class ActivityIncident extends modelOf('activity_incidents', activityIncidentColumns) {}
