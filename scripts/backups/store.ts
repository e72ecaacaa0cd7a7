/**
 * Where backups are kept (docs/production.md, Backups and point-in-time restore): a local directory
 * (the start command) or a bucket of an S3-compatible store (compose's MinIO, AWS S3). Every object
 * is encrypted before it leaves the machine with AES-256-GCM under BACKUP_ENCRYPTION_KEY, its name
 * bound in as associated data, so an object renamed or swapped for another fails to decrypt rather
 * than being restored in the wrong place. Objects are whole files: a WAL segment (16 MiB) or one base
 * backup's tar, which goes to S3 in parts once it is larger than one part (S3 takes at most 5 GB in one PUT).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';

/** Version 1 of the format: MAGIC, a 12-byte nonce, the ciphertext, GCM's 16-byte tag. */
const MAGIC = Buffer.from('IFB1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface BackupStore {
  /** Where it is, for messages and the backup list. */
  describe: string;
  /** Encrypts the file at `from` and keeps it as `key`. */
  put(key: string, from: string): Promise<void>;
  /** The object `key`, decrypted and authenticated, written to `to` (nothing is left at `to` when it does not authenticate). */
  get(key: string, to: string): Promise<void>;
  /** Plain JSON kept beside the encrypted objects (a backup's manifest: times and WAL positions, no data). */
  putJson(key: string, value: unknown): Promise<void>;
  getJson<T>(key: string): Promise<T | undefined>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

export function parseEncryptionKey(value: string | undefined): Buffer {
  const key = Buffer.from(value ?? '', 'base64');
  if (key.length !== 32) throw new Error('BACKUP_ENCRYPTION_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
  return key;
}

async function encryptFile(key: Buffer, name: string, from: string, to: string): Promise<void> {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from(name));
  const out = fs.createWriteStream(to);
  out.write(Buffer.concat([MAGIC, nonce]));
  await pipeline(fs.createReadStream(from), cipher, out, { end: false });
  await new Promise<void>((resolve, reject) => out.end(cipher.getAuthTag(), () => resolve()).once('error', reject));
}

async function decryptFile(key: Buffer, name: string, from: string, to: string): Promise<void> {
  const size = fs.statSync(from).size;
  if (size < MAGIC.length + NONCE_BYTES + TAG_BYTES) throw new Error(`${name}: not a backup object`);
  const header = Buffer.alloc(MAGIC.length + NONCE_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  const fd = fs.openSync(from, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
    fs.readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`${name}: not a backup object`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length)).setAAD(Buffer.from(name)).setAuthTag(tag);
  try {
    // The tag is checked when the stream ends: a tampered object or a wrong key fails here.
    await pipeline(fs.createReadStream(from, { start: header.length, end: size - TAG_BYTES - 1 }), decipher, fs.createWriteStream(to));
  } catch (err) {
    fs.rmSync(to, { force: true });
    throw new Error(`${name} does not decrypt with BACKUP_ENCRYPTION_KEY (wrong key, or the object was altered)`, { cause: err });
  }
}

/** A scratch file beside `file`, removed after `work` whatever happens. */
async function withScratch<T>(file: string, work: (scratch: string) => Promise<T>): Promise<T> {
  const scratch = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    return await work(scratch);
  } finally {
    fs.rmSync(scratch, { force: true });
  }
}

export function localStore(dir: string, key: Buffer): BackupStore {
  const at = (name: string) => path.join(dir, ...name.split('/'));
  /** Written beside its place and renamed into it: a reader never sees half an object. */
  const place = async (name: string, write: (tmp: string) => Promise<void>) => {
    fs.mkdirSync(path.dirname(at(name)), { recursive: true });
    await withScratch(at(name), async (tmp) => {
      await write(tmp);
      fs.renameSync(tmp, at(name));
    });
  };
  const walk = (folder: string): string[] =>
    fs.existsSync(folder)
      ? fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
          const full = path.join(folder, entry.name);
          if (entry.isDirectory()) return walk(full);
          return entry.name.endsWith('.tmp') ? [] : [path.relative(dir, full).split(path.sep).join('/')];
        })
      : [];
  return {
    describe: dir,
    put: (name, from) => place(name, (tmp) => encryptFile(key, name, from, tmp)),
    get: (name, to) => decryptFile(key, name, at(name), to),
    putJson: (name, value) => place(name, async (tmp) => fs.writeFileSync(tmp, JSON.stringify(value, null, 2))),
    getJson: async (name) => (fs.existsSync(at(name)) ? JSON.parse(fs.readFileSync(at(name), 'utf8')) : undefined),
    list: async (prefix) =>
      walk(dir)
        .filter((name) => name.startsWith(prefix))
        .sort(),
    delete: async (name) => fs.rmSync(at(name), { force: true }),
  };
}

