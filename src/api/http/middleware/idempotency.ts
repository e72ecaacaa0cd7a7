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
 * A replay keeps the headers validation set before this middleware (the `Deprecation` of money sent
 * as a number): the same request validates the same way, so nothing of them needs storing.
 *
 * No secret is kept here (docs/security.md, Secrets and the idempotency store): a route whose
 * answer carries one declares its fields (`secretAnswer`), the stored answer leaves them out, and a
 * repeat answers without them or is refused. A stored answer is plain JSON in a table backups copy
 * and that lives 24 hours; a secret in it could be read there, and replayed to whoever holds the key.
 */
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { stringify } from 'safe-stable-stringify';
import { Op, UniqueConstraintError } from 'sequelize';
import { IdempotencyRecord } from '../../../models';
import { badRequest, conflict, idempotencyKeyReused } from '../../../shared/errors';
import { isDatabaseOutage } from '../dependency-errors';
import type { AuthUser, SecretAnswer } from '../route';
import { principalKey } from '../../../shared/caller';

export const IDEMPOTENCY_KEY_FORMAT = /^[A-Za-z0-9._:-]{8,200}$/;

/** Version 2 of the request hash: over canonical JSON, so the order of a body's keys does not matter. */
const CANONICAL_HASH = 2;

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** One request under an Idempotency-Key: whose key (`scope`), the key, and what the request is (hashed). */
export interface KeyedRequest {
  scope: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

/** What a keyed request answered: its own answer, or the first attempt's, replayed. */
export interface KeyedOutcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** The answer as it is stored: as JSON (what the JSONB column keeps), its `secretFields` left out. */
function storable(body: unknown, secretFields: string[]): unknown {
  if (secretFields.length === 0 || body === null || typeof body !== 'object') return body;
  const json = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(json).filter(([field]) => !secretFields.includes(field)));
}

/**
 * Runs `attempt` once per (scope, key), with the rules above; any transport that accepts a key
 * (the REST middleware below, the GraphQL mutations) goes through here. `requestDeadlineMs`: a
 * request still "in progress" after this long died with its process; its key may be used again.
 * `secretFields`: top-level fields of the answer that are never stored (so never replayed).
 */
export async function runOnce(
  request: KeyedRequest,
  requestDeadlineMs: number,
  attempt: () => Promise<{ status: number; body: unknown }>,
  secretFields: string[] = [],
): Promise<KeyedOutcome> {
  const { scope, key, method, path } = request;
  if (!IDEMPOTENCY_KEY_FORMAT.test(key)) throw badRequest('Idempotency-Key must be 8 to 200 characters of letters, digits, . _ : -');
  const hashed = [method, path, request.body ?? null];
  const requestHash = sha256(stringify(hashed) ?? '');
  // Rows stored before migration 0016 hashed the body as it arrived.
  const isSameRequest = (stored: IdempotencyRecord) =>
    stored.requestHash === (stored.requestHashVersion === CANONICAL_HASH ? requestHash : sha256(JSON.stringify(hashed)));

  let record: IdempotencyRecord;
  try {
    record = await IdempotencyRecord.create({ scope, key, method, path, requestHash, requestHashVersion: CANONICAL_HASH });
  } catch (err) {
    if (!(err instanceof UniqueConstraintError)) throw err;
    const existing = await IdempotencyRecord.findOne({ where: { scope, key } });
    if (!existing) throw conflict('The request with this Idempotency-Key is being retried; try again');
    if (!isSameRequest(existing)) throw idempotencyKeyReused();
    if (existing.responseStatus !== null) return { status: existing.responseStatus, body: existing.responseBody, replayed: true };
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

  let answer: { status: number; body: unknown };
  try {
    answer = await attempt();
  } catch (err) {
    // The request's own error is the answer; if the failure cannot be recorded now (the
    // database is down too), the key frees itself for the same request when its deadline has passed.
    // When PostgreSQL itself did not answer, the answer does not wait for the record, which would wait as long again.
    const recorded = record.update({ failedAt: new Date() }).catch(() => undefined);
    if (!isDatabaseOutage(err)) await recorded;
    throw err;
  }
  if (answer.status >= 200 && answer.status < 300) {
    await record.update({ responseStatus: answer.status, responseBody: storable(answer.body, secretFields) as object });
  } else {
    await record.update({ failedAt: new Date() });
  }
  return { ...answer, replayed: false };
}

/** The Idempotency-Key header of a REST write; `secretAnswer`: the route's answer fields never stored, and what a repeat answers. */
export function idempotency(requestDeadlineMs: number, secretAnswer?: SecretAnswer): Middleware {
  return async (ctx, next) => {
    // An empty header is a malformed key, not an absent one.
    if (ctx.headers['idempotency-key'] === undefined) return next();
    const user = ctx.state.user as AuthUser | undefined;
    const request: KeyedRequest = {
      scope: user ? principalKey(user) : `ip:${ctx.ip}`,
      key: ctx.get('Idempotency-Key'),
      method: ctx.method,
      path: ctx.path,
      body: ctx.request.body,
    };
    const outcome = await runOnce(
      request,
      requestDeadlineMs,
      async () => {
        await next();
        return { status: ctx.status, body: ctx.body };
      },
      secretAnswer?.fields,
    );
    if (outcome.replayed && secretAnswer?.repeat === 'refused') {
      throw conflict('The first answer to this Idempotency-Key held a secret, which is not kept: ask again with a new key', [
        { field: 'Idempotency-Key', message: 'was answered already' },
      ]);
    }
    if (outcome.replayed) {
      ctx.status = outcome.status;
      ctx.body = outcome.body;
      ctx.set('Idempotent-Replayed', 'true');
    }
  };
}
