/**
 * Password hashing: argon2id through a native library whose work runs on libuv's thread pool,
 * never on the event loop, so a burst of logins does not stall other requests. Hashes also run
 * at most HASHING_CONCURRENCY at a time (one core left free): four pool threads hashing on two
 * cores starved the event loop of CPU, and each hash holds 19 MiB while it runs. After each hash
 * its slot rests three times as long as the hash took, so hashing uses at most a quarter of the
 * cores it may use: with one hashing thread busy all the time other requests' p95 still rose to
 * 2.3-4.4 × idle during a storm of logins, resting as long as the hash 2.75 ×, three times as
 * long 1.35-1.64 × (bench `loginStorm`, docs/performance.md). A storm therefore queues behind
 * itself, not in front of everyone else, at about a quarter of the logins per second the cores
 * could hash.
 * Hashes written before argon2id (bcrypt, `$2a$`/`$2b$`/`$2y$`) still verify, natively too, and
 * the login route replaces them with an argon2id hash on the next successful login.
 */
import os from 'node:os';
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

const HASHING_CONCURRENCY = Math.max(1, os.availableParallelism() - 1);
let running = 0;
const waiting: Array<() => void> = [];

/** The slot goes straight to the next in line, so no newcomer can slip in between. */
function handOver(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}

/** How long a hashing slot rests after a hash, in multiples of the time the hash took. */
const REST_PER_HASH = 3;

/**
 * Runs `work` once fewer than HASHING_CONCURRENCY hashes are running, in arrival order; its slot
 * is handed over after its rest (the caller has its answer at once).
 */
async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running < HASHING_CONCURRENCY) running += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  const startedAt = performance.now();
  try {
    return await work();
  } finally {
    setTimeout(handOver, REST_PER_HASH * (performance.now() - startedAt)).unref();
  }
}

/** argon2id is the library's default algorithm (its `Algorithm` is a const enum the test build cannot read). */
export function hashPassword(password: string, cost: PasswordHashingCost = OWASP_ARGON2ID): Promise<string> {
  return inTurn(() => hash(password, { memoryCost: cost.memoryCost, timeCost: cost.timeCost, parallelism: 1 }));
}

/** False for a wrong password and for a hash this module cannot read (never throws on input). */
export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  try {
    return await inTurn(() => (LEGACY_BCRYPT.test(passwordHash) ? verifyBcrypt(password, passwordHash) : verify(passwordHash, password)));
  } catch {
    return false;
  }
}

/** A hash from before argon2id: replace it once its password has been verified. */
export function needsRehash(passwordHash: string): boolean {
  return LEGACY_BCRYPT.test(passwordHash);
}
