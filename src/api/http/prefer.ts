/**
 * The `Prefer` request header (RFC 7240) as far as the API honours it: `wait=<seconds>`, how long
 * the client is willing to wait for a result the server would otherwise answer later. A preference
 * the API does not know, a malformed header or a malformed `wait` is ignored, as RFC 7240 §2 asks
 * of a server, never refused; a wait longer than the route's bound is shortened to it.
 */

/**
 * `wait=N` among the header's comma-separated preferences: the first, as RFC 7240 §2 says. Any number of digits
 * (the header's own length is bounded): RFC 7240 bounds no wait, and one past the route's bound is shortened to it.
 */
const WAIT = /^\s*wait\s*=\s*"?(\d+)"?\s*(?:;.*)?$/i;

/** The seconds the client prefers to wait, at most `maxSeconds`; null when it did not ask (or asked for 0). */
export function preferredWait(header: string | string[] | undefined, maxSeconds: number): number | null {
  const preferences = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  for (const preference of preferences) {
    const match = WAIT.exec(preference);
    if (!match) continue;
    const seconds = Number(match[1]);
    return seconds > 0 ? Math.min(seconds, maxSeconds) : null;
  }
  return null;
}
