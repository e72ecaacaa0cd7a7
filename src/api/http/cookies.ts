import type { Context } from 'koa';
import type { Config } from '../../config';

/** What a cookie of the API may say besides its name, value and path: SameSite as its use needs, how long it lives. */
export interface CookieUse {
  path: string;
  sameSite: 'strict' | 'lax';
  /** Left out, the cookie is cleared. */
  maxAge?: number;
}

/**
 * Sets (or clears, without a value) an HttpOnly cookie of the API, Secure whenever the browser
 * reaches the API over HTTPS: the request itself may be plain HTTP from a proxy that ends TLS, so
 * the public URL decides (the cookies library refuses a Secure cookie on a connection it thinks
 * plain unless told otherwise).
 */
export function setApiCookie(
  ctx: Pick<Context, 'secure' | 'cookies'>,
  config: Config,
  name: string,
  value: string | null,
  use: CookieUse,
): void {
  const secure = ctx.secure || new URL(config.api.publicUrl).protocol === 'https:';
  if (secure) ctx.cookies.secure = true;
  ctx.cookies.set(name, value, { httpOnly: true, secure, overwrite: true, ...use });
}
