/**
 * A person's erasure on the real API, worker, PostgreSQL, Temporal and document store
 * (docs/privacy.md, Erasure, retention and legal holds): what no law keeps is deleted (uploaded
 * documents and their files, tokens), the person's free text is erased, their name and address
 * pseudonymised, the claim's figures kept; another person is untouched. A legal hold refuses the
 * erasure and changes nothing, its release lets it proceed, and one placed after the request stops
 * the run before its next step. Refusals: other tenants' users, other roles, bad bodies.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPrivacyErasureActivities } from '../../src/activities/privacy-erasure';
import { allRoutes } from '../../src/api/routes';
import { privacyErasureRun } from '../../src/contracts/privacy-erasure';
import {
  AuditEvent,
  Claim,
  ClaimDocument,
  ClaimHistory,
  ClaimNote,
  ClaimNoteRevision,
  PersonDataKey,
  PrivacyErasure,
  PrivacyExport,
  PrivacyLegalHold,
  RefreshToken,
  Subscription,
  type Tenant,
  User,
} from '../../src/models';
import { bearer, buildSubscription, buildTenant, buildTenantWithAdmin, buildUser, TEST_PASSWORD } from '../support/factories';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { eventually } from '../support/waiting';

const PDF = Buffer.from('%PDF-1.4\n% photo of the damage\n', 'latin1');

interface TableBody {
  deleted: number;
  pseudonymised: number;
  kept: number;
  keepUntil: string | null;
}

interface ErasureBody {
  id: string;
  userId: string;
  status: string;
  stepsDone: string[];
  tables: Record<string, TableBody>;
  workflowId: string;
}

/** A policyholder with a policy, a claim carrying a document they uploaded and a note under their name, and sessions. */
interface Person {
  user: User;
  subscription: Subscription;
  claim: Claim;
  documentId: string;
  noteId: string;
}

