/**
 * Password hashing: argon2id through a native library whose work runs on libuv's thread pool,
 * never on the event loop, so a burst of logins does not stall other requests. Hashes also run
 * at most HASHING_CONCURRENCY at a time (one core left free): four pool threads hashing on two
 * cores starved the event loop of CPU, and each hash holds its memory cost while it runs. After
 * each hash its slot rests three times as long as the hash took, so hashing uses at most a quarter
 * of the cores it may use: with a slot busy all the time, or resting only as long as the hash,
 * other requests' p95 during a storm of logins stayed well above the target (bench `loginStorm`;
 * the figures of each variant are in docs/performance.md, "Login storm"). A storm therefore queues
 * behind itself, not in front of everyone else, at about a quarter of the logins per second the cores
 * could hash. The queue is bounded (PASSWORD_HASH_QUEUE_LIMIT): past it a login is refused at once
 * (PasswordHashingBusy, answered 503 with Retry-After) instead of queueing behind a flood, so the
 * logins already waiting still get their turn within a bounded time.
 * Hashes written before argon2id (bcrypt, `$2a$`/`$2b$`/`$2y$`) still verify, natively too, and
 * the login route replaces them with an argon2id hash on the next successful login.
 */
import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';
import { OWASP_ARGON2ID, type PasswordHashing } from '../config/password-hashing';
import { passwordChecksRefused, passwordHashes } from '../observability/business-metrics';

/** The hashing queue is full: the caller should answer "busy, retry later" rather than wait. */
export class PasswordHashingBusy extends Error {
  constructor() {
    super('too many password hashes are waiting');
  }
}

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

type Operation = 'hash' | 'verify';

/**
 * Runs `work` once fewer than HASHING_CONCURRENCY hashes are running, in arrival order; its slot
 * is handed over after its rest (the caller has its answer at once). Throws PasswordHashingBusy
 * when `queueLimit` hashes are already waiting.
 */
async function inTurn<T>(operation: Operation, queueLimit: number, work: () => Promise<T>): Promise<T> {
  if (running < HASHING_CONCURRENCY) running += 1;
  else if (waiting.length >= queueLimit) {
    passwordChecksRefused.inc({ operation });
    throw new PasswordHashingBusy();
  } else await new Promise<void>((resolve) => waiting.push(resolve));
  passwordHashes.inc({ operation });
  const startedAt = performance.now();
  try {
    return await work();
  } finally {
    setTimeout(handOver, REST_PER_HASH * (performance.now() - startedAt)).unref();
  }
}

/** argon2id is the library's default algorithm (its `Algorithm` is a const enum the test build cannot read). */
export function hashPassword(password: string, hashing: PasswordHashing = OWASP_ARGON2ID): Promise<string> {
  return inTurn('hash', hashing.queueLimit ?? Infinity, () =>
    hash(password, { memoryCost: hashing.memoryCost, timeCost: hashing.timeCost, parallelism: 1 }),
  );
}

/**
 * False for a wrong password and for a hash this module cannot read (never throws on input);
 * throws PasswordHashingBusy when `queueLimit` hashes are already waiting.
 */
export function verifyPassword(password: string, passwordHash: string, limits: { queueLimit?: number } = {}): Promise<boolean> {
  return inTurn('verify', limits.queueLimit ?? Infinity, async () => {
    try {
      return await (LEGACY_BCRYPT.test(passwordHash) ? verifyBcrypt(password, passwordHash) : verify(passwordHash, password));
    } catch {
      return false;
    }
  });
}

/** A hash from before argon2id: replace it once its password has been verified. */
export function needsRehash(passwordHash: string): boolean {
  return LEGACY_BCRYPT.test(passwordHash);
}
