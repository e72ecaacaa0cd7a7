import { context, propagation, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import type { AuthUser } from '../route';
import { routeTemplate } from '../route-template';

/**
 * The server span of an API request, continuing the caller's W3C `traceparent` when one is sent.
 * Named and labelled once the request is done, when the route template, the caller (tenant,
 * user) and the status are known. Everything the request does (Temporal calls, queries) runs
 * inside it, so the client interceptor carries it into the workflow and its activities.
 */
export function httpSpan(tracer: Tracer): Middleware {
  return (ctx, next) => {
    const parent = propagation.extract(context.active(), ctx.headers);
    const attributes = { 'http.request.method': ctx.method, 'url.path': ctx.path };
    return tracer.startActiveSpan(ctx.method, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
      try {
        await next();
      } finally {
        const route = routeTemplate(ctx);
        const user = ctx.state.user as AuthUser | undefined;
        span.updateName(`${ctx.method} ${route}`);
        span.setAttributes({
          'http.route': route,
          'http.response.status_code': ctx.status,
          'insurflow.request_id': ctx.state.requestId,
          ...(user ? { 'insurflow.user_id': user.id, ...(user.tenantId ? { 'insurflow.tenant_id': user.tenantId } : {}) } : {}),
        });
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
  };
}
