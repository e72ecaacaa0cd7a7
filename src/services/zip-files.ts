/**
 * Files written into a ZIP (yazl) as they are read, each with its SHA-256 and size for a
 * manifest: JSON documents, JSON Lines from server-side cursors a batch at a time, and streams
 * (a stored document's bytes), so memory does not grow with what is written. Used by the evidence
 * package of a policy version and the subject access export.
 */
import crypto from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ZipFile } from 'yazl';

export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** A file's content: bytes in hand, or chunks read as the ZIP takes them. */
export type ZipContent = Buffer | AsyncIterable<string | Buffer>;

/** Rows per FETCH: one batch of each collection is in memory at a time. */
const FETCH_SIZE = 1000;

/** A JSON document, indented, with a final newline. */
export const jsonFile = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

/** Rows of a query through a server-side cursor (the transaction's snapshot), a batch at a time. */
export async function* cursorBatches<Row extends object>(
  sequelize: Sequelize,
  transaction: Transaction,
  name: string,
  sql: string,
  replacements: Record<string, unknown>,
  fetch: (sql: string) => Promise<Row[]> = (fetchSql) => sequelize.query<Row>(fetchSql, { transaction, type: QueryTypes.SELECT }),
): AsyncGenerator<Row[]> {
  await sequelize.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, { transaction, replacements });
  for (;;) {
    const rows = await fetch(`FETCH FORWARD ${FETCH_SIZE} FROM ${name}`);
    if (rows.length > 0) yield rows;
    if (rows.length < FETCH_SIZE) break;
  }
  await sequelize.query(`CLOSE ${name}`, { transaction });
}

/** One JSON document per line, a batch per chunk. */
export async function* jsonLines<Row extends object>(batches: AsyncIterable<Row[]>, shape: (row: Row) => unknown = (row) => row) {
  for await (const batch of batches) yield batch.map((row) => `${JSON.stringify(shape(row))}\n`).join('');
}

/** A pass-through stream that counts and hashes what flows through it. */
export function countingStream(): { stream: Transform; digest: () => { sha256: string; bytes: number } } {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), bytes }) };
}

/**
 * Adds one file to the ZIP; answers its digest once the ZIP has taken all of it. `onStream` is
 * handed the stream of a streamed file, for a caller that must be able to end it early.
 */
export async function addZipFile(
  zip: ZipFile,
  name: string,
  content: ZipContent,
  mtime: Date,
  onStream: (stream: Readable) => void = () => undefined,
): Promise<ManifestFile> {
  if (Buffer.isBuffer(content)) {
    zip.addBuffer(content, name, { mtime });
    return { name, sha256: crypto.createHash('sha256').update(content).digest('hex'), bytes: content.length };
  }
  const { stream: counted, digest } = countingStream();
  // A failed read destroys `counted`, which rejects `finished` below.
  pipeline(Readable.from(content), counted, () => undefined);
  onStream(counted);
  zip.addReadStream(counted, name, { mtime });
  await finished(counted);
  return { name, ...digest() };
}
