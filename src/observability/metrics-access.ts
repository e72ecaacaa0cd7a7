import crypto from 'node:crypto';

/**
 * Whether an Authorization header carries the metrics token. Without a configured token every
 * scraper is let in (development); the comparison takes the same time whatever the guess.
 */
export function metricsAccessAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const digest = (value: string) => crypto.createHash('sha256').update(value).digest();
  return crypto.timingSafeEqual(digest(`Bearer ${token}`), digest(authorization ?? ''));
}
