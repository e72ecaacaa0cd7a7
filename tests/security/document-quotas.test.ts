/**
 * Upload quotas and repeated uploads on the real API, PostgreSQL, document directory and Temporal
 * dev server with a real worker: a burst of uploads past the per-claim quota stores exactly the
 * quota; a tenant's bytes are capped across its claims; the documents list is paged like every
 * list; an upload repeated with its Idempotency-Key stores and signals one document; a document
 * signal delivered twice is taken once by the claim's run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { ClaimDocument, IdempotencyRecord, OutboxMessage, type Claim, type User } from '../../src/models';
import { claimStateQuery, documentUploadedSignal } from '../../src/contracts/claim';
import { createClaimsTeam, type ClaimsTeam } from '../claims/fixtures';
import { bearer, buildClaim, buildSubscription } from '../support/factories';
import { testConfig } from '../support/config';
import { startTestStack, TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

const MAX_PER_CLAIM = 5;
const MAX_BYTES_PER_TENANT = 8192;

/** A PDF of exactly `size` bytes whose content tells it from the others. */
function pdf(label: string, size = 64): Buffer {
  const head = Buffer.from(`%PDF-1.4\n% ${label}\n`, 'latin1');
  return Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);
}

describe('document quotas and repeated uploads', () => {
  let stack: TestStack;
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-quota-documents-'));

  beforeAll(async () => {
    stack = await startTestStack({
      worker: true,
      env: {
        DOCUMENTS_DIR: documentsDir,
        DOCUMENTS_MAX_PER_CLAIM: String(MAX_PER_CLAIM),
        DOCUMENTS_MAX_BYTES_PER_TENANT: String(MAX_BYTES_PER_TENANT),
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  const upload = (claimId: string, by: User, content: Buffer, key?: string) => {
    const request = stack.api.post(`/api/v1/claims/${claimId}/documents`).set('Authorization', bearer(stack.config, by));
    if (key) request.set('Idempotency-Key', key);
    return request.send({ fileName: 'evidence.pdf', contentType: 'application/pdf', contentBase64: content.toString('base64') });
  };
  const filesOf = (tenantId: string) =>
    fs.existsSync(path.join(documentsDir, tenantId)) ? fs.readdirSync(path.join(documentsDir, tenantId)).length : 0;
  const tenantBytes = async (tenantId: string) => {
    const [row] = await stack.db.sequelize.query<{ bytes: string }>('SELECT document_bytes AS bytes FROM tenants WHERE id = :tenantId', {
      replacements: { tenantId },
      type: QueryTypes.SELECT,
    });
    return Number(row.bytes);
  };
  const signalsTo = (workflowId: string) => OutboxMessage.count({ where: { kind: 'signal', workflowId } });
  async function claimOf(team: ClaimsTeam): Promise<Claim> {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    return buildClaim({ subscriptionId: subscription.id });
  }

  it('lets a concurrent burst past the per-claim quota store exactly the quota and refuses the rest with 422 quota_exceeded', async () => {
    const team = await createClaimsTeam();
    const claim = await claimOf(team);
    const contents = Array.from({ length: 12 }, (_, i) => pdf(`burst ${i}`));

    const answers = await Promise.all(contents.map((content) => upload(claim.id, team.claimant, content)));

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(MAX_PER_CLAIM).fill(201), ...Array(12 - MAX_PER_CLAIM).fill(422)]);
    for (const refused of answers.filter((a) => a.status === 422)) {
      expect(refused.body.error).toMatchObject({
        code: 'quota_exceeded',
        details: [{ quota: 'documents_per_claim', limit: MAX_PER_CLAIM, used: MAX_PER_CLAIM }],
      });
    }
    expect(await ClaimDocument.count({ where: { claimId: claim.id } })).toBe(MAX_PER_CLAIM);
    expect(await signalsTo(claim.workflowId)).toBe(MAX_PER_CLAIM);
    // The refused uploads' bytes are not left in the store.
    expect(filesOf(team.tenant.id)).toBe(MAX_PER_CLAIM);
    expect(await tenantBytes(team.tenant.id)).toBe(MAX_PER_CLAIM * 64);
  });

  it("caps the tenant's bytes across its claims, under a concurrent burst, and leaves other tenants alone", async () => {
    const team = await createClaimsTeam();
    const claims = await Promise.all([claimOf(team), claimOf(team), claimOf(team)]);
    // Two of these fit in 8,192 bytes (6,000), a third would not (9,000).
    const burst = claims.flatMap((claim, i) => [
      upload(claim.id, team.agent, pdf(`big ${i}a`, 3000)),
      upload(claim.id, team.agent, pdf(`big ${i}b`, 3000)),
    ]);

    const answers = await Promise.all(burst);

    expect(answers.filter((a) => a.status === 201)).toHaveLength(2);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(4);
    for (const answer of refused) {
      expect(answer.status).toBe(422);
      expect(answer.body.error).toMatchObject({
        code: 'quota_exceeded',
        details: [{ field: 'contentBase64', quota: 'document_bytes_per_tenant', limit: MAX_BYTES_PER_TENANT, used: 6000, requested: 3000 }],
      });
    }
    expect(await ClaimDocument.count({ where: { tenantId: team.tenant.id } })).toBe(2);
    expect(filesOf(team.tenant.id)).toBe(2);
    expect(await tenantBytes(team.tenant.id)).toBe(6000);

    // What is left still fits, to the byte; another tenant has its own allowance.
    await upload(claims[0].id, team.agent, pdf('last fit', MAX_BYTES_PER_TENANT - 6000)).expect(201);
    await upload(claims[1].id, team.agent, Buffer.from('%PDF-', 'latin1')).expect(422);
    expect(await tenantBytes(team.tenant.id)).toBe(MAX_BYTES_PER_TENANT);
    const neighbour = await createClaimsTeam();
    await upload((await claimOf(neighbour)).id, neighbour.claimant, pdf('other tenant', 3000)).expect(201);
  });

  it('pages the documents list with page and pageSize like every list, oldest first', async () => {
    const team = await createClaimsTeam();
    const claim = await claimOf(team);
    const ids: string[] = [];
    for (const label of ['first', 'second', 'third']) ids.push((await upload(claim.id, team.claimant, pdf(label)).expect(201)).body.id);
    const list = (query: string) =>
      stack.api.get(`/api/v1/claims/${claim.id}/documents${query}`).set('Authorization', bearer(stack.config, team.adjuster));

    const first = await list('?pageSize=2').expect(200);
    expect(first.body.items.map((d: { id: string }) => d.id)).toEqual(ids.slice(0, 2));
    expect(first.body.pagination).toEqual({ page: 1, pageSize: 2, total: 3, totalIsExact: true, hasMore: true, totalPages: 2 });
    expect(first.body.items[0]).not.toHaveProperty('storageKey');
    const second = await list('?pageSize=2&page=2').expect(200);
    expect(second.body.items.map((d: { id: string }) => d.id)).toEqual(ids.slice(2));
    expect((await list('?pageSize=101').expect(400)).body.error.code).toBe('validation_failed');
  });

  it("refuses a per-claim quota above what a claim's run takes, and a quota that is not a positive whole number, naming the variable", () => {
    const configWith = (env: Record<string, string>) => () => testConfig({ databaseUrl: 'postgres://127.0.0.1/insurflow', env });
    expect(configWith({ DOCUMENTS_MAX_PER_CLAIM: '1001' })).toThrow('"DOCUMENTS_MAX_PER_CLAIM" must be less than or equal to 1000');
    expect(configWith({ DOCUMENTS_MAX_PER_CLAIM: '0' })).toThrow('DOCUMENTS_MAX_PER_CLAIM');
    expect(configWith({ DOCUMENTS_MAX_BYTES_PER_TENANT: '1.5' })).toThrow('DOCUMENTS_MAX_BYTES_PER_TENANT');
    expect(testConfig({ databaseUrl: 'postgres://127.0.0.1/insurflow' }).documentQuota).toEqual({
      maxPerClaim: 100,
      maxBytesPerTenant: 10 * 1024 ** 3,
    });
  });

  describe('with the claim running', () => {
    let team: ClaimsTeam;
    let claim: { id: string; workflow: { workflowId: string } };

    beforeAll(async () => {
      team = await createClaimsTeam();
      const subscription = await buildSubscription({ policyholderId: team.claimant.id });
      const filed = await stack.api
        .post('/api/v1/claims')
        .set('Authorization', bearer(stack.config, team.claimant))
        .send({
          subscriptionId: subscription.id,
          incidentDate: subscription.startDate,
          amountClaimed: 800,
          description: 'Storm tore the fence down',
        })
        .expect(201);
      claim = filed.body;
    });

    const documentIdsOfRun = (expected: number) =>
      eventually(
        async () => (await stack.temporal.workflow.getHandle(claim.workflow.workflowId).query(claimStateQuery)).documentIds,
        (ids) => ids.length >= expected,
        'the run to list the documents',
      );

    it('stores and signals an upload repeated with its Idempotency-Key once, even when its answer was lost', async () => {
      const content = pdf('repeated upload');
      const first = await upload(claim.id, team.claimant, content, 'upload-once-1').expect(201);
      const replayed = await upload(claim.id, team.claimant, content, 'upload-once-1').expect(201);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.id).toBe(first.body.id);

      // The answer lost (the process died after the commit): the repeat runs again and finds the document it stored.
      await IdempotencyRecord.update(
        { responseStatus: null, responseBody: null, failedAt: new Date() },
        { where: { key: 'upload-once-1' } },
      );
      const rerun = await upload(claim.id, team.claimant, content, 'upload-once-1').expect(201);
      expect(rerun.headers['idempotent-replayed']).toBeUndefined();
      expect(rerun.body.id).toBe(first.body.id);

      // The key stays bound to its request.
      expect((await upload(claim.id, team.claimant, pdf('another file'), 'upload-once-1').expect(422)).body.error.code).toBe(
        'idempotency_key_reused',
      );

      expect(await ClaimDocument.count({ where: { claimId: claim.id } })).toBe(1);
      expect(await signalsTo(claim.workflow.workflowId)).toBe(1);
      expect(await documentIdsOfRun(1)).toEqual([first.body.id]);
    });

    it('takes a document signal delivered twice once', async () => {
      const handle = stack.temporal.workflow.getHandle(claim.workflow.workflowId);
      const before = (await handle.query(claimStateQuery)).documentIds;
      const repeated = { documentId: '5b0c6f0e-3c55-4c1e-9b59-7f1f3f0b2a10', fileName: 'photo.pdf', uploadedById: team.claimant.id };
      await handle.signal(documentUploadedSignal, repeated);
      await handle.signal(documentUploadedSignal, repeated);
      const after = await handle.query(claimStateQuery);
      expect(after.documentIds).toEqual([...before, repeated.documentId]);
    });
  });
});
