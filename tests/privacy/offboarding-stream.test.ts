/**
 * The offboarding export streamed (docs/privacy.md, Tenant offboarding, Limits): a tenant with
 * thousands of rows and megabytes of documents exported with a small page size, into the local
 * store and into S3 (MinIO, by multipart upload). Its entries parse and count right, the recorded
 * SHA-256 and size are the stored object's, and the process's memory grows by a fraction of the
 * export's size while it is made. A document missing from the store fails the export and leaves
 * nothing under the export's key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTenantOffboardingActivities, offboardingExportKey } from '../../src/activities/tenant-offboarding';
import { tenantOffboardingWorkflowId } from '../../src/contracts/tenant-offboarding';
import { ClaimDocument, TenantOffboarding, type Claim } from '../../src/models';
import { documentKey, openDocumentStore, type DocumentStore } from '../../src/services/documents';
import { UPLOAD_PART_BYTES } from '../../src/services/documents/s3-store';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { buildClaim, buildUser, buildUsers } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import { unzip } from '../support/zip';

/** Rows per FETCH in these exports: the users alone take 80 pages. */
const PAGE_SIZE = 50;
const USERS = 4000;
const DOCUMENTS = 6;
/** Random, so the ZIP cannot shrink them: 24 MiB of documents, three parts of an S3 upload. */
const DOCUMENT_BYTES = 4 * 1024 * 1024;

/** Bytes of the export between two measurements of memory: six or seven during a 26 MB export. */
const SAMPLE_BYTES = 4 * 1024 * 1024;

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
const lines = (bytes: Buffer) =>
  bytes
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

// Collections on demand: what is measured is memory still in use (live), not garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Live heap and buffers (documents' bytes live outside the heap): what a ZIP held in memory would grow. */
const liveMemory = () => {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

/**
 * The store, its streamed writes measuring the process's live memory each time another SAMPLE_BYTES
 * have reached it: mid-export, when a ZIP made in memory would be live whole. `peak` is the
 * greatest growth over `before`, set by `measureFrom()`.
 */
function measuringStore(store: DocumentStore) {
  const memory = { before: 0, peak: 0 };
  const sample = () => (memory.peak = Math.max(memory.peak, liveMemory() - memory.before));
  const measured: DocumentStore = {
    ...store,
    writeStream(key, { stream, contentType }) {
      let bytes = 0;
      const sampling = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (Math.floor((bytes + chunk.length) / SAMPLE_BYTES) > Math.floor(bytes / SAMPLE_BYTES)) sample();
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      return store.writeStream(key, { stream: stream.pipe(sampling), contentType });
    },
  };
  const measureFrom = () => {
    memory.before = liveMemory();
    memory.peak = 0;
  };
  return { measured, memory, measureFrom };
}

describe('the offboarding export, streamed', () => {
  let stack: TestStack;
  let s3: S3Server;
  let s3Store: DocumentStore;
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-offboarding-stream-'));

  beforeAll(async () => {
    s3 = await startS3Server();
    stack = await startTestStack({ env: { DOCUMENTS_DIR: documentsDir } });
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
    await stack?.close();
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
      workflowId: tenantOffboardingWorkflowId(tenantId),
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

    const { measured, memory, measureFrom } = measuringStore(local);
    measureFrom();
    const result = await exportWith(measured, offboarding.id);
    const size = await checkExport(local, offboarding, seeded);
    expect(result).toEqual({ exportBytes: size });
    expect(size).toBeGreaterThan(DOCUMENTS * DOCUMENT_BYTES);
    // A ZIP made in memory would grow it by its size by the end; streamed, by a page, a chunk or two
    // and the manifest (2.6 to 9.3 MB measured here, the rest being what first runs of code leave).
    expect(memory.peak).toBeLessThan(size / 2);
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
