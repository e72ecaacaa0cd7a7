/**
 * Writes that accept an Idempotency-Key store their response under (caller, key); a repeat
 * with the same request replays it, a repeat with a different request is refused, and a repeat
 * while the first is still running answers 409 — until the first request's deadline
 * (REQUEST_DEADLINE_MS) has passed: then its process is taken to be gone and the repeat takes
 * the key over. That is safe because every write reaches the same resource and run again (IDs
 * derived from the key, business workflow IDs, update IDs derived from the key). A request that
 * fails (4xx, 5xx, 503) stores nothing, so its repeat runs again.
 */
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { UniqueConstraintError } from 'sequelize';
import { IdempotencyRecord } from '../../models';
import { badRequest, conflict, unprocessable } from '../errors';
import type { AuthUser } from '../route';

export const IDEMPOTENCY_KEY_FORMAT = /^[A-Za-z0-9._:-]{8,200}$/;

/** `requestDeadlineMs`: a request still "in progress" after this long died with its process; its key may be used again. */
export function idempotency(requestDeadlineMs: number): Middleware {
  return async (ctx, next) => {
    // An empty header is a malformed key, not an absent one.
    const key = ctx.get('Idempotency-Key');
    if (ctx.headers['idempotency-key'] === undefined) return next();
    if (!IDEMPOTENCY_KEY_FORMAT.test(key)) throw badRequest('Idempotency-Key must be 8 to 200 characters of letters, digits, . _ : -');
    const user = ctx.state.user as AuthUser | undefined;
    const scope = user ? `user:${user.id}` : `ip:${ctx.ip}`;
    const requestHash = crypto
      .createHash('sha256')
      .update(JSON.stringify([ctx.method, ctx.path, ctx.request.body ?? null]))
      .digest('hex');

    let record: IdempotencyRecord;
    try {
      record = await IdempotencyRecord.create({ scope, key, method: ctx.method, path: ctx.path, requestHash });
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      const existing = await IdempotencyRecord.findOne({ where: { scope, key } });
      if (!existing) throw conflict('The request with this Idempotency-Key is being retried; try again');
      if (existing.requestHash !== requestHash) throw unprocessable('This Idempotency-Key was used for a different request');
      if (existing.responseStatus === null) {
        if (Date.now() - existing.createdAt.getTime() < requestDeadlineMs) throw conflict('A request with this Idempotency-Key is still in progress');
        // Taking over an abandoned key: only one of several racing takers deletes the row and goes on.
        const taken = await IdempotencyRecord.destroy({ where: { id: existing.id, responseStatus: null } });
        if (taken === 0) throw conflict('A request with this Idempotency-Key is still in progress');
        record = await IdempotencyRecord.create({ scope, key, method: ctx.method, path: ctx.path, requestHash });
      } else {
        ctx.status = existing.responseStatus;
        ctx.body = existing.responseBody;
        ctx.set('Idempotent-Replayed', 'true');
        return;
      }
    }

    try {
      await next();
    } catch (err) {
      // The request's own error is the answer; if the key cannot be freed now (the database is
      // down too), it frees itself when the request's deadline has passed.
      await record.destroy().catch(() => undefined);
      throw err;
    }
    if (ctx.status >= 200 && ctx.status < 300) {
      await record.update({ responseStatus: ctx.status, responseBody: ctx.body as object });
    } else {
      await record.destroy();
    }
  };
}