describe('privacy: erasure with retention and legal holds', () => {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-erasure-documents-'));
  const stack = testStackOfBlock({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
  let tenant: Tenant;
  let admin: User;
  let officer: User;
  let adjuster: User;
  let manager: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  let keys = 0;
  const key = () => `erasure-test-${Date.now()}-${(keys += 1)}`;

  beforeAll(async () => {
    ({ tenant, admin } = await buildTenantWithAdmin());
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
  });
  afterAll(async () => {
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  /** Denies the claim, which its run then closes: what an erasure waits for. */
  async function closeClaim(claim: Claim): Promise<Claim> {
    await stack.api.post(`/api/v1/claims/${claim.id}/assign`).set(as(manager)).send({ assigneeId: adjuster.id }).expect(200);
    const move = (body: object) => stack.api.post(`/api/v1/claims/${claim.id}/transitions`).set(as(adjuster)).send(body).expect(200);
    await move({ to: 'under_review' });
    await move({ to: 'denied', reason: 'Not covered: gradual seepage' });
    return eventually(
      () => Claim.findByPk(claim.id, { rejectOnEmpty: true }),
      (row) => row.status === 'closed',
      `claim ${claim.claimNumber} closed`,
    );
  }

  /** A policyholder with a claim (closed unless `open`), a document and a note of theirs on it, and two refresh tokens. */
  async function personWithClaim({ open = false } = {}): Promise<Person> {
    const user = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const subscription = await buildSubscription({ policyholderId: user.id });
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(user))
      .send({
        subscriptionId: subscription.id,
        incidentDate: subscription.startDate,
        amountClaimed: 1200,
        description: 'Water came through my ceiling',
      })
      .expect(201);
    const claim = (await Claim.findByPk(filed.body.id as string))!;
    const uploaded = await stack.api
      .post(`/api/v1/claims/${claim.id}/documents`)
      .set(as(user))
      .send({ fileName: 'ceiling.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') })
      .expect(201);
    // A note under the person's name, corrected once (its earlier text kept as a revision).
    const note = await ClaimNote.create({ tenantId: tenant.id, claimId: claim.id, authorId: user.id, body: 'I was away until Monday' });
    await ClaimNoteRevision.create({
      tenantId: tenant.id,
      noteId: note.id,
      revision: 1,
      body: 'I was away until Sunday',
      writtenAt: new Date(),
      replacedAt: new Date(),
    });
    for (let i = 0; i < 2; i += 1)
      await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    return { user, subscription, claim: open ? claim : await closeClaim(claim), documentId: uploaded.body.id as string, noteId: note.id };
  }

  const requestErasure = (userId: string, by: User = admin, idempotencyKey = key()) =>
    stack.api
      .post('/api/v1/privacy/erasures')
      .set(as(by))
      .set('Idempotency-Key', idempotencyKey)
      .send({ userId, reason: 'Data subject request 2026-114' });

  const finished = (id: string) =>
    eventually(
      async () => (await stack.api.get(`/api/v1/privacy/erasures/${id}`).set(as(admin)).expect(200)).body as ErasureBody,
      (erasure) => erasure.status === 'completed' || erasure.status === 'blocked',
      `erasure ${id} finished`,
      30_000,
    );

  /** The answer matches its route's declared response schema, which the OpenAPI document publishes. */
  const conforms = (method: string, routePath: string, body: unknown) => {
    const spec = allRoutes(stack.config).find((r) => r.method === method && r.path === routePath)!;
    expect(spec.response.schema!.validate(body, { allowUnknown: false, abortEarly: false }).error?.message).toBeUndefined();
  };

  const documentFile = async (documentId: string) => {
    const row = await ClaimDocument.findByPk(documentId);
    return row ? path.join(documentsDir, row.storageKey) : null;
  };

  it('deletes documents and tokens, erases the notes, pseudonymises the person and keeps the claim; another person is untouched', async () => {
    // The year the kept rows are counted from, which a New Year's midnight during the test would change.
    const year = Number((await utcDayLasting()).slice(0, 4));
    const person = await personWithClaim();
    const other = await personWithClaim();
    const staffNote = await stack.api
      .post(`/api/v1/claims/${person.claim.id}/notes`)
      .set(as(adjuster))
      .send({ body: 'Called the claimant back' })
      .expect(201);
    const file = (await documentFile(person.documentId))!;
    const otherFile = (await documentFile(other.documentId))!;
    expect(fs.existsSync(file)).toBe(true);
    expect(await RefreshToken.count({ where: { userId: person.user.id } })).toBe(2);
    // A copy of their data gathered for them and not downloaded yet.
    const exported = await stack.api.post('/api/v1/privacy/exports').set(as(admin)).send({ userId: person.user.id }).expect(202);
    const ready = await eventually(
      () => PrivacyExport.findByPk(exported.body.id, { rejectOnEmpty: true }),
      (row) => row.status === 'ready',
      'the export gathered',
    );
    const zip = path.join(documentsDir, ready.storageKey!);
    expect(fs.existsSync(zip)).toBe(true);

    const started = await requestErasure(person.user.id).expect(202);
    expect(started.body).toMatchObject({ userId: person.user.id, workflowId: privacyErasureRun.id(started.body.id) });
    const erasure = await finished(started.body.id);
    expect(erasure.status).toBe('completed');
    conforms('post', '/privacy/erasures', started.body);
    conforms('get', '/privacy/erasures/:id', erasure);
    await recordHistory(stack.temporal.workflow.getHandle(erasure.workflowId), 'privacyErasureWorkflow');

    // The claim keeps its figures, stage and number; the description the person wrote is erased.
    const claim = (await Claim.findByPk(person.claim.id))!;
    expect(claim).toMatchObject({
      claimNumber: person.claim.claimNumber,
      amountClaimed: person.claim.amountClaimed,
      status: person.claim.status,
      claimantId: person.user.id,
      description: '[erased]',
    });
    // The users row: a pseudonym at the reserved domain, inactive; neither address signs in.
    const user = (await User.findByPk(person.user.id))!;
    expect(user.fullName).toMatch(/^erased-[0-9a-f]{16}$/);
    expect(user.email).toBe(`${user.fullName}@erased.invalid`);
    expect(user.isActive).toBe(false);
    for (const email of [person.user.email, user.email]) {
      await stack.api.post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD }).expect(401);
    }
    // Their note's text and its revision are gone, the rows kept; the adjuster's note is not theirs.
    expect((await ClaimNote.findByPk(person.noteId))!.body).toBe('[erased]');
    expect(await ClaimNoteRevision.findAll({ where: { noteId: person.noteId } })).toEqual([expect.objectContaining({ body: '[erased]' })]);
    expect((await ClaimNote.findByPk(staffNote.body.id as string))!.body).toBe('Called the claimant back');
    // The document: row and file gone. The tokens: gone.
    expect(await ClaimDocument.findByPk(person.documentId)).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
    expect(await RefreshToken.count({ where: { userId: person.user.id } })).toBe(0);
    expect(await Subscription.findByPk(person.subscription.id)).toMatchObject({ policyholderId: person.user.id, holderPhone: null });

    // The record: per table, deleted or pseudonymised, and until when the kept ones stay.
    const tenYears = `${year + 10}`;
    expect(erasure.tables.claim_documents).toMatchObject({ deleted: 1, keepUntil: null });
    expect(erasure.tables.refresh_tokens).toMatchObject({ deleted: 2 });
    expect(erasure.tables.claim_notes).toMatchObject({ pseudonymised: 1 });
    expect(erasure.tables.claim_note_revisions).toMatchObject({ pseudonymised: 1 });
    expect(erasure.tables.claims).toMatchObject({ pseudonymised: 1, kept: 0 });
    // A day, as the document says (YYYY-MM-DD), not an instant.
    expect(erasure.tables.claims.keepUntil).toMatch(new RegExp(`^${tenYears}-\\d{2}-\\d{2}$`));
    expect(erasure.tables.users).toMatchObject({ pseudonymised: 1 });
    expect(erasure.tables.users.keepUntil?.startsWith(tenYears)).toBe(true);
    expect(erasure.stepsDone).toEqual([
      'documents',
      'exports',
      'written_text',
      'tokens',
      'payees',
      'subscriptions',
      'policy_changes',
      'quotes',
      'acknowledgements',
      'mails',
      'data_key',
      'user',
      'policy_documents',
    ]);
    expect(await PrivacyExport.findByPk(exported.body.id)).toMatchObject({ status: 'expired' });
    expect(fs.existsSync(zip)).toBe(false);
    // What their runs' histories carry of them is sealed with this key: now nobody can open it.
    expect(await PersonDataKey.findByPk(person.user.id)).toMatchObject({ dataKey: null, destroyedAt: expect.any(Date) });
    // Every step audited, by IDs and counts only.
    const events = await AuditEvent.findAll({ where: { entityId: erasure.id }, order: [['occurredAt', 'ASC']] });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['privacy_erasure.request', 'privacy_erasure.step', 'privacy_erasure.completed']),
    );
    expect(JSON.stringify(events.map((e) => e.changes))).not.toContain(person.user.email);

    // The other person: untouched.
    expect(await User.findByPk(other.user.id)).toMatchObject({ fullName: other.user.fullName, email: other.user.email, isActive: true });
    expect((await ClaimNote.findByPk(other.noteId))!.body).toBe('I was away until Monday');
    expect(await ClaimDocument.findByPk(other.documentId)).not.toBeNull();
    expect(fs.existsSync(otherFile)).toBe(true);
    expect(await RefreshToken.count({ where: { userId: other.user.id } })).toBe(2);

    // A repeat with the same Idempotency-Key reaches the same erasure.
    const repeatKey = key();
    const first = await requestErasure(other.user.id, admin, repeatKey).expect(202);
    const again = await requestErasure(other.user.id, admin, repeatKey).expect(202);
    expect(again.body.id).toBe(first.body.id);
    expect((await finished(first.body.id)).status).toBe('completed');
  });

  it('refuses the erasure of a claimant whose claim is open with 409 claim_open naming it, changing nothing; once it is closed it proceeds', async () => {
    const person = await personWithClaim({ open: true });
    const refused = await requestErasure(person.user.id).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'claim_open',
      details: [
        {
          field: 'userId',
          rule: 'claim_open',
          claimId: person.claim.id,
          claimNumber: person.claim.claimNumber,
          message: expect.any(String),
        },
      ],
    });
    // What the claim's assessment, its mails and its payments need stays: document, name, address, account.
    expect(await PrivacyErasure.count({ where: { userId: person.user.id } })).toBe(0);
    expect(await User.findByPk(person.user.id)).toMatchObject({ fullName: person.user.fullName, email: person.user.email, isActive: true });
    expect(await ClaimDocument.findByPk(person.documentId)).not.toBeNull();
    expect(await RefreshToken.count({ where: { userId: person.user.id } })).toBe(2);

    await closeClaim(person.claim);
    const started = await requestErasure(person.user.id).expect(202);
    expect((await finished(started.body.id)).status).toBe('completed');
    expect((await User.findByPk(person.user.id))!.fullName).toMatch(/^erased-/);
  });

  it('refuses to reopen a claim of an erased claimant with 409 claimant_erased, changing nothing', async () => {
    const person = await personWithClaim();
    const erasure = await requestErasure(person.user.id).expect(202);
    expect((await finished(erasure.body.id)).status).toBe('completed');
    const before = (await Claim.findByPk(person.claim.id, { rejectOnEmpty: true })).toJSON();
    const histories = await ClaimHistory.count({ where: { claimId: person.claim.id } });

    const refused = await stack.api
      .post(`/api/v1/claims/${person.claim.id}/reopen`)
      .set(as(manager))
      .send({ reason: 'The contractor sent a second invoice' })
      .expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'claimant_erased',
      details: [{ field: 'claimantId', rule: 'claimant_erased', message: expect.any(String) }],
    });
    // Still closed under its old run: no new run, no history entry, no audit event.
    expect((await Claim.findByPk(person.claim.id, { rejectOnEmpty: true })).toJSON()).toEqual(before);
    expect(await ClaimHistory.count({ where: { claimId: person.claim.id } })).toBe(histories);
    expect(await AuditEvent.count({ where: { entityId: person.claim.id, action: 'claim.reopen' } })).toBe(0);
  });

  it("refuses a held person's erasure with 409 legal_hold, changing nothing; after the release it proceeds", async () => {
    const year = Number((await utcDayLasting()).slice(0, 4));
    const person = await personWithClaim();
    const placed = await stack.api
      .post('/api/v1/privacy/holds')
      .set(as(officer))
      .set('Idempotency-Key', key())
      .send({ userId: person.user.id, reason: 'Litigation 2026-7' })
      .expect(201);
    expect(placed.body).toMatchObject({ userId: person.user.id, placedById: officer.id, releasedAt: null });

    const refused = await requestErasure(person.user.id).expect(409);
    expect(refused.body.error.code).toBe('legal_hold');
    expect(await PrivacyErasure.count({ where: { userId: person.user.id } })).toBe(0);
    expect(await User.findByPk(person.user.id)).toMatchObject({ fullName: person.user.fullName, isActive: true });
    expect(await ClaimDocument.findByPk(person.documentId)).not.toBeNull();

    const listed = await stack.api.get(`/api/v1/privacy/holds?userId=${person.user.id}&active=true`).set(as(admin)).expect(200);
    conforms('post', '/privacy/holds', placed.body);
    conforms('get', '/privacy/holds', listed.body);
    expect(listed.body.items.map((h: { id: string }) => h.id)).toEqual([placed.body.id]);

    const released = await stack.api.post(`/api/v1/privacy/holds/${placed.body.id}/release`).set(as(admin)).expect(200);
    expect(released.body).toMatchObject({ releasedById: admin.id, releasedAt: expect.any(String) });
    conforms('post', '/privacy/holds/:id/release', released.body);
    const active = await stack.api.get(`/api/v1/privacy/holds?userId=${person.user.id}&active=true`).set(as(officer)).expect(200);
    expect(active.body.items).toEqual([]);

    // The tenant keeps claims 7 years instead of 10; the users row stays as long as the longest rule.
    const settings = await stack.api.get('/api/v1/tenant/settings').set(as(admin)).expect(200);
    expect(settings.body).toMatchObject({ retentionYearsClaims: 10, retentionYearsInvoices: 10, retentionYearsAcknowledgements: 6 });
    for (const years of [0, 101, 2.5]) {
      await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ retentionYearsClaims: years }).expect(400);
    }
    await stack.api.put('/api/v1/tenant/settings').set(as(officer)).send({ retentionYearsClaims: 7 }).expect(403);
    await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ retentionYearsClaims: 7 }).expect(200);

    const started = await requestErasure(person.user.id).expect(202);
    const erasure = await finished(started.body.id);
    expect(erasure.status).toBe('completed');
    expect(erasure.tables.claims.keepUntil?.slice(0, 4)).toBe(`${year + 7}`);
    expect(erasure.tables.subscriptions.keepUntil?.slice(0, 4)).toBe(`${year + 10}`);
    expect(erasure.tables.users.keepUntil?.slice(0, 4)).toBe(`${year + 10}`);
    expect((await User.findByPk(person.user.id))!.fullName).toMatch(/^erased-/);
    expect(await ClaimDocument.findByPk(person.documentId)).toBeNull();
  });

  it('stops before its next step once a hold is placed after the request (blocked), and a repeated step repeats nothing', async () => {
    const person = await personWithClaim();
    // The run's activity on its own, so a hold can come between two steps.
    const erasure = await PrivacyErasure.create({
      id: crypto.randomUUID(),
      tenantId: tenant.id,
      userId: person.user.id,
      requestedById: admin.id,
      reason: 'Data subject request',
      workflowId: privacyErasureRun.id('between-steps'),
    });
    const { eraseNextStep } = createPrivacyErasureActivities(stack.deps);
    const step = () => new MockActivityEnvironment().run(eraseNextStep, { erasureId: erasure.id });

    expect(await step()).toEqual({ finished: false, status: 'running', step: 'documents' });
    expect(await ClaimDocument.findByPk(person.documentId)).toBeNull();
    await stack.api.post('/api/v1/privacy/holds').set(as(admin)).send({ userId: person.user.id, reason: 'Regulator inquiry' }).expect(201);
    expect(await step()).toEqual({ finished: true, status: 'blocked', step: null });
    expect(await step()).toEqual({ finished: true, status: 'blocked', step: null });

    await erasure.reload();
    expect(erasure).toMatchObject({ status: 'blocked', stepsDone: ['documents'] });
    expect(erasure.tables.claim_documents).toMatchObject({ deleted: 1 });
    expect((await ClaimNote.findByPk(person.noteId))!.body).toBe('I was away until Monday');
    expect(await User.findByPk(person.user.id)).toMatchObject({ fullName: person.user.fullName, isActive: true });
    expect(await RefreshToken.count({ where: { userId: person.user.id } })).toBe(2);
  });

  it('refuses other roles (403), other tenants and unknown users (404) and bad bodies (400), changing nothing', async () => {
    const person = await personWithClaim();
    const otherTenant = await buildTenant();
    const stranger = await buildUser({ tenantId: otherTenant.id, role: 'policyholder' });
    const otherAdmin = await buildUser({ tenantId: otherTenant.id, role: 'tenant_admin' });

    for (const role of ['policyholder', 'claims_manager', 'compliance_officer'] as const) {
      const caller = await buildUser({ tenantId: tenant.id, role });
      await requestErasure(person.user.id, caller).expect(403);
    }
    await requestErasure(person.user.id, person.user).expect(403);
    await requestErasure(stranger.id).expect(404);
    await requestErasure(person.user.id, otherAdmin).expect(404);
    await requestErasure(crypto.randomUUID()).expect(404);
    await stack.api.post('/api/v1/privacy/holds').set(as(admin)).send({ userId: stranger.id, reason: 'x' }).expect(404);
    await stack.api.post('/api/v1/privacy/holds').set(as(adjuster)).send({ userId: person.user.id, reason: 'x' }).expect(403);
    await stack.api.get('/api/v1/privacy/holds').set(as(person.user)).expect(403);

    const bodies = [
      {},
      { userId: person.user.id },
      { userId: 'not-a-uuid', reason: 'why' },
      { userId: person.user.id, reason: '' },
      { userId: person.user.id, reason: 'x'.repeat(501) },
      { userId: person.user.id, reason: 'bell\u0007' },
      { userId: person.user.id, reason: 'why', status: 'completed' },
    ];
    for (const body of bodies) {
      await stack.api.post('/api/v1/privacy/erasures').set(as(admin)).send(body).expect(400);
      await stack.api.post('/api/v1/privacy/holds').set(as(admin)).send(body).expect(400);
    }
    await stack.api.get('/api/v1/privacy/erasures/not-a-uuid').set(as(admin)).expect(400);
    const { body: document } = await stack.api.get('/api/openapi.json').expect(200);
    const erasurePost = document.paths['/api/v1/privacy/erasures'].post;
    expect(Object.keys(erasurePost.responses)).toEqual(expect.arrayContaining(['202', '400', '403', '404', '409']));
    expect(erasurePost.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key' })]));
    expect(document.paths['/api/v1/privacy/holds/{id}/release'].post.responses).toHaveProperty('200');
    const mine = await requestErasure(person.user.id).expect(202);
    await stack.api.get(`/api/v1/privacy/erasures/${mine.body.id}`).set(as(otherAdmin)).expect(404);
    await stack.api.get(`/api/v1/workflows/${mine.body.workflowId}`).set(as(otherAdmin)).expect(404);
    await stack.api.get(`/api/v1/workflows/${mine.body.workflowId}`).set(as(admin)).expect(200);

    expect(await PrivacyErasure.count({ where: { userId: [stranger.id] } })).toBe(0);
    expect(await PrivacyErasure.count({ where: { userId: person.user.id } })).toBe(1);
    expect(await PrivacyLegalHold.count({ where: { userId: [person.user.id, stranger.id] } })).toBe(0);
    await finished(mine.body.id);
  });

  it("erases the reasons a member of staff gave for withdrawing others' notes and documents, keeping who withdrew them and when", async () => {
    const person = await personWithClaim();
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    const note = await stack.api
      .post(`/api/v1/claims/${person.claim.id}/notes`)
      .set(as(adjuster))
      .send({ body: 'Spoke to the neighbour' })
      .expect(201);
    const reason = 'Wrong claim: my mistake, Kerstin Vogel';
    await stack.api.post(`/api/v1/claims/${person.claim.id}/notes/${note.body.id}/withdraw`).set(as(manager)).send({ reason }).expect(200);
    await stack.api.post(`/api/v1/documents/${person.documentId}/withdraw`).set(as(manager)).send({ reason }).expect(200);

    const erasure = await finished((await requestErasure(manager.id).expect(202)).body.id);
    expect(erasure.status).toBe('completed');
    const withdrawn = { withdrawalReason: '[erased]', withdrawnById: manager.id, withdrawnAt: expect.any(Date) };
    expect(await ClaimNote.findByPk(note.body.id as string)).toMatchObject({ body: 'Spoke to the neighbour', ...withdrawn });
    expect(await ClaimDocument.findByPk(person.documentId)).toMatchObject(withdrawn);
    expect(erasure.tables.claim_notes).toMatchObject({ pseudonymised: 1 });
    expect(erasure.tables.claim_documents).toMatchObject({ deleted: 0, pseudonymised: 1 });
  });

  it('keeps the document a claims agent uploaded on a customer’s claim, whether the agent or the customer is erased: it is the claim’s record', async () => {
    const person = await personWithClaim({ open: true });
    const agent = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const uploaded = await stack.api
      .post(`/api/v1/claims/${person.claim.id}/documents`)
      .set(as(agent))
      .send({
        fileName: 'medical report.pdf',
        contentType: 'application/pdf',
        contentBase64: PDF.toString('base64'),
        kind: 'medical_report',
      })
      .expect(201);
    const agentsUpload = (await documentFile(uploaded.body.id as string))!;
    const kept = async () => ({ row: !!(await ClaimDocument.findByPk(uploaded.body.id as string)), file: fs.existsSync(agentsUpload) });

    const agentErased = await finished((await requestErasure(agent.id).expect(202)).body.id);
    expect(agentErased.status).toBe('completed');
    expect(agentErased.tables.claim_documents).toMatchObject({ deleted: 0 });
    expect(await kept()).toEqual({ row: true, file: true });

    // Once the claim is closed, the customer's own upload goes with their erasure; the agent's stays with the claim until its kept records are deleted.
    await closeClaim(person.claim);
    const personErased = await finished((await requestErasure(person.user.id).expect(202)).body.id);
    expect(personErased.status).toBe('completed');
    expect(personErased.tables.claim_documents).toMatchObject({ deleted: 1 });
    expect(await ClaimDocument.findByPk(person.documentId)).toBeNull();
    expect(await kept()).toEqual({ row: true, file: true });
  });

  it('erases a member of staff with nothing but an account', async () => {
    const bare = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const started = await requestErasure(bare.id).expect(202);
    const erasure = await finished(started.body.id);
    expect(erasure.status).toBe('completed');
    expect(erasure.tables.claim_documents).toEqual({ deleted: 0, pseudonymised: 0, kept: 0, keepUntil: null });
    expect(await User.findByPk(bare.id)).toMatchObject({ isActive: false, email: expect.stringMatching(/@erased\.invalid$/) });
  });
});
