/**
 * Documents as files under one directory of this host: the embedded default, for a single API host.
 * A disk that cannot serve (the directory missing or unmounted, not writable, full, failing) is an
 * outage like a silent S3 store: the API answers 503 and the request may be retried once it is fixed.
 */
import crypto from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DocumentStoreUnavailable, type DocumentStore } from './document-store';

/**
 * The system error codes of a directory that cannot serve now. ENOENT is among them: the files are
 * named by the server, so a missing one means a missing (unmounted) directory, not a client's mistake.
 */
const DISK_OUTAGE_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE']);

/** Runs one call on the disk, its outage told as the store's. */
async function onDisk<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // The code, not `instanceof Error`: Node's own errors come from a realm a sandbox (jest) does not share.
    const code = (err as { code?: unknown } | null)?.code;
    throw typeof code === 'string' && DISK_OUTAGE_CODES.has(code) ? new DocumentStoreUnavailable(err, 'document_disk') : err;
  }
}

/**
 * Writes the file at `key` whole: written beside and renamed once complete, so a failed write never
 * leaves part of an object under the key; named per write, so an attempt still running after its
 * retry began cannot mix its bytes in. A file already at the key is replaced, as S3 replaces an
 * object: an upload repeated with its Idempotency-Key after the API died between storing the bytes
 * and recording the row writes the same key again.
 */
async function writeWhole(dir: string, key: string, write: (partial: string) => Promise<void>): Promise<void> {
  const file = path.join(dir, key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${crypto.randomUUID()}.partial`;
  try {
    await write(partial);
    await fs.rename(partial, file);
  } catch (err) {
    await fs.rm(partial, { force: true });
    throw err;
  }
}

export function localDocumentStore(dir: string): DocumentStore {
  return {
    write(key, { bytes }) {
      return onDisk(() => writeWhole(dir, key, (partial) => fs.writeFile(partial, bytes)));
    },
    writeStream(key, { stream }) {
      return onDisk(() => writeWhole(dir, key, (partial) => pipeline(stream, createWriteStream(partial))));
    },
    read(key): Promise<Readable> {
      // Opened here rather than lazily by the stream, so a missing file is an error of this call.
      return onDisk(async () => (await fs.open(path.join(dir, key))).createReadStream());
    },
    remove(key) {
      return onDisk(() => fs.rm(path.join(dir, key), { force: true }));
    },
    close() {},
  };
}
