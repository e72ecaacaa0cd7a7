/**
 * The password hashing settings, apart from the hashing itself (src/services/passwords.ts): the
 * configuration needs the defaults and the types, and every process reads the configuration, while
 * only the API and the operator commands should load the native argon2 and bcrypt bindings.
 */
export interface PasswordHashingCost {
  /** KiB of memory per hash. */
  memoryCost: number;
  /** Passes over that memory. */
  timeCost: number;
}

/** The cost, and how many hashes may wait for a slot (unbounded when not given: scripts and tests). */
export interface PasswordHashing extends PasswordHashingCost {
  queueLimit?: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, 1 lane. */
export const OWASP_ARGON2ID: PasswordHashingCost = { memoryCost: 19_456, timeCost: 2 };
