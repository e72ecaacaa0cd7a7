/**
 * The offboarding export streamed (docs/privacy.md, Tenant offboarding, Limits): a tenant with
 * thousands of rows and megabytes of documents exported with a small page size, into the local
 * store and into S3 (MinIO, by multipart upload). Its entries parse and count right, the recorded
 * SHA-256 and size are the stored object's, and what the export holds between reading a document
 * and the store taking it stays a few stream buffers while it is made. A document missing from
 * the store fails the export and leaves nothing under the export's key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTenantOffboardingActivities, offboardingExportKey } from '../../src/activities/tenant-offboarding';
import { tenantOffboardingRun } from '../../src/contracts/tenant-offboarding';
import { ClaimDocument, TenantOffboarding, type Claim } from '../../src/models';
import { documentKey, openDocumentStore, type DocumentStore } from '../../src/services/documents';
import { UPLOAD_PART_BYTES } from '../../src/services/documents/s3-store';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { buildClaim, buildUser, buildUsers } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { unzip } from '../support/zip';

/** Rows per FETCH in these exports: the users alone take 80 pages. */
const PAGE_SIZE = 50;
const USERS = 4000;
const DOCUMENTS = 6;
/** Random, so the ZIP cannot shrink them: 24 MiB of documents, three parts of an S3 upload. */
const DOCUMENT_BYTES = 4 * 1024 * 1024;
/** What the export may hold between reading a document and the store taking it: a few stream buffers, not a document. */
const MAX_AHEAD_BYTES = 1024 * 1024;

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
const lines = (bytes: Buffer) =>
  bytes
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A pass-through that adds the length of each chunk to `count` before passing it on. */
const countingInto = (count: (bytes: number) => void) =>
  new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count(chunk.length);
      done(null, chunk);
    },
  });

/**
 * The store, counting the documents' bytes read from it and the export's bytes written to it.
 * Each time a chunk of the export reaches it, `maxAhead` keeps the greatest lead of the bytes read
 * over the bytes written: what the export holds between the two. A ZIP made in memory would have
 * read every document before its first byte is written; a streamed one holds a chunk or two.
 * (The live memory of the process measured the same, but it moves by tens of MB with what the
 * test files run before this one in the same Jest worker leave to be freed.)
 */
function measuringStore(store: DocumentStore) {
  const flow = { read: 0, written: 0, maxAhead: 0 };
  const measured: DocumentStore = {
    ...store,
    async read(key) {
      // A failed read fails the counted stream too, as it would fail the store's own.
      return pipeline(
        await store.read(key),
        countingInto((bytes) => (flow.read += bytes)),
        () => undefined,
      );
    },
    writeStream(key, { stream, contentType }) {
      const counted = countingInto((bytes) => {
        flow.maxAhead = Math.max(flow.maxAhead, flow.read - flow.written);
        flow.written += bytes;
      });
      return store.writeStream(key, { stream: stream.pipe(counted), contentType });
    },
  };
  return { measured, flow };
}

