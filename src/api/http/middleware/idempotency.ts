/**
 * Writes that accept an Idempotency-Key store their response under (caller, key), and the key is
 * bound to a hash of the request (method, path, canonical JSON body) from its first use on: a
 * repeat with a different request answers 422 `idempotency_key_reused` whether the first is still
 * running, has completed or has failed (Stripe, IETF Idempotency-Key draft). A repeat of the same
 * request replays a stored 2xx response; while the first is still running it answers 409 — until
 * the first request's deadline (REQUEST_DEADLINE_MS) has passed: then its process is taken to be
 * gone and the repeat takes the key over. A request that failed (4xx, 5xx, 503) stores no
 * response, so its repeat runs again. Both are safe because every write reaches the same resource
 * and run again (IDs derived from the key, business workflow IDs, update IDs derived from the key).
 */
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { stringify } from 'safe-stable-stringify';
import { Op, UniqueConstraintError } from 'sequelize';
import { IdempotencyRecord } from '../../../models';
import { badRequest, conflict, idempotencyKeyReused } from '../../../shared/errors';
import type { AuthUser } from '../route';

export const IDEMPOTENCY_KEY_FORMAT = /^[A-Za-z0-9._:-]{8,200}$/;

/** Version 2 of the request hash: over canonical JSON, so the order of a body's keys does not matter. */
const CANONICAL_HASH = 2;

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** `requestDeadlineMs`: a request still "in progress" after this long died with its process; its key may be used again. */
export function idempotency(requestDeadlineMs: number): Middleware {
  return async (ctx, next) => {
    // An empty header is a malformed key, not an absent one.
    const key = ctx.get('Idempotency-Key');
    if (ctx.headers['idempotency-key'] === undefined) return next();
    if (!IDEMPOTENCY_KEY_FORMAT.test(key)) throw badRequest('Idempotency-Key must be 8 to 200 characters of letters, digits, . _ : -');
    const user = ctx.state.user as AuthUser | undefined;
    const scope = user ? `user:${user.id}` : `ip:${ctx.ip}`;
    const request = [ctx.method, ctx.path, ctx.request.body ?? null];
    const requestHash = sha256(stringify(request) ?? '');
    // Rows stored before migration 0016 hashed the body as it arrived.
    const isSameRequest = (stored: IdempotencyRecord) =>
      stored.requestHash === (stored.requestHashVersion === CANONICAL_HASH ? requestHash : sha256(JSON.stringify(request)));

    let record: IdempotencyRecord;
    try {
      record = await IdempotencyRecord.create({
        scope,
        key,
        method: ctx.method,
        path: ctx.path,
        requestHash,
        requestHashVersion: CANONICAL_HASH,
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      const existing = await IdempotencyRecord.findOne({ where: { scope, key } });
      if (!existing) throw conflict('The request with this Idempotency-Key is being retried; try again');
      if (!isSameRequest(existing)) throw idempotencyKeyReused();
      if (existing.responseStatus !== null) {
        ctx.status = existing.responseStatus;
        ctx.body = existing.responseBody;
        ctx.set('Idempotent-Replayed', 'true');
        return;
      }
      // The same request again after it failed, or after its process died with it (its deadline,
      // counted from the row's updated_at, when the attempt began, has passed): the repeat takes
      // the key over, and of several racing repeats only one does (the update sets updated_at).
      const [taken] = await IdempotencyRecord.update(
        { failedAt: null },
        {
          where: {
            id: existing.id,
            responseStatus: null,
            [Op.or]: [{ failedAt: { [Op.ne]: null } }, { updatedAt: { [Op.lte]: new Date(Date.now() - requestDeadlineMs) } }],
          },
        },
      );
      if (taken === 0) throw conflict('A request with this Idempotency-Key is still in progress');
      record = existing;
    }

    try {
      await next();
    } catch (err) {
      // The request's own error is the answer; if the failure cannot be recorded now (the
      // database is down too), the key frees itself for the same request when its deadline has passed.
      await record.update({ failedAt: new Date() }).catch(() => undefined);
      throw err;
    }
    if (ctx.status >= 200 && ctx.status < 300) {
      await record.update({ responseStatus: ctx.status, responseBody: ctx.body as object });
    } else {
      await record.update({ failedAt: new Date() });
    }
  };
}
