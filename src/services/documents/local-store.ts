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
 * EEXIST is not: a key written twice is a fault of the code.
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

export function localDocumentStore(dir: string): DocumentStore {
  return {
    write(key, { bytes }) {
      return onDisk(async () => {
        const file = path.join(dir, key);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, bytes, { flag: 'wx' });
      });
    },
    writeStream(key, { stream }) {
      return onDisk(async () => {
        const file = path.join(dir, key);
        await fs.mkdir(path.dirname(file), { recursive: true });
        // Written beside and renamed once whole, so a failed stream never leaves half an object under the
        // key; named per write, so an attempt still running after its retry began cannot mix its bytes in.
        const partial = `${file}.${crypto.randomUUID()}.partial`;
        try {
          await pipeline(stream, createWriteStream(partial));
          await fs.rename(partial, file);
        } catch (err) {
          await fs.rm(partial, { force: true });
          throw err;
        }
      });
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
