import type { Context } from 'koa';
import type { Config } from '../../config';
import type { CodeAttempts } from '../../domain/identity/mfa';
import { growingDelay } from '../http/middleware/rate-limit';

/**
 * Wrong second-factor codes one user may send (over every challenge and session: whoever knows the
 * password can ask for new challenges) before each further one is delayed, the delay doubling as
 * for wrong passwords (login's window and first delay). Two challenges' worth: the owner mistyping
 * is never slowed down, a guesser soon is (docs/accounts.md, Second factor).
 */
export const WRONG_CODES_PER_USER_BEFORE_DELAY = 10;

export function mfaCodeThrottle(config: Config) {
  const perUser = growingDelay({
    name: 'mfa-code-user',
    freeFailures: WRONG_CODES_PER_USER_BEFORE_DELAY,
    windowSeconds: config.rateLimit.loginFailureWindowSeconds,
    firstDelaySeconds: config.rateLimit.loginFirstDelaySeconds,
  });
  /** The request's count of wrong codes, by user. */
  return (ctx: Context): CodeAttempts => ({
    async assertAllowed(userId) {
      await perUser.assertAllowed(ctx, userId);
    },
    async recordFailure(userId) {
      await perUser.recordFailure(ctx, userId);
    },
    reset: (userId) => perUser.reset(ctx, userId),
  });
}
