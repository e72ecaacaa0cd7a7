/**
 * Tokens handed out once by e-mail (password resets, address verification): 32 random bytes,
 * stored only as SHA-256, valid until `expiresAt` and usable once.
 */
import crypto from 'node:crypto';

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** A new token and the hash to store for it. */
export function mintToken(): { token: string; tokenHash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export type TokenProblem = 'invalid' | 'used' | 'expired';

/** Why a stored token (or none found) cannot be used now, or null while it can. */
export function tokenProblem(found: { usedAt: Date | null; expiresAt: Date } | null): TokenProblem | null {
  if (!found) return 'invalid';
  if (found.usedAt) return 'used';
  if (found.expiresAt <= new Date()) return 'expired';
  return null;
}

/** The error class of one kind of token refused: its `code` names the problem, its message says it to a person. */
export function tokenRejection<Code extends string>(messages: Record<Code, string>) {
  return class extends Error {
    constructor(readonly code: Code) {
      super(messages[code]);
    }
  };
}
