import Router from '@koa/router';
import type { Logger } from '../../config/logger';
import { metricsAccessAllowed } from '../../observability/metrics-access';
import { ApiError } from '../../shared/errors';
import { SILENCE_PROBE_MS } from '../../shared/silence-watch';
import type { ApiServices } from './services';
import type { Registry } from 'prom-client';

/**
 * A dependency's check answers within this, so /readyz answers within about a second whatever a frozen dependency does:
 * the container's health check gives up after 3 s (scripts/healthcheck.ts), and a frozen Temporal must not make the API unhealthy.
 */
const PROBE_TIMEOUT_MS = SILENCE_PROBE_MS;

/** `ok` or `down`: why it is down goes to the log, not to whoever asks (the probe is public). */
async function check(name: string, probe: () => Promise<unknown>, logger: Logger): Promise<[string, 'ok' | 'down']> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS)))]);
    return [name, 'ok'];
  } catch (err) {
    logger.warn({ err, dependency: name }, 'readiness check failed');
    return [name, 'down'];
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process is alive (liveness only). /readyz: whether a load balancer should send
 * requests here. That needs PostgreSQL, not Temporal: lists, reads, claim filing and the other
 * outbox writes go on without Temporal, and the routes that do need it answer 503 themselves, so
 * Temporal's state is reported in the body without taking the process out. A draining process
 * (asked to stop) is not ready, so traffic moves away before the server closes.
 * /metrics: Prometheus.
 */
export function healthRoutes(services: ApiServices, metrics: Registry) {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = Object.fromEntries(
      await Promise.all([
        check('postgres', () => services.sequelize.query('SELECT 1'), services.logger),
        // The deadline ends the client's own retries too, so a down Temporal leaves no calls behind.
        check(
          'temporal',
          () =>
            services.temporal.connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
              services.temporal.connection.workflowService.getSystemInfo({}),
            ),
          services.logger,
        ),
      ]),
    );
    const draining = services.drain?.draining ?? false;
    const ready = checks.postgres === 'ok' && !draining;
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: draining ? 'draining' : ready ? 'ready' : 'not_ready', checks };
  });
  router.get('/metrics', async (ctx) => {
    if (!metricsAccessAllowed(services.config.metrics.token, ctx.get('Authorization') || undefined))
      throw new ApiError(401, 'unauthorized', 'The metrics token is required');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });
  return router;
}
