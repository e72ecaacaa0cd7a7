import type { Context } from 'koa';
import type { Config } from '../../config';
import type { LoginAttempts } from '../../domain/identity/presence';
import { clientKeyOf, growingDelay, oncePerWindow } from '../http/middleware/rate-limit';

/**
 * Wrong passwords delay, with a delay doubling at each one past the free ones, the client at that
 * account and, for guessing across accounts, the client altogether. The owner signing in from
 * anywhere else is not delayed; the login command tells the owner by mail, once per window
 * (`firstWarning`), when a client is.
 */
export function loginThrottle(config: Config) {
  const { loginFailuresPerAccountSource, loginFailuresPerSource, loginFailureWindowSeconds, loginFirstDelaySeconds } = config.rateLimit;
  const delays = { windowSeconds: loginFailureWindowSeconds, firstDelaySeconds: loginFirstDelaySeconds };
  const perAccountSource = growingDelay({ name: 'login-account-source', freeFailures: loginFailuresPerAccountSource, ...delays });
  const perSource = growingDelay({ name: 'login-source', freeFailures: loginFailuresPerSource, ...delays });
  const firstWarning = oncePerWindow({ name: 'login-warning', durationSeconds: loginFailureWindowSeconds });
  /** The attempts of the request's client at `email`. */
  return (ctx: Context, email: string): LoginAttempts => {
    const source = clientKeyOf(ctx.ip);
    const pair = `${email}\n${source}`;
    return {
      async assertAllowed() {
        const [, account] = await Promise.all([perSource.assertAllowed(ctx, source), perAccountSource.assertAllowed(ctx, pair)]);
        return account;
      },
      async recordFailure() {
        const [, account] = await Promise.all([perSource.recordFailure(ctx, source), perAccountSource.recordFailure(ctx, pair)]);
        return account;
      },
      firstWarning: (ownerId) => firstWarning(ctx, ownerId),
      reset: () => perAccountSource.reset(ctx, pair),
    };
  };
}
