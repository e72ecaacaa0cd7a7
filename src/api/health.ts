import Router from '@koa/router';
import type { Logger } from '../config/logger';
import { metricsAccessAllowed } from '../observability/metrics-access';
import { ApiError } from './errors';
import type { ApiServices } from './services';
import type { Registry } from 'prom-client';

/** `ok` or `down`: why it is down goes to the log, not to whoever asks (the probe is public). */
async function check(name: string, probe: () => Promise<unknown>, logger: Logger): Promise<[string, 'ok' | 'down']> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), 3000)))]);
    return [name, 'ok'];
  } catch (err) {
    logger.warn({ err, dependency: name }, 'readiness check failed');
    return [name, 'down'];
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process is alive. /readyz: PostgreSQL and Temporal answer. /metrics: Prometheus. */
export function healthRoutes(services: ApiServices, metrics: Registry) {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = Object.fromEntries(
      await Promise.all([
        check('postgres', () => services.sequelize.query('SELECT 1'), services.logger),
        check('temporal', () => services.temporal.connection.workflowService.getSystemInfo({}), services.logger),
      ]),
    );
    const ready = Object.values(checks).every((v) => v === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks };
  });
  router.get('/metrics', async (ctx) => {
    if (!metricsAccessAllowed(services.config.metrics.token, ctx.get('Authorization') || undefined)) throw new ApiError(401, 'unauthorized', 'The metrics token is required');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });
  return router;
}
