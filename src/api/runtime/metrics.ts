import type { Middleware } from 'koa';
import client from 'prom-client';
import { apiBusinessRegistry } from '../../observability/business-metrics';
import { routeTemplate } from '../http/route-template';

/** How often the event loop's delay is sampled (perf_hooks `monitorEventLoopDelay`'s resolution). */
const EVENT_LOOP_SAMPLE_MS = 10;

/**
 * Prometheus metrics for one API process: Node defaults, request duration by route and status, business counters.
 *
 * Among the defaults, what makes a tail of latency (docs/performance.md, "The tail of the plan
 * list"): the event loop's delay as perf_hooks `monitorEventLoopDelay` measures it, over the time
 * since the previous scrape (`nodejs_eventloop_lag_{p50,p90,p99,max}_seconds`), and every garbage
 * collection pause by kind from perf_hooks' 'gc' entries (`nodejs_gc_duration_seconds`).
 */
export function createMetrics() {
  const own = new client.Registry();
  client.collectDefaultMetrics({ register: own, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'API request duration in seconds',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [own],
  });
  const middleware: Middleware = async (ctx, next) => {
    const stop = duration.startTimer();
    try {
      await next();
    } finally {
      stop({ method: ctx.method, route: routeTemplate(ctx), status: String(ctx.status) });
    }
  };
  return { registry: client.Registry.merge([own, apiBusinessRegistry]), middleware };
}