export interface S3StoreSettings {
  endpoint?: string;
  region: string;
  bucket: string;
  prefix: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  /** An object larger than this goes up in parts of this size (DEFAULT_PART_BYTES; at least S3's MIN_PART_BYTES). */
  partBytes?: number;
}

/** S3's least part size (every part but the last) and most parts per upload. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** 64 MiB parts: a WAL segment goes in one PUT; 10,000 parts hold 625 GiB before the parts grow. */
const DEFAULT_PART_BYTES = 64 * 1024 * 1024;

export async function s3Store(settings: S3StoreSettings, key: Buffer): Promise<BackupStore & { close(): void }> {
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: settings.credentials,
    forcePathStyle: settings.forcePathStyle,
  });
  const Bucket = settings.bucket;
  const Key = (name: string) => `${settings.prefix}${name}`;
  const partBytes = settings.partBytes ?? DEFAULT_PART_BYTES;
  if (partBytes < MIN_PART_BYTES) throw new Error(`a part of a multipart upload is at least ${MIN_PART_BYTES} bytes, not ${partBytes}`);
  try {
    await client.send(new HeadBucketCommand({ Bucket }));
  } catch (err) {
    if (!(err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) throw err;
    await client.send(new CreateBucketCommand({ Bucket }));
  }
  const download = async (name: string, to: string): Promise<boolean> => {
    try {
      const { Body } = await client.send(new GetObjectCommand({ Bucket, Key: Key(name) }));
      await pipeline(Body as NodeJS.ReadableStream, fs.createWriteStream(to));
      return true;
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
      throw err;
    }
  };
  /**
   * The file at `file` as the object `name`: one PUT up to a part's size, else a multipart upload, its
   * parts one after the other (the agent's other work waits anyway). The object appears only when the
   * upload completes; an upload that fails is aborted, so its parts are not kept (and billed).
   */
  const upload = async (name: string, file: string): Promise<void> => {
    const size = fs.statSync(file).size;
    if (size <= partBytes) {
      await client.send(new PutObjectCommand({ Bucket, Key: Key(name), Body: fs.createReadStream(file), ContentLength: size }));
      return;
    }
    const part = Math.max(partBytes, Math.ceil(size / MAX_PARTS));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: Key(name) }));
    try {
      const parts: CompletedPart[] = [];
      for (let start = 0; start < size; start += part) {
        const end = Math.min(size, start + part);
        const PartNumber = parts.length + 1;
        const { ETag } = await client.send(
          new UploadPartCommand({
            Bucket,
            Key: Key(name),
            UploadId,
            PartNumber,
            Body: fs.createReadStream(file, { start, end: end - 1 }),
            ContentLength: end - start,
          }),
        );
        parts.push({ ETag, PartNumber });
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket, Key: Key(name), UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key: Key(name), UploadId })).catch(() => undefined);
      throw err;
    }
  };
  return {
    describe: `s3://${Bucket}/${settings.prefix}`,
    put: (name, from) =>
      withScratch(from, async (sealed) => {
        await encryptFile(key, name, from, sealed);
        await upload(name, sealed);
      }),
    get: (name, to) =>
      withScratch(to, async (sealed) => {
        if (!(await download(name, sealed))) throw new Error(`${name} is not in ${Bucket}`);
        await decryptFile(key, name, sealed, to);
      }),
    putJson: async (name, value) => {
      await client.send(
        new PutObjectCommand({ Bucket, Key: Key(name), Body: JSON.stringify(value, null, 2), ContentType: 'application/json' }),
      );
    },
    getJson: (name) =>
      withScratch(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'manifest'), async (file) =>
        (await download(name, file)) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined,
      ),
    list: async (prefix) => {
      const names: string[] = [];
      for (let token: string | undefined; ;) {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: Key(prefix), ContinuationToken: token }));
        names.push(...(page.Contents ?? []).map((object) => object.Key!.slice(settings.prefix.length)));
        token = page.NextContinuationToken;
        if (!token) return names.sort();
      }
    },
    delete: async (name) => {
      await client.send(new DeleteObjectCommand({ Bucket, Key: Key(name) }));
    },
    close: () => client.destroy(),
  };
}
