import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import type { Logger } from '../../../config/logger';
import { runInRequestScope, type RequestScope } from '../../../observability/request-scope';
import { routeTemplate } from '../route-template';
import type { AuthUser } from '../route';

/**
 * One line per request, whatever its outcome: it sits outside the error handler, so a refused
 * or failed request is logged with the status and error code it answered. Never the query
 * string, headers or body (they can hold tokens, passwords and personal data); an unexpected
 * failure carries the error and its stack.
 */
export function requestLog(logger: Logger): Middleware {
  // An answered request's line holds only the fields below: strings, numbers and a list of IDs, none
  // of which a redact path (src/config/logger.ts) can name, so it is written without the redaction
  // pass, which cost about 10 µs a line and 6 % of the bytes the API allocated (docs/performance.md,
  // Lists). A failure's line carries the error and keeps it.
  const answered = logger.child({}, { redact: [] });
  return async (ctx, next) => {
    const started = performance.now();
    const scope: RequestScope = { workflowIds: new Set(), temporalMs: 0 };
    try {
      await runInRequestScope(scope, next);
    } finally {
      const user = ctx.state.user as AuthUser | undefined;
      const spanContext = trace.getActiveSpan()?.spanContext();
      const line = {
        requestId: ctx.state.requestId,
        method: ctx.method,
        route: routeTemplate(ctx),
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        tenantId: user?.tenantId ?? undefined,
        userId: user?.id,
        errorCode: (ctx.body as { error?: { code?: string } } | undefined)?.error?.code,
        workflowIds: scope.workflowIds.size ? [...scope.workflowIds] : undefined,
        temporalMs: scope.workflowIds.size ? Math.round(scope.temporalMs * 10) / 10 : undefined,
        traceId: spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined,
      };
      // A deliberate 503 (a dependency down, a draining process, a full queue) is the answer the
      // system means to give: worth a warning, not the error-level line an unexpected failure gets.
      if (ctx.state.unhandledError !== undefined || ctx.status === 500)
        logger.error({ ...line, err: ctx.state.unhandledError }, 'request failed');
      else if (ctx.status >= 500) logger.warn(line, 'request unavailable');
      else answered.info(line, 'request');
    }
  };
}
