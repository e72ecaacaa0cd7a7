import crypto from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Config } from '../../config';
import { rateLimit } from '../http/middleware/rate-limit';

/** Responses that carry tokens must never be kept by a browser or a proxy. */
export const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
};

/** Requests per client address on every auth route, counted together. */
export const authAddressLimit = (config: Config) =>
  rateLimit({ name: 'auth-ip', points: config.rateLimit.authPerMinute, durationSeconds: 60 });

/** Reset e-mails per address and hour: enough for a lost e-mail, too few to flood a mailbox. */
const RESETS_PER_ACCOUNT_PER_HOUR = 5;

/** The account a reset request names, hashed: the rate-limit table holds no e-mail. */
function accountOf(ctx: Context): string {
  const email = (ctx.request.body as { email?: unknown } | undefined)?.email;
  const normalised = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return crypto.createHash('sha256').update(normalised).digest('hex');
}

/** Reset e-mails asked for one account, counted together whether asked through the API or its page. */
export const resetsPerAccountLimit = () =>
  rateLimit({ name: 'password-reset-account', points: RESETS_PER_ACCOUNT_PER_HOUR, durationSeconds: 3600 }, accountOf);
