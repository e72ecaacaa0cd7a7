/**
 * Claim documents in an S3 bucket on a real MinIO server, shared by two API hosts: what one stores
 * the other serves byte for byte; a store that hangs or is gone answers 503 within its deadline
 * and leaves nothing recorded; hostile uploads are refused before anything reaches the bucket.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import supertest from 'supertest';
import { createApp } from '../../../src/api/app';
import { loadConfig } from '../../../src/config';
import { AuditEvent, ClaimDocument, OutboxMessage, User, type Claim } from '../../../src/models';
import { DocumentStoreUnavailable, openDocumentStore, type DocumentStore } from '../../../src/services/documents';
import { MINIO_VERSION } from '../../../scripts/local/minio';
import { startS3Server, type S3Server } from '../../../scripts/local/s3-server';
import { bearer, buildClaim } from '../../support/factories';
import { startTestStack, type TestStack } from '../../support/stack';

/** The API hosts' store deadline: three times what a 400 KiB upload took on a loaded 2-core machine (0.56 s). */
const STORE_TIMEOUT_MS = 1500;
/**
 * The deadline of the host that meets the hung store, which stores no large upload: short, so the
 * answer's bound leaves twice the deadline for what a loaded 2-core machine adds around it (the
 * answers came at most 0.1 s after their deadline there), and is still well under a hang.
 */
const HUNG_STORE_TIMEOUT_MS = 750;
const ANSWER_WITHIN_MS = HUNG_STORE_TIMEOUT_MS + 1500;
const PDF = Buffer.from('%PDF-1.4\n% the roofer invoice\n', 'latin1');

/** A PNG-signed document of `size` random bytes: large enough to arrive in many chunks. */
function png(size: number): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, crypto.randomBytes(size - signature.length)]);
}

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

