import type { Middleware } from 'koa';

/** Statuses whose answer has no body: Koa drops what was set. */
const EMPTY_STATUSES = new Set([204, 205, 304]);

/** What Koa writes as JSON: a plain object or an array (a string, a Buffer or a stream it writes as they are). */
const isJsonValue = (body: unknown): body is object =>
  Array.isArray(body) || (typeof body === 'object' && body !== null && Object.getPrototypeOf(body) === Object.prototype);

/**
 * An answer that is an object or an array is written as the UTF-8 bytes of its JSON, made here once
 * the rest of the chain has done with it (the request log and the error handler read it as an object).
 * Koa would write the same JSON, with the same Content-Type and Content-Length, as a string: it
 * measures the string for Content-Length, then node copies it, joined to the headers, into one flat
 * string before encoding it for the socket, two more passes over each answer and a copy as large as
 * the answer on the heap, where a page of claims is most of what a request allocates
 * (docs/performance.md, Lists). As bytes, the headers and the answer go to the socket side by side.
 */
export function jsonAnswer(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.respond === false || EMPTY_STATUSES.has(ctx.status) || !isJsonValue(ctx.body)) return;
    // The Content-Type Koa set for the object stays: a Buffer replaces only the body and its length.
    ctx.body = Buffer.from(JSON.stringify(ctx.body));
  };
}
