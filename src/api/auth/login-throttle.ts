import type { Context } from 'koa';
import type { Config } from '../../config';
import type { User } from '../../models';
import { isActiveMember } from '../../services/authority';
import type { Mailer } from '../../services/mailer';
import { afterAnswer, failedSignInsMail, sendAccountMail } from './account-mails';
import { clientKeyOf, growingDelay, oncePerWindow } from '../http/middleware/rate-limit';

/**
 * Wrong passwords delay, with a delay doubling at each one past the free ones, the client at that
 * account and, for guessing across accounts, the client altogether. The owner signing in from
 * anywhere else is not delayed; the owner is told by mail, once per window, when a client is.
 */
export function loginThrottle(config: Config, mailer: Mailer) {
  const { loginFailuresPerAccountSource, loginFailuresPerSource, loginFailureWindowSeconds, loginFirstDelaySeconds } = config.rateLimit;
  const delays = { windowSeconds: loginFailureWindowSeconds, firstDelaySeconds: loginFirstDelaySeconds };
  const perAccountSource = growingDelay({ name: 'login-account-source', freeFailures: loginFailuresPerAccountSource, ...delays });
  const perSource = growingDelay({ name: 'login-source', freeFailures: loginFailuresPerSource, ...delays });
  const firstWarning = oncePerWindow({ name: 'login-warning', durationSeconds: loginFailureWindowSeconds });
  const keysOf = (ctx: Context, email: string) => ({ source: clientKeyOf(ctx.ip), pair: `${email}\n${clientKeyOf(ctx.ip)}` });
  return {
    async assertAllowed(ctx: Context, email: string): Promise<{ hasFailures: boolean }> {
      const { source, pair } = keysOf(ctx, email);
      const [, account] = await Promise.all([perSource.assertAllowed(ctx, source), perAccountSource.assertAllowed(ctx, pair)]);
      return account;
    },
    async recordFailure(ctx: Context, email: string, owner: User | null): Promise<void> {
      const { source, pair } = keysOf(ctx, email);
      const [, { delayed }] = await Promise.all([perSource.recordFailure(ctx, source), perAccountSource.recordFailure(ctx, pair)]);
      // Decided after answering, so an attempt at a real account takes as long as one at an unknown address.
      if (delayed && owner && isActiveMember(owner)) {
        afterAnswer(ctx, 'failed sign-ins e-mail', async () => {
          if (await firstWarning(ctx, owner.id)) await sendAccountMail(mailer, failedSignInsMail(owner.email, loginFailureWindowSeconds));
        });
      }
    },
    reset: (ctx: Context, email: string) => perAccountSource.reset(ctx, keysOf(ctx, email).pair),
  };
}
