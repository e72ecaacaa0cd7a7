/** Documents as files under one directory of this host: the embedded default, for a single API host. */
import crypto from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DocumentStore } from './document-store';

export function localDocumentStore(dir: string): DocumentStore {
  return {
    async write(key, { bytes }) {
      const file = path.join(dir, key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, bytes, { flag: 'wx' });
    },
    async writeStream(key, { stream }) {
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
    },
    async read(key): Promise<Readable> {
      // Opened here rather than lazily by the stream, so a missing file is an error of this call.
      const handle = await fs.open(path.join(dir, key));
      return handle.createReadStream();
    },
    remove(key) {
      return fs.rm(path.join(dir, key), { force: true });
    },
    close() {},
  };
}
