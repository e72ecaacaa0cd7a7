/**
 * Seals the fields of workflow payloads marked as a person's (src/shared/personal-data.ts) with
 * that person's data key, so Temporal's history holds them only sealed and destroying the key
 * erases them from every copy of it (docs/privacy.md, Personal data in workflow histories).
 *
 * Encoding replaces `{ dataSubjectId, personal }` in a JSON payload by `{ dataSubjectId, sealed,
 * keyId: "person:<id>" }`, `sealed` being base64 of AES-256-GCM (IV ‖ ciphertext ‖ tag) over the
 * JSON of `personal` with the subject's id as additional authenticated data. Decoding restores it;
 * once the key is destroyed it answers `{ dataSubjectId, personal: null, erased: true }` instead,
 * never an error, so runs replay and the API and the Temporal UI go on reading them. Altered bytes
 * are an error (PayloadDecryptionError), as in the whole-payload codec, and so is a sealed field
 * handed in to be encoded (only this codec seals). Only JSON payloads whose bytes hold the
 * marker's field name are parsed; every other payload passes untouched.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { DATA_SUBJECT_FIELD, erasedPersonalData, type PersonalData } from '../shared/personal-data';
import { openAesGcm, sealAesGcm } from './aes-gcm';
import { PayloadDecryptionError } from './payload-codec';
import type { PersonKeyring } from './person-data-keys';

export const PERSON_KEY_ID_PREFIX = 'person:';
const JSON_ENCODING = Buffer.from('json/plain', 'utf8');
const MARKER = Buffer.from(`"${DATA_SUBJECT_FIELD}"`, 'utf8');
/** Subjects are user ids: anything else in a marker is not ours to look up. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SealedPersonalData {
  dataSubjectId: string;
  sealed: string;
  keyId: string;
}

type JsonObject = Record<string, unknown>;
/** The replacement of a marked object, or undefined for any other object (walked into). */
type Replace = (node: JsonObject, subject: string) => Promise<unknown> | undefined;

/** Deeper than any payload of ours: a deeper one is refused rather than walked to the stack's end. */
const MAX_DEPTH = 64;

async function walk(node: unknown, replace: Replace, depth = 0): Promise<unknown> {
  if (node === null || typeof node !== 'object') return node;
  if (depth > MAX_DEPTH) throw new PayloadDecryptionError(`A payload holding a personal field nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(node)) return Promise.all(node.map((item) => walk(item, replace, depth + 1)));
  const object = node as JsonObject;
  const subject = object[DATA_SUBJECT_FIELD];
  const replaced = typeof subject === 'string' ? replace(object, subject) : undefined;
  if (replaced) return replaced;
  // fromEntries defines properties: a "__proto__" key from JSON stays a plain key.
  return Object.fromEntries(
    await Promise.all(Object.entries(object).map(async ([key, value]) => [key, await walk(value, replace, depth + 1)])),
  );
}

function subjectOf(subject: string): string {
  if (!UUID.test(subject))
    throw new PayloadDecryptionError(`A personal field names "${subject.slice(0, 40)}" as its person: not a user id`);
  return subject;
}

const view = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A JSON payload whose bytes name the marker's field: the cheap test, without parsing or copying. */
function carriesMarker(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return !!encoding && !!payload.data && view(encoding).equals(JSON_ENCODING) && view(payload.data).includes(MARKER);
}

async function transform(payload: Payload, replace: Replace): Promise<Payload> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(view(payload.data!).toString('utf8'));
  } catch {
    throw new PayloadDecryptionError('A json/plain payload naming a personal field is not JSON');
  }
  const value = await walk(parsed, replace);
  return { ...payload, data: Buffer.from(JSON.stringify(value), 'utf8') };
}

export class PersonDataCodec implements PayloadCodec {
  constructor(private readonly keyring: PersonKeyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return this.apply(payloads, (node, subject) => this.seal(node, subject));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return this.apply(payloads, (node, subject) => this.open(node, subject));
  }

  private async apply(payloads: Payload[], replace: Replace): Promise<Payload[]> {
    // Most batches hold no marked field: answered as they came, nothing parsed or copied.
    if (!payloads.some(carriesMarker)) return payloads;
    return Promise.all(payloads.map((payload) => (carriesMarker(payload) ? transform(payload, replace) : payload)));
  }

  /** A marked value becomes sealed; an erased one stays as it is. */
  private seal(node: JsonObject, subject: string): Promise<unknown> | undefined {
    // Only this codec seals, and decoding never hands a sealed field on: one here came from outside,
    // and would stop the run that stored it from decoding its history.
    if ('sealed' in node) throw new PayloadDecryptionError('A payload to encode already holds a sealed personal field');
    if (!('personal' in node) || node.erased === true) return undefined;
    return (async () => {
      const key = await this.keyring.sealingKey(subjectOf(subject));
      // The person was erased: what they said after is not kept either.
      if (!key) return erasedPersonalData(subject);
      const plain = Buffer.from(JSON.stringify((node as unknown as PersonalData<unknown>).personal), 'utf8');
      const sealed: SealedPersonalData = {
        dataSubjectId: subject,
        sealed: sealAesGcm(key, subject, plain).toString('base64'),
        keyId: `${PERSON_KEY_ID_PREFIX}${subject}`,
      };
      return sealed;
    })();
  }

  private open(node: JsonObject, subject: string): Promise<unknown> | undefined {
    if (typeof node.sealed !== 'string') return undefined;
    return (async () => {
      if (node.keyId !== `${PERSON_KEY_ID_PREFIX}${subject}`)
        throw new PayloadDecryptionError(`A personal field of ${subject.slice(0, 40)} is sealed under another key id`);
      const key = await this.keyring.openingKey(subjectOf(subject));
      if (!key) return erasedPersonalData(subject);
      const plain = openAesGcm(key, subject, Buffer.from(node.sealed as string, 'base64'));
      if (!plain) throw new PayloadDecryptionError(`A personal field of ${subject} fails authentication: it was altered`);
      const opened: PersonalData<unknown> = { dataSubjectId: subject, personal: JSON.parse(plain.toString('utf8')) };
      return opened;
    })();
  }
}
