/**
 * The `Deprecation` header (RFC 9745) on an answer whose request used a deprecated spelling: today
 * money given as a JSON number instead of its decimal string (docs/api.md, Money). The spelling is
 * found where the input is validated (REST's `validate`, GraphQL's `validInput`), deep in a route
 * or a resolver, so the request's context is kept for them in async-local storage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Joi from 'joi';
import type { Context, Middleware } from 'koa';
import { MONEY_NUMBER_WARNING } from '../../shared/typed-schema';

/** When money as a JSON number was deprecated (2026-11-29, the release that made strings the one spelling), in Unix seconds. */
const MONEY_NUMBERS_DEPRECATED_AT = 1_795_910_400;

const requests = new AsyncLocalStorage<Context>();

/** Keeps the request's context for `noteDeprecatedSpelling`, on REST and GraphQL alike. */
export function deprecations(): Middleware {
  return (ctx, next) => requests.run(ctx, next);
}

/** Marks the answer deprecated when the validation warned of a deprecated spelling; the request still runs. */
export function noteDeprecatedSpelling(warning: Joi.ValidationError | undefined): void {
  if (!warning?.details.some((detail) => detail.type === MONEY_NUMBER_WARNING)) return;
  requests.getStore()?.set('Deprecation', `@${MONEY_NUMBERS_DEPRECATED_AT}`);
}