describe('document storage configuration', () => {
  const base = { DATABASE_URL: 'postgres://insurflow@127.0.0.1/insurflow', JWT_SECRET: crypto.randomBytes(36).toString('base64') };

  it('keeps documents in the local directory unless told otherwise', () => {
    expect(loadConfig(base).documents).toEqual({ kind: 'local', dir: '.data/documents' });
  });

  it('refuses an S3 store without a bucket, with a malformed bucket name or with half a key pair, naming the variable', () => {
    const s3 = { ...base, DOCUMENTS_STORAGE: 's3' };
    expect(() => loadConfig(s3)).toThrow(/S3_BUCKET/);
    expect(() => loadConfig({ ...s3, S3_BUCKET: 'Claims_Bucket' })).toThrow(/S3_BUCKET/);
    expect(() => loadConfig({ ...s3, S3_BUCKET: 'claims', S3_ACCESS_KEY_ID: 'insurflow' })).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(() => loadConfig({ ...s3, S3_BUCKET: 'claims', S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT/);
    expect(() => loadConfig({ ...base, DOCUMENTS_STORAGE: 'ftp' })).toThrow(/DOCUMENTS_STORAGE/);
    expect(loadConfig({ ...s3, S3_BUCKET: 'claims', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' }).documents).toEqual({
      kind: 's3',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      bucket: 'claims',
      credentials: undefined,
      forcePathStyle: true,
      timeoutMs: 5000,
    });
  });

  it('builds the MinIO of the Docker image at the version the tests run', () => {
    expect(fs.readFileSync(path.join(__dirname, '../../../docker/minio.Dockerfile'), 'utf8')).toContain(
      `ARG MINIO_VERSION=${MINIO_VERSION}\n`,
    );
  });
});

describe('claim documents in S3 (MinIO), shared by two API hosts', () => {
  let s3: S3Server;
  /** API host A: the test stack's app. */
  let stack: TestStack;
  /** API host B: another app with a store of its own on the same database and bucket. */
  let storeB: DocumentStore;
  let serverB: Server;
  let apiB: ReturnType<typeof supertest.agent>;
  /** Looks into the bucket directly, past both APIs. */
  let bucketClient: S3Client;
  let claim: Claim;
  let claimant: User;
  const bucket = `claims-${crypto.randomUUID()}`;

  beforeAll(async () => {
    s3 = await startS3Server();
    // The bucket does not exist yet: opening the store at start-up creates it.
    stack = await startTestStack({ env: { ...s3.env(bucket), S3_TIMEOUT_MS: String(STORE_TIMEOUT_MS) } });
    storeB = await openDocumentStore(stack.config.documents);
    serverB = createApp({ ...stack.services, documents: storeB }).listen(0, '127.0.0.1');
    apiB = supertest.agent(serverB);
    bucketClient = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    claim = await buildClaim();
    claimant = await User.findByPk(claim.claimantId, { rejectOnEmpty: true });
  });

  afterAll(async () => {
    s3?.resume();
    if (serverB) await new Promise((resolve) => serverB.close(resolve));
    storeB?.close();
    bucketClient?.destroy();
    await stack?.close();
    await s3?.stop();
  });

  const auth = () => ({ Authorization: bearer(stack.config, claimant) });
  const upload = (body: Record<string, unknown>) => stack.api.post(`/api/v1/claims/${claim.id}/documents`).set(auth()).send(body);
  const download = (documentId: string) => apiB.get(`/api/v1/documents/${documentId}/content`).set(auth()).buffer(true);
  const objectsOfTenant = async () => {
    const listed = await bucketClient.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${claim.tenantId}/` }));
    return (listed.Contents ?? []).map((o) => [o.Key, o.Size]);
  };

  async function timed(request: PromiseLike<supertest.Response>): Promise<{ response: supertest.Response; ms: number }> {
    const started = Date.now();
    const response = await request;
    return { response, ms: Date.now() - started };
  }

  /** Answered 503 s3 once its store's deadline had passed (the deadline is what ended the wait), well before a hang would. */
  function expectStoreOutage({ response, ms }: { response: supertest.Response; ms: number }) {
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe(String(stack.config.deadlines.retryAfterSeconds));
    expect(response.body.error).toMatchObject({ code: 'dependency_unavailable', details: [expect.objectContaining({ dependency: 's3' })] });
    expect(ms).toBeGreaterThanOrEqual(HUNG_STORE_TIMEOUT_MS);
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
  }

  it('stores an upload through API A in the bucket it created at start-up, and API B serves it byte for byte', async () => {
    await bucketClient.send(new HeadBucketCommand({ Bucket: bucket }));
    const photo = png(400 * 1024);

    const uploaded = await upload({ fileName: 'roof.png', contentType: 'image/png', contentBase64: photo.toString('base64') }).expect(201);
    expect(uploaded.body).toMatchObject({ fileName: 'roof.png', contentType: 'image/png', sizeBytes: photo.length, sha256: sha256(photo) });
    expect(await objectsOfTenant()).toContainEqual([`${claim.tenantId}/${uploaded.body.id}`, photo.length]);

    const served = await download(uploaded.body.id).expect(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['content-length']).toBe(String(photo.length));
    expect(served.headers['content-disposition']).toBe('attachment; filename="roof.png"');
    expect(served.headers.etag).toBe(`"${sha256(photo)}"`);
    expect(served.headers['cache-control']).toBe('no-store');
    expect(sha256(served.body as Buffer)).toBe(sha256(photo));
    expect(Buffer.compare(served.body as Buffer, photo)).toBe(0);
  });

  it('has the bucket refuse bytes that do not match the sha256 the row would record', async () => {
    const key = `${claim.tenantId}/${crypto.randomUUID()}`;
    const digestOfOther = sha256(Buffer.from('%PDF-1.4 another file'));
    await expect(
      stack.services.documents.write(key, { bytes: PDF, contentType: 'application/pdf', sha256: digestOfOther }),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect((await objectsOfTenant()).map(([stored]) => stored)).not.toContain(key);
  });

  it('stores a stream as a multipart upload (an export) that the other host reads, and a failed stream leaves nothing', async () => {
    // Larger than one 8 MiB part, so the upload has two.
    const bytes = png(9 * 1024 * 1024);
    const key = `${claim.tenantId}/exports/${crypto.randomUUID()}.zip`;
    await stack.services.documents.writeStream(key, {
      stream: Readable.from([bytes.subarray(0, 1 << 20), bytes.subarray(1 << 20)]),
      contentType: 'application/zip',
    });
    const read = await storeB.read(key);
    const chunks: Buffer[] = [];
    for await (const chunk of read) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes));

    const failing = Readable.from(
      (async function* () {
        yield bytes;
        throw new Error('the export failed half-way');
      })(),
    );
    await expect(
      stack.services.documents.writeStream(`${key}.failed`, { stream: failing, contentType: 'application/zip' }),
    ).rejects.toThrow('half-way');
    expect((await objectsOfTenant()).map(([stored]) => stored)).not.toContain(`${key}.failed`);
    await storeB.remove(key);
    await expect(storeB.read(key)).rejects.toThrow();
  });

  it('answers 503 within the deadline while the store hangs (SIGSTOP), records nothing, and works again after SIGCONT', async () => {
    const stored = await upload({ fileName: 'before.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') }).expect(
      201,
    );
    const rowsOf = async () => ({
      documents: await ClaimDocument.count({ where: { claimId: claim.id } }),
      signals: await OutboxMessage.count({ where: { workflowId: claim.workflowId } }),
      audits: await AuditEvent.count({ where: { entityId: claim.id, action: 'claim.document_upload' } }),
    });
    const before = await rowsOf();
    // A third API host on the same database and bucket, with the short deadline.
    if (stack.config.documents.kind !== 's3') throw new Error('the stack stores documents in S3');
    const impatient = { ...stack.config.documents, timeoutMs: HUNG_STORE_TIMEOUT_MS };
    const storeC = await openDocumentStore(impatient);
    const apiC = supertest(createApp({ ...stack.services, documents: storeC }).callback());

    await s3.pause();
    try {
      expectStoreOutage(
        await timed(
          apiC
            .post(`/api/v1/claims/${claim.id}/documents`)
            .set(auth())
            .send({ fileName: 'during.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') }),
        ),
      );
      expectStoreOutage(await timed(apiC.get(`/api/v1/documents/${stored.body.id}/content`).set(auth()).buffer(true)));
      // A host starting now gives up at the deadline instead of waiting for the store.
      const started = Date.now();
      await expect(openDocumentStore(impatient)).rejects.toBeInstanceOf(DocumentStoreUnavailable);
      expect(Date.now() - started).toBeGreaterThanOrEqual(HUNG_STORE_TIMEOUT_MS);
      expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
    } finally {
      s3.resume();
      storeC.close();
    }
    expect(await rowsOf()).toEqual(before);

    const after = await upload({ fileName: 'after.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') }).expect(
      201,
    );
    expect(Buffer.compare((await download(after.body.id).expect(200)).body as Buffer, PDF)).toBe(0);
    expect(Buffer.compare((await download(stored.body.id).expect(200)).body as Buffer, PDF)).toBe(0);
  });

  it('refuses documents of the wrong type, with lying content or too large, and nothing reaches the bucket', async () => {
    const rowsBefore = await ClaimDocument.count({ where: { claimId: claim.id } });
    const objectsBefore = await objectsOfTenant();
    await upload({
      fileName: 'run.sh',
      contentType: 'application/x-sh',
      contentBase64: Buffer.from('#!/bin/sh').toString('base64'),
    }).expect(400);
    const lying = await upload({ fileName: 'x.png', contentType: 'image/png', contentBase64: PDF.toString('base64') }).expect(422);
    expect(lying.body.error.details[0].field).toBe('contentBase64');
    await upload({ fileName: 'big.png', contentType: 'image/png', contentBase64: png(512 * 1024 + 1).toString('base64') }).expect(422);
    await upload({ fileName: '../../etc/passwd', contentType: 'application/pdf', contentBase64: PDF.toString('base64') }).expect(400);
    expect(await ClaimDocument.count({ where: { claimId: claim.id } })).toBe(rowsBefore);
    expect(await objectsOfTenant()).toEqual(objectsBefore);
  });
});
