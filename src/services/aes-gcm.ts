/**
 * AES-256-GCM as the payload codecs and the person data keys store it: a random 12-byte IV, the
 * ciphertext and the 16-byte tag in one buffer (IV ‖ ciphertext ‖ tag), with additional
 * authenticated data binding it to its owner or key id.
 */
import crypto from 'node:crypto';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A key as the cipher takes it: a KeyObject made once (`crypto.createSecretKey`) where the same key
 * seals many times, as the payload codec's do; raw bytes are checked and copied into one per call.
 */
export type AesKey = Buffer | crypto.KeyObject;

export function sealAesGcm(key: AesKey, aad: string, plain: Uint8Array): Buffer {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The plain bytes, or null when they cannot be had: too short to hold IV and tag, another key or AAD, altered bytes. */
export function openAesGcm(key: AesKey, aad: string, sealed: Uint8Array): Buffer | null {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (data.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = crypto.createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}
