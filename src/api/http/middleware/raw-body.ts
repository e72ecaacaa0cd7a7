/**
 * Reads a request's body as the exact bytes sent, at most `limitBytes` (413 beyond), for a route
 * that must check a signature over them (Stripe's webhook). The JSON parser skips such a path
 * (app.ts), so the stream is still unread here.
 */
import type { Middleware } from 'koa';
import { payloadTooLarge } from '../../../shared/errors';
import type { RouteState } from '../route';

export function rawBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    // A declared length over the limit is refused before a byte is read.
    if (ctx.request.length !== undefined && ctx.request.length > limitBytes) throw payloadTooLarge(limitBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) throw payloadTooLarge(limitBytes);
      chunks.push(chunk);
    }
    (ctx.state as RouteState).rawBody = Buffer.concat(chunks);
    await next();
  };
}
