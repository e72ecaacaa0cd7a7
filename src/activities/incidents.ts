/**
 * Incidents (docs/operating.md, Incidents): an activity interceptor the worker installs in front
 * of every activity. A retryable failure of the third attempt or a later one upserts the
 * activity's incident row (attempts, scrubbed error); a success of such an attempt, or of the first
 * attempt after an operator reset the activity, deletes it.
 * Attempts one and two, the usual blips, cost nothing. Recording never changes the activity's
 * outcome: a database that is down only costs the incident (logged).
 */
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import throttle from 'lodash/throttle';
import { QueryTypes } from 'sequelize';
import { PLATFORM_TENANT_ID } from '../contracts/onboarding';
import { ActivityIncident } from '../models';
import { openIncidents } from '../observability/business-metrics';
import { TenantId } from '../shared/search-attributes';
import type { ActivityDeps } from './deps';

/** The attempt whose failure opens an incident. */
export const INCIDENT_ATTEMPT = 3;
const MAX_ERROR_LENGTH = 500;
/**
 * The open-incidents gauge counts the whole table; during an outage every retry of every failing
 * activity changes a row, so the count is taken at most this often per worker (well within a
 * scrape interval), after the first change and after the last.
 */
export const GAUGE_REFRESH_EVERY_MS = 5000;

/**
 * The error as an operator may read it: its first line, with what could be a secret replaced by
 * `[redacted]`: credentials in URLs, `password=…`-style pairs, bearer tokens and long opaque strings.
 */
export function scrubError(err: unknown): string {
  const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split('\n')[0];
  return message
    .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, '//[redacted]@')
    .replace(/\b(pass(word)?|pwd|secret|token|api[-_]?key|authorization|auth)\b(\s*[=:]\s*)("[^"]*"|\S+)/gi, '$1$3[redacted]')
    .replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/[A-Za-z0-9+/_=-]{32,}/g, '[redacted]')
    .slice(0, MAX_ERROR_LENGTH);
}

/**
 * A first attempt scheduled after the activity was: an operator reset it (POST
 * /operations/incidents/:id/retry), which counts attempts from one again, so its success closes
 * the incident too. A genuine first attempt is scheduled with the activity.
 */
const wasReset = (info: Context['info']): boolean =>
  info.attempt === 1 && info.currentAttemptScheduledTimestampMs > info.scheduledTimestampMs;

function isRetryable(err: unknown): boolean {
  return !(err instanceof ApplicationFailure && err.nonRetryable);
}

export function createIncidentInterceptors(deps: Pick<ActivityDeps, 'sequelize' | 'temporal' | 'logger'>): ActivityInterceptorsFactory {
  /** Sets the open-incidents gauge from the table, whichever worker wrote it. */
  async function refreshGauge(): Promise<void> {
    const counts = await deps.sequelize.query<{ activity_type: string; count: string }>(
      'SELECT activity_type, count(*) AS count FROM activity_incidents GROUP BY activity_type',
      { type: QueryTypes.SELECT },
    );
    openIncidents.reset();
    for (const { activity_type, count } of counts) openIncidents.set({ activity_type }, Number(count));
  }
  const refreshGaugeSoon = throttle(() => {
    refreshGauge().catch((err: unknown) => deps.logger.warn({ err }, 'the open incidents gauge could not be counted'));
  }, GAUGE_REFRESH_EVERY_MS);

  /** The run's tenant from its search attribute; none for the platform's runs. */
  async function tenantOf(workflowId: string, runId: string): Promise<string | null> {
    const description = await deps.temporal.workflow.getHandle(workflowId, runId).describe();
    const tenantId = description.typedSearchAttributes.get(TenantId);
    return tenantId && tenantId !== PLATFORM_TENANT_ID ? tenantId : null;
  }

  type Run = { workflowId: string; runId: string };

  async function record(info: Context['info'], run: Run, err: unknown): Promise<void> {
    const key = { workflowId: run.workflowId, runId: run.runId, activityId: info.activityId };
    const lastError = scrubError(err);
    const [updated] = await ActivityIncident.update({ attempts: info.attempt, lastError }, { where: key });
    if (updated === 0) {
      const row = {
        ...key,
        tenantId: await tenantOf(run.workflowId, run.runId),
        workflowType: info.workflowType ?? 'unknown',
        activityType: info.activityType,
        attempts: info.attempt,
        lastError,
        since: new Date(),
      };
      await ActivityIncident.bulkCreate([row], {
        updateOnDuplicate: ['attempts', 'lastError', 'updatedAt'],
        conflictAttributes: ['workflowId', 'runId', 'activityId'],
      });
    }
    refreshGaugeSoon();
  }

  async function clear(info: Context['info'], run: Run): Promise<void> {
    const cleared = await ActivityIncident.destroy({
      where: { workflowId: run.workflowId, runId: run.runId, activityId: info.activityId },
    });
    if (cleared > 0) refreshGaugeSoon();
  }

  /** Bookkeeping must never decide the activity's outcome. */
  const quietly = (work: Promise<void>, info: Context['info']) =>
    work.catch((err: unknown) => deps.logger.warn({ err, activityType: info.activityType }, 'incident could not be recorded'));

  return (ctx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const { info } = ctx;
        const run = info.workflowExecution;
        // An activity started on its own, outside any run, has no run to list it under.
        if (!run) return next(input);
        try {
          const result = await next(input);
          if (info.attempt > INCIDENT_ATTEMPT || wasReset(info)) await quietly(clear(info, run), info);
          return result;
        } catch (err) {
          if (info.attempt >= INCIDENT_ATTEMPT && isRetryable(err) && !ctx.cancellationSignal.aborted) {
            await quietly(record(info, run, err), info);
          }
          throw err;
        }
      },
    };
    return { inbound };
  };
}
