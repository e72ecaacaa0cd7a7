/**
 * The backup store's S3 side (scripts/backups/store.ts) on a real S3-compatible server (MinIO): a
 * base backup larger than one part goes up as a multipart upload, since S3 takes at most 5 GB in one
 * PUT (docs/production.md, Backups and point-in-time restore). The part size is S3's least, 5 MiB,
 * so a file of a few parts proves what a 6 GB tar in 64 MiB parts does.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { MIN_PART_BYTES, parseEncryptionKey, s3Store } from '../../scripts/backups/store';

const BUCKET = 'backup-store-test';
/** What encryption adds to an object: the format's magic, the nonce and GCM's tag. */
const SEALING_BYTES = 4 + 12 + 16;

describe('the S3 backup store', () => {
  const key = parseEncryptionKey(crypto.randomBytes(32).toString('base64'));
  let s3: S3Server;
  let client: S3Client;
  let dir: string;

  beforeAll(async () => {
    s3 = await startS3Server();
    client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      forcePathStyle: true,
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-store-'));
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (partBytes: number) =>
    s3Store(
      {
        endpoint: s3.endpoint,
        region: s3.region,
        bucket: BUCKET,
        prefix: '',
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        forcePathStyle: true,
        partBytes,
      },
      key,
    );

  it('puts an object larger than a part as a multipart upload, one part per part size, and gets it back whole', async () => {
    const store = await open(MIN_PART_BYTES);
    try {
      const tar = path.join(dir, 'base.tar');
      fs.writeFileSync(tar, crypto.randomBytes(2 * MIN_PART_BYTES + 12_345));
      await store.put('base/b1/base.tar', tar);
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'base/b1/base.tar' }));
      // S3's ETag of an object made of parts ends with their count; a single PUT's is the body's MD5.
      expect(head.ETag).toMatch(/-3"$/);
      expect(head.ContentLength).toBe(fs.statSync(tar).size + SEALING_BYTES);
      // Nothing left half done: the upload completed, no parts wait in the bucket.
      expect((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
      const back = path.join(dir, 'back.tar');
      await store.get('base/b1/base.tar', back);
      expect(fs.readFileSync(back).equals(fs.readFileSync(tar))).toBe(true);

      // An object up to a part's size (a WAL segment under the default 64 MiB) goes in one PUT.
      const segment = path.join(dir, 'segment');
      fs.writeFileSync(segment, crypto.randomBytes(MIN_PART_BYTES - SEALING_BYTES));
      await store.put('wal/000000010000000000000001', segment);
      const single = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'wal/000000010000000000000001' }));
      expect(single.ETag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(await store.list('')).toEqual(['base/b1/base.tar', 'wal/000000010000000000000001']);
    } finally {
      store.close();
    }
  });

  it("refuses a part size below S3's least (5 MiB), before anything is sent", async () => {
    await expect(open(MIN_PART_BYTES - 1)).rejects.toThrow(`a part of a multipart upload is at least ${MIN_PART_BYTES} bytes`);
  });
});
