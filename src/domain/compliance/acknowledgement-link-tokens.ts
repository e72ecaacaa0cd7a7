/**
 * The link in a policy notice or reminder (docs/pages.md, Acknowledging a policy): it opens
 * `/app/acknowledge?token=…`, where the employee reads the text and acknowledges it without
 * signing in.
 *
 * The token is signed, not stored: version byte ‖ acknowledgement ID (16 bytes) ‖ expiry (Unix
 * seconds, 4 bytes) ‖ HMAC-SHA256 of those 21 bytes, base64url (71 characters). The HMAC key is
 * derived (HKDF-SHA256) from JWT_SECRET with its own label, never the signing key itself. So:
 * - an activity builds the same link on every attempt from rows alone (the acknowledgement, the
 *   time its mail was asked for), with no table to write: a retried notice sends no second link;
 * - single use follows from the acknowledgement: once it is acknowledged (or superseded, or
 *   exempt) the page says so and the command refuses; nothing else can be done with the token;
 * - a token names one acknowledgement: changing its ID (another employee's, another tenant's)
 *   breaks the HMAC, which is compared in constant time;
 * - changing JWT_SECRET makes every outstanding link invalid (the page says to ask for a reminder).
 */
import crypto from 'node:crypto';
import type { Config } from '../../config';
import { DAY_MS } from '../../shared/time';
import { fillActionUrl } from '../../shared/action-urls';

/** The page a notice's link opens. */
export const ACKNOWLEDGE_PAGE = '/app/acknowledge';
/** How long after the due date (or after the reminder that carried it, if later) a link works: a late acknowledgement is still welcome. */
export const ACKNOWLEDGEMENT_LINK_VALID_DAYS = 30;

const FORMAT_VERSION = 1;
const PAYLOAD_BYTES = 1 + 16 + 4;
const MAC_BYTES = 32;
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil(((PAYLOAD_BYTES + MAC_BYTES) * 4) / 3)}}$`);
const keys = new WeakMap<Config['jwt'], Buffer>();

/** The key that signs acknowledgement links: its own derivation of JWT_SECRET. */
export function acknowledgementLinkKeyOf(jwt: Config['jwt']): Buffer {
  let key = keys.get(jwt);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', jwt.secret, 'insurflow', 'acknowledgement-link v1', 32));
    keys.set(jwt, key);
  }
  return key;
}

const macOf = (key: Buffer, payload: Buffer) => crypto.createHmac('sha256', key).update(payload).digest();

/**
 * When a link mailed for an acknowledgement due `dueAt` stops working: ACKNOWLEDGEMENT_LINK_VALID_DAYS
 * after the later of the due date and `mailedFor`, the time its mail was asked for as a row records
 * it (never the clock of an attempt, so every attempt signs the same link). Whole seconds.
 */
export function acknowledgementLinkExpiry(dueAt: Date, mailedFor: Date): Date {
  const from = Math.max(dueAt.getTime(), mailedFor.getTime());
  return new Date(Math.floor((from + ACKNOWLEDGEMENT_LINK_VALID_DAYS * DAY_MS) / 1000) * 1000);
}

export function signAcknowledgementToken(key: Buffer, acknowledgementId: string, expiresAt: Date): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(FORMAT_VERSION, 0);
  Buffer.from(acknowledgementId.replace(/-/g, ''), 'hex').copy(payload, 1);
  payload.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000), 17);
  return Buffer.concat([payload, macOf(key, payload)]).toString('base64url');
}

/** What a token says, once its HMAC is right; null for any token this key did not sign. */
export function readAcknowledgementToken(key: Buffer, token: string): { acknowledgementId: string; expiresAt: Date } | null {
  if (!TOKEN_SHAPE.test(token)) return null;
  const data = Buffer.from(token, 'base64url');
  if (data.length !== PAYLOAD_BYTES + MAC_BYTES) return null;
  const payload = data.subarray(0, PAYLOAD_BYTES);
  if (!crypto.timingSafeEqual(data.subarray(PAYLOAD_BYTES), macOf(key, payload))) return null;
  if (payload.readUInt8(0) !== FORMAT_VERSION) return null;
  const hex = payload.subarray(1, 17).toString('hex');
  const acknowledgementId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { acknowledgementId, expiresAt: new Date(payload.readUInt32BE(17) * 1000) };
}

/** What an activity needs to put the link in a mail. */
export interface AcknowledgementLinkSigner {
  publicUrl: string;
  key: Buffer;
}

/**
 * The link of a notice or reminder and the token in it, which the recorded copy of the mail leaves
 * out. `template`: the tenant's own page for it (the `actionUrls.acknowledgePolicy` setting), which
 * gets the same signed token the built-in page takes, URL-encoded into `{token}`.
 */
export function acknowledgementCallToAction(
  signer: AcknowledgementLinkSigner,
  ack: { id: string; dueAt: Date },
  mailedFor: Date,
  template?: string,
): { token: string; url: string } {
  const token = signAcknowledgementToken(signer.key, ack.id, acknowledgementLinkExpiry(ack.dueAt, mailedFor));
  if (template) return { token, url: fillActionUrl(template, token) };
  const url = new URL(ACKNOWLEDGE_PAGE, signer.publicUrl);
  url.searchParams.set('token', token);
  return { token, url: url.toString() };
}