describe('the offboarding export, streamed', () => {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-offboarding-stream-'));
  const stack = testStackOfBlock({ env: { DOCUMENTS_DIR: documentsDir } });
  let s3: S3Server;
  let s3Store: DocumentStore;

  beforeAll(async () => {
    s3 = await startS3Server();
    s3Store = await openDocumentStore({
      kind: 's3',
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: 'offboarding-exports',
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      forcePathStyle: true,
      timeoutMs: 30_000,
    });
  }, 120_000);
  afterAll(async () => {
    s3Store?.close();
    await s3?.stop();
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  /** A tenant with USERS users (one insert) and a claim with DOCUMENTS documents in `store`; answers it with the documents' bytes by key. */
  async function seedTenant(store: DocumentStore): Promise<{ claim: Claim; documents: Map<string, Buffer> }> {
    const claim = await buildClaim();
    const tenantId = claim.tenantId;
    await buildUsers(USERS, tenantId);
    const documents = new Map<string, Buffer>();
    const rows = [];
    for (let i = 0; i < DOCUMENTS; i += 1) {
      const id = crypto.randomUUID();
      const bytes = crypto.randomBytes(DOCUMENT_BYTES);
      const key = documentKey(tenantId, id);
      await store.write(key, { bytes, contentType: 'application/octet-stream', sha256: sha256(bytes) });
      documents.set(key, bytes);
      rows.push({
        id,
        tenantId,
        claimId: claim.id,
        uploadedById: claim.claimantId,
        fileName: `photo-${i}.bin`,
        contentType: 'application/octet-stream',
        sizeBytes: bytes.length,
        sha256: sha256(bytes),
        storageKey: key,
      });
    }
    await ClaimDocument.bulkCreate(rows);
    return { claim, documents };
  }

  /** An offboarding request of the tenant as the approval leaves it: running, no export yet. */
  async function runningOffboarding(tenantId: string): Promise<TenantOffboarding> {
    const [asker, approver] = [await buildUser({ role: 'platform_admin' }), await buildUser({ role: 'platform_admin' })];
    return TenantOffboarding.create({
      id: crypto.randomUUID(),
      offboardedTenantId: tenantId,
      status: 'running',
      reason: 'Contract ended',
      requestedById: asker.id,
      decidedById: approver.id,
      decidedAt: new Date(),
      workflowId: tenantOffboardingRun.id(tenantId),
    });
  }

  const exportWith = (store: DocumentStore, offboardingId: string) =>
    new MockActivityEnvironment().run(
      createTenantOffboardingActivities({ ...stack.deps, documents: store }, { exportPageSize: PAGE_SIZE }).exportTenant,
      { offboardingId },
    );

  /** The stored export checked against the record and the tenant's rows and documents; answers its size. */
  async function checkExport(store: DocumentStore, offboarding: TenantOffboarding, seeded: Awaited<ReturnType<typeof seedTenant>>) {
    await offboarding.reload();
    const key = offboardingExportKey(seeded.claim.tenantId, offboarding.id);
    expect(offboarding.exportKey).toBe(key);
    const zip = await buffer(await store.read(key));
    expect(offboarding.exportSha256).toBe(sha256(zip));
    expect(offboarding.exportBytes).toBe(zip.length);

    const files = await unzip(zip);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as {
      files: { name: string; sha256: string; bytes: number; rows?: number }[];
    };
    expect(manifest.files.map((file) => file.name).sort()).toEqual([...files.keys()].filter((name) => name !== 'manifest.json').sort());
    for (const file of manifest.files) {
      expect(sha256(files.get(file.name)!)).toBe(file.sha256);
      expect(files.get(file.name)!.length).toBe(file.bytes);
      if (file.rows !== undefined) expect(lines(files.get(file.name)!)).toHaveLength(file.rows);
    }
    // The tenant's users: the seeded ones, the policyholder of the claim, no password hash.
    const users = lines(files.get('tables/users.jsonl')!);
    expect(users).toHaveLength(USERS + 1);
    expect(new Set(users.map((user) => user.id)).size).toBe(USERS + 1);
    expect(users.every((user) => user.tenant_id === seeded.claim.tenantId && !('password_hash' in user))).toBe(true);
    expect(lines(files.get('tables/claim_documents.jsonl')!)).toHaveLength(DOCUMENTS);
    expect(lines(files.get('tables/claims.jsonl')!).map((claim) => claim.id)).toEqual([seeded.claim.id]);
    for (const [documentKeyOf, bytes] of seeded.documents) expect(files.get(`documents/${documentKeyOf}`)!.equals(bytes)).toBe(true);
    return zip.length;
  }

  it('streams a tenant of thousands of rows and megabytes of documents into the local store, memory bounded', async () => {
    const local = stack.deps.documents!;
    const seeded = await seedTenant(local);
    const offboarding = await runningOffboarding(seeded.claim.tenantId);

    const { measured, flow } = measuringStore(local);
    const result = await exportWith(measured, offboarding.id);
    const size = await checkExport(local, offboarding, seeded);
    expect(result).toEqual({ exportBytes: size });
    expect(size).toBeGreaterThan(DOCUMENTS * DOCUMENT_BYTES);
    // Every document was read through the store, and never more than a chunk or two ahead of what it took.
    expect(flow.read).toBe(DOCUMENTS * DOCUMENT_BYTES);
    expect(flow.maxAhead).toBeLessThan(MAX_AHEAD_BYTES);
    // Nothing is left beside it.
    expect(fs.readdirSync(path.join(documentsDir, 'offboarding', seeded.claim.tenantId))).toEqual([`${offboarding.id}.zip`]);
  }, 240_000);

  it('streams the export into S3 by a multipart upload whose object is the recorded one', async () => {
    const seeded = await seedTenant(s3Store);
    const offboarding = await runningOffboarding(seeded.claim.tenantId);
    const result = await exportWith(s3Store, offboarding.id);
    const size = await checkExport(s3Store, offboarding, seeded);
    expect(result).toEqual({ exportBytes: size });
    expect(size).toBeGreaterThan(2 * UPLOAD_PART_BYTES);
  }, 240_000);

  it('fails the export when a document is missing from the store, leaving nothing under its key', async () => {
    for (const store of [stack.deps.documents!, s3Store]) {
      const seeded = await seedTenant(store);
      const offboarding = await runningOffboarding(seeded.claim.tenantId);
      await store.remove([...seeded.documents.keys()][DOCUMENTS - 1]);
      await expect(exportWith(store, offboarding.id)).rejects.toThrow();
      await expect(store.read(offboardingExportKey(seeded.claim.tenantId, offboarding.id))).rejects.toThrow();
      expect(await TenantOffboarding.findByPk(offboarding.id, { rejectOnEmpty: true })).toMatchObject({
        exportSha256: null,
        exportKey: null,
      });
    }
    expect(
      fs.readdirSync(path.join(documentsDir, 'offboarding')).flatMap((dir) => fs.readdirSync(path.join(documentsDir, 'offboarding', dir))),
    ).not.toContainEqual(expect.stringMatching(/\.partial$/));
  }, 240_000);
});
