/**
 * Password hashing: argon2id through a native library whose work runs on libuv's thread pool,
 * never on the event loop, so a burst of logins does not stall other requests.
 * Hashes written before argon2id (bcrypt, `$2a$`/`$2b$`/`$2y$`) still verify, natively too, and
 * the login route replaces them with an argon2id hash on the next successful login.
 */
import { hash, verify } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';

export interface PasswordHashingCost {
  /** KiB of memory per hash. */
  memoryCost: number;
  /** Passes over that memory. */
  timeCost: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, 1 lane. */
export const OWASP_ARGON2ID: PasswordHashingCost = { memoryCost: 19_456, timeCost: 2 };

const LEGACY_BCRYPT = /^\$2[aby]\$\d{2}\$/;

/** argon2id is the library's default algorithm (its `Algorithm` is a const enum the test build cannot read). */
export function hashPassword(password: string, cost: PasswordHashingCost = OWASP_ARGON2ID): Promise<string> {
  return hash(password, { memoryCost: cost.memoryCost, timeCost: cost.timeCost, parallelism: 1 });
}

/** False for a wrong password and for a hash this module cannot read (never throws on input). */
export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  try {
    return LEGACY_BCRYPT.test(passwordHash) ? await verifyBcrypt(password, passwordHash) : await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash from before argon2id: replace it once its password has been verified. */
export function needsRehash(passwordHash: string): boolean {
  return LEGACY_BCRYPT.test(passwordHash);
}
