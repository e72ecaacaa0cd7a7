/**
 * The counts of wrong secrets a REST request's client runs up (./login-throttle.ts,
 * ./mfa-throttle.ts), as an operation's `run` receives them (RestRequest, src/api/http/operation.ts).
 */
import type { Config } from '../../config';
import type { LoginAttempts } from '../../domain/identity/presence';
import type { CodeAttempts } from '../../domain/identity/mfa';
import type { RouteContext } from '../http/route';
import { loginThrottle } from './login-throttle';
import { mfaCodeThrottle } from './mfa-throttle';

export interface Throttles {
  /** The client's wrong passwords at the account of `email`, and at every account. */
  login(email: string): LoginAttempts;
  /** Wrong second-factor codes, counted by user. */
  codes: CodeAttempts;
}

/**
 * Built once per configuration, not per request: a limiter refuses a key that used up its points
 * from memory (src/api/http/middleware/rate-limit.ts), which a limiter made anew would not know.
 */
const throttlesByConfig = new WeakMap<Config, { login: ReturnType<typeof loginThrottle>; codes: ReturnType<typeof mfaCodeThrottle> }>();

export function throttlesOf(ctx: RouteContext): Throttles {
  const { config } = ctx.services;
  let throttles = throttlesByConfig.get(config);
  if (!throttles) {
    throttles = { login: loginThrottle(config), codes: mfaCodeThrottle(config) };
    throttlesByConfig.set(config, throttles);
  }
  const { login, codes } = throttles;
  return { login: (email) => login(ctx, email), codes: codes(ctx) };
}
