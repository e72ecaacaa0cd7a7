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
import { ZipFile } from 'yazl';

export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** A file's content: bytes in hand, or chunks read as the ZIP takes them. */
export type ZipContent = Buffer | AsyncIterable<string | Buffer>;

/** Rows per FETCH unless the caller says: one batch of each collection is in memory at a time. */
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
  fetchSize: number = FETCH_SIZE,
): AsyncGenerator<Row[]> {
  await sequelize.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, { transaction, replacements });
  for (;;) {
    const rows = await fetch(`FETCH FORWARD ${fetchSize} FROM ${name}`);
    if (rows.length > 0) yield rows;
    if (rows.length < fetchSize) break;
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

/** Adds one file to a ZIP being streamed: answers its digest once the ZIP has taken all of it. */
export type AddZipFile = (name: string, content: ZipContent) => Promise<ManifestFile>;

/**
 * A ZIP made and handed to `sink` at once, never held whole: `fill` adds the files, then the ZIP
 * ends, and the answer is its SHA-256 and size, counted on the way to the sink. Either side's
 * failure ends the other: a sink that fails ends the file being added (so `fill` fails rather than
 * wait on a ZIP no one reads), and a `fill` that fails destroys the sink's stream (so the sink
 * stores nothing).
 */
export async function streamZip(
  sink: (stream: Readable) => Promise<void>,
  fill: (add: AddZipFile, zip: ZipFile) => Promise<void>,
  mtime: Date,
): Promise<{ sha256: string; bytes: number }> {
  const zip = new ZipFile();
  const counted = countingStream();
  pipeline(zip.outputStream, counted.stream, () => undefined);
  let sinkFailure: Error | null = null;
  let current: Readable | null = null;
  const stored = sink(counted.stream).catch((error: Error) => {
    sinkFailure = error;
    current?.destroy(error);
    throw error;
  });
  // Awaited below; until then a failure is kept, not reported as unhandled.
  stored.catch(() => undefined);
  const add: AddZipFile = (name, content) => {
    if (sinkFailure) return Promise.reject(sinkFailure);
    return addZipFile(zip, name, content, mtime, (stream) => (current = stream));
  };
  try {
    await fill(add, zip);
  } catch (error) {
    counted.stream.destroy(error as Error);
    await stored.catch(() => undefined);
    throw sinkFailure ?? error;
  }
  zip.end();
  await stored;
  return counted.digest();
}
