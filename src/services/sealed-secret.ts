/**
 * Secrets the server must read back (a TOTP secret, a webhook signing secret), so cannot hash:
 * AES-256-GCM under a key derived (HKDF-SHA256) from JWT_SECRET for one purpose, with the row's
 * owner authenticated beside it, so a dump of the database alone gives no secret and a value
 * copied onto another row does not decrypt. Stored as `v1.` then base64url of IV ‖ ciphertext ‖ tag.
 */
import crypto from 'node:crypto';
import type { Config } from '../config';
import type { SecretSealer } from '../models/migrations/helpers';

const FORMAT = 'v1';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Only the secret is read: a migration's runner may have nothing else of the configuration. */
type SealingKey = Pick<Config['jwt'], 'secret'>;

const keys = new WeakMap<SealingKey, Map<string, Buffer>>();

/** The key of one purpose: its own derivation of JWT_SECRET, never the signing key itself. */
function keyOf(config: SealingKey, purpose: string): Buffer {
  let byPurpose = keys.get(config);
  if (!byPurpose) keys.set(config, (byPurpose = new Map()));
  let key = byPurpose.get(purpose);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', config.secret, 'insurflow', purpose, 32));
    byPurpose.set(purpose, key);
  }
  return key;
}

export function sealSecret(config: SealingKey, purpose: string, owner: string, secret: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv(CIPHER, keyOf(config, purpose), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(owner, 'utf8'));
  const data = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${FORMAT}.${data.toString('base64url')}`;
}

/** The secret, or null when it cannot be read (another key, another owner's row, altered bytes). */
export function openSecret(config: SealingKey, purpose: string, owner: string, stored: string): string | null {
  const [format, encoded] = stored.split('.');
  if (format !== FORMAT || !encoded) return null;
  const data = Buffer.from(encoded, 'base64url');
  if (data.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = crypto.createDecipheriv(CIPHER, keyOf(config, purpose), data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(owner, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** The sealer a migration that rewrites secrets is given (src/models/migrations/helpers.ts). */
export function secretSealer(config: SealingKey): SecretSealer {
  return {
    seal: (purpose, owner, secret) => sealSecret(config, purpose, owner, secret),
    open: (purpose, owner, stored) => openSecret(config, purpose, owner, stored),
  };
}
