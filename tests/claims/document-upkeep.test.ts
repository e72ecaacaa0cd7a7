/**
 * Upkeep of claim documents on the real API, worker, PostgreSQL and document store: a document's
 * kind set on upload and corrected later (audited), and a document withdrawn by its uploader or a
 * claims manager, with a reason: hidden from the list and from download, its row and its bytes
 * kept, still the tenant admin's to see. Refusals change nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { allRoutes } from '../../src/api/routes';
import { AuditEvent, ClaimDocument, type User } from '../../src/models';
import { createClaimsTeam, type ClaimsTeam } from '../claims/fixtures';
import { bearer, buildSubscription, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';

const PDF = Buffer.from('%PDF-1.4\n% police report, case 4711\n', 'latin1');

interface DocumentAnswer {
  id: string;
  kind: string;
  withdrawnAt: string | null;
  withdrawnById: string | null;
  withdrawalReason: string | null;
}

describe('claim document upkeep (real API, worker, PostgreSQL and store)', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let admin: User;
  let claimId: string;
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-upkeep-documents-'));

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
    team = await createClaimsTeam();
    admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 900, description: 'Stolen bike' })
      .expect(201);
    claimId = filed.body.id;
  });
  afterAll(async () => {
    await stack?.close();
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  function as(user: User) {
    return { Authorization: bearer(stack.config, user) };
  }
  const documentsUrl = () => `/api/v1/claims/${claimId}/documents`;
  const classify = (user: User, id: string, body: string | object) => stack.api.patch(`/api/v1/documents/${id}`).set(as(user)).send(body);
  const withdraw = (user: User, id: string, body: string | object) =>
    stack.api.post(`/api/v1/documents/${id}/withdraw`).set(as(user)).send(body);

  async function upload(user: User, fields: Record<string, unknown> = {}): Promise<DocumentAnswer> {
    const res = await stack.api
      .post(documentsUrl())
      .set(as(user))
      .send({ fileName: 'report.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64'), ...fields })
      .expect(201);
    return res.body as DocumentAnswer;
  }

  async function listedIds(user: User): Promise<string[]> {
    const res = await stack.api.get(`${documentsUrl()}?pageSize=100`).set(as(user)).expect(200);
    return (res.body.items as DocumentAnswer[]).map((d) => d.id);
  }

  async function tenantBytes(): Promise<number> {
    const [row] = await stack.db.sequelize.query<{ bytes: string }>('SELECT document_bytes AS bytes FROM tenants WHERE id = :id', {
      replacements: { id: team.tenant.id },
      type: QueryTypes.SELECT,
    });
    return Number(row.bytes);
  }

  it('takes a kind on upload (other by default) and refuses an unknown one, storing nothing', async () => {
    const report = await upload(team.claimant, { kind: 'police_report' });
    expect(report.kind).toBe('police_report');
    expect((await upload(team.claimant)).kind).toBe('other');
    const before = await ClaimDocument.count({ where: { claimId } });
    const bad = await stack.api
      .post(documentsUrl())
      .set(as(team.claimant))
      .send({ fileName: 'x.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64'), kind: 'selfie' })
      .expect(400);
    expect(bad.body.error.details[0].field).toBe('body.kind');
    expect(await ClaimDocument.count({ where: { claimId } })).toBe(before);
    const event = await AuditEvent.findOne({ where: { entityId: claimId, action: 'claim.document_upload' }, order: [['id', 'ASC']] });
    expect(event?.changes.kind).toEqual({ before: null, after: 'police_report' });
  });

  it("lets the uploader or the staff correct a document's kind, audited; anyone else is refused and nothing changes", async () => {
    const photo = await upload(team.claimant);
    const staffUpload = await upload(team.agent);
    const neighbour = await buildUser({ tenantId: team.tenant.id, role: 'policyholder' });
    const stranger = await buildUser({ role: 'claims_manager' });

    await classify(neighbour, photo.id, { kind: 'photo' }).expect(404);
    await classify(stranger, photo.id, { kind: 'photo' }).expect(404);
    // The claimant sees the agent's upload but it is not theirs to classify.
    await classify(team.claimant, staffUpload.id, { kind: 'photo' }).expect(404);
    for (const body of [{}, { kind: 'selfie' }, { kind: 'photo', fileName: 'renamed.pdf' }]) {
      await classify(team.claimant, photo.id, body).expect(400);
    }
    expect(await ClaimDocument.findByPk(photo.id)).toMatchObject({ kind: 'other', fileName: 'report.pdf' });

    const own = await classify(team.claimant, photo.id, { kind: 'photo' }).expect(200);
    expect(own.body).toMatchObject({ id: photo.id, kind: 'photo' });
    const corrected = await classify(team.adjuster, photo.id, { kind: 'estimate' }).expect(200);
    expect(corrected.body.kind).toBe('estimate');
    expect(await ClaimDocument.findByPk(photo.id)).toMatchObject({ kind: 'estimate' });
    const events = await AuditEvent.findAll({ where: { entityId: claimId, action: 'claim.document_classify' }, order: [['id', 'ASC']] });
    expect(events.map((e) => [e.actorId, e.changes.document])).toEqual([
      [team.claimant.id, { before: { id: photo.id, kind: 'other' }, after: { id: photo.id, kind: 'photo' } }],
      [team.adjuster.id, { before: { id: photo.id, kind: 'photo' }, after: { id: photo.id, kind: 'estimate' } }],
    ]);
  });

  it('lets the uploader or a claims manager withdraw a document: hidden and not served, its row and bytes kept, the tenant admin still sees it', async () => {
    const mine = await upload(team.claimant, { kind: 'invoice' });
    const agents = await upload(team.agent, { kind: 'estimate' });
    const bytesBefore = await tenantBytes();

    await withdraw(team.adjuster, mine.id, { reason: 'not mine' }).expect(404);
    await withdraw(team.claimant, agents.id, { reason: 'not mine' }).expect(404);
    await withdraw(admin, agents.id, { reason: 'tidy up' }).expect(404);
    for (const body of [{}, { reason: '' }, { reason: 'r'.repeat(501) }]) await withdraw(team.claimant, mine.id, body).expect(400);
    expect(await ClaimDocument.findByPk(mine.id)).toMatchObject({ withdrawnAt: null });

    const own = await withdraw(team.claimant, mine.id, { reason: 'Uploaded the wrong invoice' }).expect(200);
    expect(own.body).toMatchObject({ id: mine.id, withdrawnById: team.claimant.id, withdrawalReason: 'Uploaded the wrong invoice' });
    const managed = await withdraw(team.manager, agents.id, { reason: 'Belongs to another claim' }).expect(200);
    expect(managed.body).toMatchObject({ withdrawnById: team.manager.id, withdrawnAt: expect.any(String) });

    // Gone from the lists and from download for everyone but the tenant admin.
    for (const user of [team.claimant, team.adjuster, admin])
      expect(await listedIds(user)).toEqual(expect.not.arrayContaining([mine.id, agents.id]));
    await stack.api.get(`/api/v1/documents/${mine.id}/content`).set(as(team.claimant)).expect(404);
    await stack.api.get(`/api/v1/documents/${agents.id}/content`).set(as(team.manager)).expect(404);
    await classify(team.adjuster, agents.id, { kind: 'photo' }).expect(404);
    await withdraw(team.manager, agents.id, { reason: 'again' }).expect(404);
    await stack.api.get(`${documentsUrl()}?includeWithdrawn=true`).set(as(team.claimant)).expect(403);
    await stack.api.get(`${documentsUrl()}?includeWithdrawn=true`).set(as(team.manager)).expect(403);

    const adminView = await stack.api.get(`${documentsUrl()}?includeWithdrawn=true&pageSize=100`).set(as(admin)).expect(200);
    const shown = (adminView.body.items as DocumentAnswer[]).find((d) => d.id === agents.id);
    expect(shown).toMatchObject({ kind: 'estimate', withdrawnById: team.manager.id, withdrawalReason: 'Belongs to another claim' });
    const schema = allRoutes(stack.config).find((r) => r.method === 'get' && r.path === '/claims/:id/documents')!.response.schema!;
    expect(schema.validate(adminView.body, { allowUnknown: false }).error).toBeUndefined();
    const content = await stack.api.get(`/api/v1/documents/${mine.id}/content`).set(as(admin)).buffer(true).expect(200);
    expect(Buffer.compare(content.body as Buffer, PDF)).toBe(0);
    // The admin sees a withdrawn document but changes it no more (409).
    const frozen = await classify(admin, mine.id, { kind: 'photo' }).expect(409);
    expect(frozen.body.error.details).toEqual([expect.objectContaining({ rule: 'withdrawn' })]);

    // Nothing deleted: the rows, the bytes in the store, the tenant's byte count; the audit trail says who, when and why.
    const rows = await ClaimDocument.findAll({ where: { id: [mine.id, agents.id] } });
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(fs.existsSync(path.join(documentsDir, row.storageKey))).toBe(true);
    expect(await tenantBytes()).toBe(bytesBefore);
    const event = await AuditEvent.findOne({ where: { entityId: claimId, action: 'claim.document_withdraw', actorId: team.claimant.id } });
    expect(event?.changes.document).toEqual({
      before: { id: mine.id, withdrawnAt: null, withdrawnById: null, withdrawalReason: null },
      after: {
        id: mine.id,
        withdrawnAt: own.body.withdrawnAt,
        withdrawnById: team.claimant.id,
        withdrawalReason: 'Uploaded the wrong invoice',
      },
    });
  });
});
