/**
 * What an uploaded claim document must be: its size, its type and the signature that type's
 * first bytes carry. Where the bytes are kept is the document store's business
 * (src/services/documents).
 */
import crypto from 'node:crypto';

/** Uploads travel base64-encoded inside the JSON body, whose default limit is 1 MB. */
export const MAX_DOCUMENT_BYTES = 512 * 1024;

/** Accepted types, each with the signature its first bytes must carry. */
const SIGNATURES: Record<string, Buffer> = {
  'application/pdf': Buffer.from('%PDF-', 'latin1'),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
};
export const DOCUMENT_TYPES = Object.keys(SIGNATURES);

/** Whether the bytes really are of the declared type, so a renamed executable is not served as a PDF. */
export function looksLike(contentType: string, bytes: Buffer): boolean {
  const signature = SIGNATURES[contentType];
  return signature !== undefined && bytes.subarray(0, signature.length).equals(signature);
}

export function sha256Of(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
