/**
 * The second factor's secrets (docs/accounts.md, Second factor): TOTP (RFC 6238, 30-second
 * steps, 6 digits, SHA-1: what every authenticator app reads from an `otpauth://` URI) through
 * otplib, and the recovery codes.
 *
 * otplib's own entry point loads its default plugins, whose dependencies (@scure/base,
 * @noble/hashes) are ESM only: Node 24 requires them, jest cannot without
 * --experimental-vm-modules. So this module takes otplib's TOTP and URI packages (CommonJS
 * builds, the same release) with HMAC from node:crypto and base32 (RFC 4648) from ./base32.ts.
 *
 * A TOTP secret must be read back to check a code, so it cannot be hashed: it is stored encrypted
 * with AES-256-GCM under a key derived (HKDF-SHA256) from JWT_SECRET, which lives in the
 * environment, never in the database: a dump of the database alone gives no secret. The user's ID
 * is authenticated with it, so a row copied onto another user does not decrypt. Changing
 * JWT_SECRET therefore makes the enrolled secrets unreadable: those users sign in with a recovery
 * code and enrol again (docs/accounts.md says so).
 *
 * Recovery codes carry 80 random bits, so, like API keys (src/services/api-keys.ts), a fast hash
 * is enough: no offline guess is cheap enough to matter, and a slow one would cost every check.
 */
import crypto from 'node:crypto';
import { createBase32Plugin, createCryptoPlugin } from '@otplib/core';
import { verify } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import type { Config } from '../config';
import { base32Decode, base32Encode } from './base32';
import { openSecret, sealSecret } from './sealed-secret';
import { hashToken } from './single-use-tokens';

export const TOTP_ISSUER = 'Insurflow';
/** Seconds a code lives. */
export const TOTP_PERIOD_SECONDS = 30;
/** A code of the step before or after the current one is still accepted: clocks drift, people type slowly. */
const TOTP_TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

/** HKDF purpose of the key TOTP secrets are sealed with (src/services/sealed-secret.ts). */
const SECRET_PURPOSE = 'totp-secret v1';

/** otplib's plugins: HMAC and random bytes from node:crypto, base32 as RFC 4648 says. */
export const TOTP_PLUGINS = {
  crypto: createCryptoPlugin({
    name: 'node',
    hmac: (algorithm, key, data) => new Uint8Array(crypto.createHmac(algorithm, key).update(data).digest()),
    randomBytes: (length) => new Uint8Array(crypto.randomBytes(length)),
  }),
  base32: createBase32Plugin({ name: 'rfc4648', encode: base32Encode, decode: base32Decode }),
};

/** 160 bits, the HMAC-SHA1 block RFC 4226 recommends. */
const SECRET_BYTES = 20;

/** A new TOTP secret, base32 as authenticator apps take it. */
export const newTotpSecret = (): string => base32Encode(crypto.randomBytes(SECRET_BYTES));

/** What an authenticator app scans: issuer Insurflow, labelled with the account's e-mail. */
export const otpauthUri = (email: string, secret: string): string => generateTOTP({ issuer: TOTP_ISSUER, label: email, secret });

/** The secret as stored, bound to its user. */
export function encryptTotpSecret(config: Config['jwt'], userId: string, secret: string): string {
  return sealSecret(config, SECRET_PURPOSE, userId, secret);
}

/** The secret, or null when it cannot be read (another key, another user's row, altered bytes). */
export function decryptTotpSecret(config: Config['jwt'], userId: string, stored: string): string | null {
  return openSecret(config, SECRET_PURPOSE, userId, stored);
}

/**
 * The time step of `code` if it is right now (within one step either way) and of a later step
 * than `lastUsedStep`; null otherwise. The caller records the step it answers, so no code is
 * accepted twice.
 */
export async function totpStepOf(secret: string, code: string, lastUsedStep: number | null): Promise<number | null> {
  const result = await verify({
    ...TOTP_PLUGINS,
    secret,
    token: code,
    epochTolerance: TOTP_TOLERANCE_SECONDS,
    ...(lastUsedStep !== null && { afterTimeStep: lastUsedStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** Recovery codes: four groups of four characters of Crockford's base32 (no I, L, O, U), 80 bits. */
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const RECOVERY_GROUP = '[0-9a-hjkmnp-tv-zA-HJKMNP-TV-Z]{4}';
export const RECOVERY_CODE_SOURCE = `${RECOVERY_GROUP}(?:-${RECOVERY_GROUP}){3}`;
export const TOTP_CODE_SOURCE = '[0-9]{6}';
export const RECOVERY_CODE_COUNT = 10;

export const isTotpCode = (code: string): boolean => new RegExp(`^${TOTP_CODE_SOURCE}$`).test(code);

/** The stored form of a recovery code, however its letters were cased. */
export const hashRecoveryCode = (code: string): string => hashToken(code.toLowerCase());

/** New recovery codes, shown once, and the hashes to store for them. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: count }, () => {
    const characters = Array.from(crypto.randomBytes(16), (byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length]).join('');
    return characters.match(/.{4}/g)!.join('-');
  });
  return { codes, hashes: codes.map(hashRecoveryCode) };
}
