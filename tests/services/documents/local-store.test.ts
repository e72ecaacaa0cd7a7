/**
 * Documents in the local directory (the default store). When the disk cannot serve: with the
 * directory gone and a file in its place, a claim document's upload and download and a policy
 * schedule's download answer 503 `document_disk` (as an S3 outage answers `s3`), not 500, and record
 * nothing; once the directory is back, the same requests succeed. When the API died after storing an
 * upload's bytes and before recording its row, the upload repeated with its Idempotency-Key completes.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { bearer, buildClaim, buildSubscription, buildUser } from '../../support/factories';
import { startTestStack, type TestStack } from '../../support/stack';
import { backfillScheduleDocuments } from '../../../src/domain/subscriptions/schedule-document';
import { ClaimDocument, PolicyDocument, User, type Claim, type Subscription } from '../../../src/models';
import { documentKey } from '../../../src/services/documents';
import { idFromRequest } from '../../../src/shared/deterministic-id';

const PDF = Buffer.from('%PDF-1.4\n% the roofer invoice\n', 'latin1');

describe('local document store', () => {
  let dir: string;
  let stack: TestStack;
  let claim: Claim;
  let claimantAuth: string;
  let subscription: Subscription;
  let holderAuth: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'local-store-'));
    stack = await startTestStack({ env: { DOCUMENTS_STORAGE: 'local', DOCUMENTS_DIR: dir } });
    claim = await buildClaim();
    claimantAuth = bearer(stack.config, await User.findByPk(claim.claimantId, { rejectOnEmpty: true }));
    const holder = await buildUser({ role: 'policyholder' });
    holderAuth = bearer(stack.config, holder);
    subscription = await buildSubscription({ policyholderId: holder.id, status: 'pending' });
    // Inserted pending and then dated without a run: the dating writes version 1, whose schedule the back-fill makes.
    await subscription.update({ status: 'active', startDate: '2026-03-01', endDate: '2027-03-01' });
    await backfillScheduleDocuments(stack.db.sequelize, stack.services.documents);
  });
  afterAll(async () => {
    await stack?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const upload = (fileName: string) =>
    stack.api
      .post(`/api/v1/claims/${claim.id}/documents`)
      .set('Authorization', claimantAuth)
      .send({ fileName, contentType: 'application/pdf', contentBase64: PDF.toString('base64') });
  const claimDocument = (id: string) => stack.api.get(`/api/v1/documents/${id}/content`).set('Authorization', claimantAuth).buffer(true);
  const schedules = () => `/api/v1/subscriptions/${subscription.id}/documents`;
  const schedule = (id: string) => stack.api.get(`${schedules()}/${id}`).set('Authorization', holderAuth).buffer(true);

  /** A download's body is kept as bytes (`buffer(true)`): its error is JSON in them. */
  function expectDiskOutage(answer: supertest.Response) {
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe(String(stack.config.deadlines.retryAfterSeconds));
    const body = Buffer.isBuffer(answer.body) ? JSON.parse(answer.body.toString('utf8')) : answer.body;
    expect(body.error).toMatchObject({
      code: 'dependency_unavailable',
      details: [expect.objectContaining({ dependency: 'document_disk' })],
    });
  }

  it('answers 503 document_disk for uploads and downloads while the directory is a file, records nothing, and serves again once it is back', async () => {
    const stored = (await upload('invoice.pdf').expect(201)).body;
    const listed = await stack.api.get(schedules()).set('Authorization', holderAuth).expect(200);
    const [policySchedule] = listed.body.items;

    const moved = `${dir}.away`;
    await fs.rename(dir, moved);
    await fs.writeFile(dir, 'not a directory');
    try {
      const documentsBefore = await ClaimDocument.count({ where: { claimId: claim.id } });
      expectDiskOutage(await upload('estimate.pdf'));
      expect(await ClaimDocument.count({ where: { claimId: claim.id } })).toBe(documentsBefore);
      expectDiskOutage(await claimDocument(stored.id));
      expectDiskOutage(await schedule(policySchedule.id));
    } finally {
      await fs.rm(dir);
      await fs.rename(moved, dir);
    }

    expect((await claimDocument(stored.id).expect(200)).body).toEqual(PDF);
    const pdf = (await schedule(policySchedule.id).expect(200)).body as Buffer;
    expect(pdf.length).toBe(policySchedule.sizeBytes);
    await upload('estimate.pdf').expect(201);
    expect(await PolicyDocument.count({ where: { subscriptionId: subscription.id } })).toBe(1);
  });

  it('completes an upload repeated with its Idempotency-Key after the API died between storing its bytes and recording its row', async () => {
    const key = 'upload-cut-short-by-a-crash';
    const documentId = idFromRequest('claim-document', claim.claimantId, key, claim.id);
    // What the killed API left: part of the bytes under the document's key, no row, no answer.
    const file = path.join(dir, documentKey(claim.tenantId, documentId));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, PDF.subarray(0, 8));
    const repeat = () => upload('roof-after-crash.pdf').set('Idempotency-Key', key);

    const answer = await repeat();
    expect({ status: answer.status, id: answer.body.id }).toEqual({ status: 201, id: documentId });
    expect((await claimDocument(documentId).expect(200)).body).toEqual(PDF);
    expect((await repeat().expect(201)).body.id).toBe(documentId);
    expect(await ClaimDocument.count({ where: { claimId: claim.id, fileName: 'roof-after-crash.pdf' } })).toBe(1);
  });
});
