import crypto from 'node:crypto';

/**
 * A resource ID that follows from the caller's request (kind, caller, Idempotency-Key, target),
 * so a repeat of the same request reaches the same resource and run even when the stored
 * response is gone. The hash is laid out as a v4 UUID so it passes the same id validation as
 * random ones.
 */
export function idFromRequest(...parts: string[]): string {
  const hex = crypto.createHash('sha256').update(parts.join(':')).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
