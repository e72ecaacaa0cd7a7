/**
 * The claims API end to end on the dev server: real API, real worker, real PostgreSQL, real
 * SMTP sink. Files a claim, drives it to paid through HTTP, and checks rows, mails, statuses
 * and the refusals (4xx, nothing changed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Claim, ClaimDocument, ClaimHistory, ClaimNote, ClaimPayment, type Subscription, type User } from '../../src/models';
import { apiKeyHeader } from '../support/api-keys';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';
import { eventually } from '../support/waiting';
import { ClaimsTeam, createClaimsTeam } from './fixtures';

const PDF = Buffer.from('%PDF-1.4\n% invoice of the plumber\n', 'latin1');

describe('claims API (dev server, end to end)', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let subscription: Subscription;
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-documents-'));

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
  });
  afterAll(async () => {
    await stack?.close();
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const fileBody = (fields: Record<string, unknown> = {}) => ({
    subscriptionId: subscription.id,
    incidentDate: subscription.startDate,
    amountClaimed: 4000,
    description: 'Burst pipe flooded the kitchen',
    ...fields,
  });

  async function fileClaim(by: User = team.claimant, fields: Record<string, unknown> = {}) {
    const res = await stack.api.post('/api/v1/claims').set(as(by)).send(fileBody(fields)).expect(201);
    return res.body as { id: string; claimNumber: string; workflow: { workflowId: string; runId: string } };
  }

  /** Filing with these fields is refused over REST (400 naming `body.<field>`) and GraphQL (BAD_USER_INPUT) alike. */
  async function refusedOverRestAndGraphql(fields: Record<string, unknown>) {
    const [field] = Object.keys(fields);
    const refused = await stack.api.post('/api/v1/claims').set(as(team.claimant)).send(fileBody(fields)).expect(400);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: `body.${field}` })]);
    const answer = await stack.api
      .post('/api/graphql')
      .set(as(team.claimant))
      .send({ query: `mutation ($input: FileClaimInput!) { fileClaim(input: $input) { id } }`, variables: { input: fileBody(fields) } })
      .expect(200);
    expect(answer.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  }

  const transition = (claimId: string, user: User, body: Record<string, unknown>) =>
    stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body);

  // One claim from filing to paid, step by step: each step starts where the one before left off.
  describe('a claim driven from filing to paid over HTTP', () => {
    let filed: Awaited<ReturnType<typeof fileClaim>>;

    it('files the claim with its number and run, and shows it in the queue of reported claims', async () => {
      filed = await fileClaim();
      expect(filed).toMatchObject({ status: 'reported', claimantId: team.claimant.id, amountClaimed: '4000.00' });
      expect(filed.claimNumber).toMatch(/^CLM-\d{4}-\d{6}$/);
      expect(filed.workflow).toEqual({ workflowId: `claim-${team.tenant.slug}-${filed.claimNumber}`, runId: expect.any(String) });

      const queue = await stack.api.get('/api/v1/claims?status=reported').set(as(team.manager)).expect(200);
      expect(queue.body.items.map((c: { id: string }) => c.id)).toContain(filed.id);
    });

    it("assigns it to an adjuster: the run's search attributes and the adjuster's list follow", async () => {
      const assigned = await stack.api
        .post(`/api/v1/claims/${filed.id}/assign`)
        .set(as(team.manager))
        .send({ assigneeId: team.adjuster.id })
        .expect(200);
      expect(assigned.body).toMatchObject({ status: 'assigned', assigneeId: team.adjuster.id });
      const run = await stack.api.get(`/api/v1/workflows/${filed.workflow.workflowId}`).set(as(team.manager)).expect(200);
      expect(run.body.searchAttributes).toMatchObject({
        TenantId: team.tenant.id,
        BusinessStatus: 'assigned',
        AssigneeId: team.adjuster.id,
      });
      const mine = await stack.api.get(`/api/v1/claims?assigneeId=${team.adjuster.id}`).set(as(team.adjuster)).expect(200);
      expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([filed.id]);
    });

    it('requests documents: the claimant is e-mailed', async () => {
      await transition(filed.id, team.adjuster, { to: 'under_review' }).expect(200);
      const requested = await transition(filed.id, team.adjuster, {
        to: 'documents_requested',
        note: 'Please send the plumber invoice',
      }).expect(200);
      expect(requested.body.status).toBe('documents_requested');
      await stack.smtp.waitFor(
        (m) => m.to.includes(team.claimant.email) && m.subject === `Documents needed for claim ${filed.claimNumber}`,
      );
    });

    it("takes the claimant's upload (audited, content served back byte for byte), which puts the claim back under review", async () => {
      const upload = await stack.api
        .post(`/api/v1/claims/${filed.id}/documents`)
        .set(as(team.claimant))
        .send({ fileName: 'invoice.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') })
        .expect(201);
      expect(upload.body).toMatchObject({
        fileName: 'invoice.pdf',
        sizeBytes: PDF.length,
        sha256: crypto.createHash('sha256').update(PDF).digest('hex'),
      });
      expect(upload.body.storageKey).toBeUndefined();
      const uploadEvent = await AuditEvent.findOne({ where: { entityId: filed.id, action: 'claim.document_upload' } });
      expect(uploadEvent).toMatchObject({
        actorId: team.claimant.id,
        changes: { documentId: { before: null, after: upload.body.id }, fileName: { after: 'invoice.pdf' } },
      });
      // The upload signalled the waiting workflow, which put the claim back under review.
      await eventually(
        () => Claim.findByPk(filed.id),
        (c) => c?.status === 'under_review',
        'claim back under review',
      );
      const content = await stack.api.get(`/api/v1/documents/${upload.body.id}/content`).set(as(team.adjuster)).buffer(true).expect(200);
      expect(content.headers['content-type']).toBe('application/pdf');
      expect(content.headers.etag).toBe(`"${upload.body.sha256}"`);
      expect(content.headers['cache-control']).toBe('no-store');
      expect(Buffer.compare(content.body as Buffer, PDF)).toBe(0);
    });

    it('approves it; the run pays and closes it, with one payment, every move in the history and the e-mails sent', async () => {
      await transition(filed.id, team.adjuster, { to: 'waiting_approval' }).expect(200);
      await transition(filed.id, team.adjuster, { to: 'approved', approvedAmount: 3500, note: 'Invoice minus excess' }).expect(200);
      await eventually(
        () => Claim.findByPk(filed.id),
        (c) => c?.status === 'closed',
        'claim closed',
      );

      const detail = await stack.api.get(`/api/v1/claims/${filed.id}`).set(as(team.claimant)).expect(200);
      expect(detail.body).toMatchObject({
        status: 'closed',
        amountApproved: '3500.00',
        payment: { amount: '3500.00', reference: `PAY-${filed.claimNumber}` },
      });
      const rows = await ClaimHistory.findAll({ where: { claimId: filed.id }, order: [['sequence', 'ASC']] });
      expect(rows.map((r) => [r.sequence, r.fromStatus, r.toStatus, r.actorId])).toEqual([
        [0, null, 'reported', team.claimant.id],
        [1, 'reported', 'assigned', team.manager.id],
        [2, 'assigned', 'under_review', team.adjuster.id],
        [3, 'under_review', 'documents_requested', team.adjuster.id],
        [4, 'documents_requested', 'under_review', team.claimant.id],
        [5, 'under_review', 'waiting_approval', team.adjuster.id],
        [6, 'waiting_approval', 'approved', team.adjuster.id],
        [7, 'approved', 'payment_processing', null],
        [8, 'payment_processing', 'paid', null],
        [9, 'paid', 'closed', null],
      ]);
      expect(rows[3].note).toBe('Please send the plumber invoice');
      // The run's moves keep when the claim entered its stage and when each stay began (migration 0030).
      const kept = await stack.db.sequelize.query<{ sequence: number; stay_started_at: Date | null; stage_entered_at: Date }>(
        `SELECT h.sequence, h.stay_started_at, c.stage_entered_at FROM claim_history h JOIN claims c ON c.id = h.claim_id
          WHERE h.claim_id = :id ORDER BY h.sequence`,
        { replacements: { id: filed.id }, type: QueryTypes.SELECT },
      );
      expect(kept.map((row) => row.stay_started_at)).toEqual([null, ...rows.slice(0, -1).map((row) => row.occurredAt)]);
      expect(kept[0].stage_entered_at).toEqual(rows[9].occurredAt);
      expect(detail.body.history).toHaveLength(10);
      expect(await ClaimPayment.count({ where: { claimId: filed.id } })).toBe(1);
      await stack.smtp.waitFor((m) => m.to.includes(team.adjuster.email) && m.subject === `Claim ${filed.claimNumber} is assigned to you`);
      await stack.smtp.waitFor((m) => m.to.includes(team.claimant.email) && m.subject === `Claim ${filed.claimNumber} is paid`);
    });

    it('refuses any move of the closed claim with 409 and no allowed stages', async () => {
      const closedMove = await transition(filed.id, team.manager, { to: 'under_review' }).expect(409);
      expect(closedMove.body.error).toMatchObject({ code: 'invalid_transition', details: [expect.objectContaining({ allowed: [] })] });
    });
  });

  it('answers an illegal move with 409 and the allowed stages, missing authority with 403, and records nothing', async () => {
    const filed = await fileClaim(team.agent, { amountClaimed: 9000 });
    const early = await transition(filed.id, team.manager, { to: 'approved' }).expect(409);
    expect(early.body.error).toMatchObject({
      code: 'invalid_transition',
      details: [expect.objectContaining({ field: 'to', from: 'reported', allowed: [] })],
    });

    await stack.api.post(`/api/v1/claims/${filed.id}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    const skip = await transition(filed.id, team.adjuster, { to: 'paid' }).expect(409);
    expect(skip.body.error.details[0].allowed).toEqual(['under_review']);
    await transition(filed.id, team.adjuster, { to: 'under_review' }).expect(200);
    await transition(filed.id, team.adjuster, { to: 'waiting_approval' }).expect(200);

    const overLimit = await transition(filed.id, team.adjuster, { to: 'approved' }).expect(403);
    expect(overLimit.body.error.code).toBe('forbidden');
    await transition(filed.id, team.otherAdjuster, { to: 'denied', reason: 'x' }).expect(403);
    await transition(filed.id, team.claimant, { to: 'approved' }).expect(403);
    const noReason = await transition(filed.id, team.senior, { to: 'denied' }).expect(422);
    expect(noReason.body.error.details[0].field).toBe('reason');
    await transition(filed.id, team.senior, { to: 'approved', approvedAmount: 9000.01 }).expect(422);
    await transition(filed.id, team.senior, { to: 'nowhere' }).expect(400);
    // Denying is a decision against the claimant, a person's like approving: a key with a claims manager's role is a machine.
    const key = await apiKeyHeader(stack, await buildUser({ role: 'tenant_admin', tenantId: team.tenant.id }), 'claims_manager');
    const deniedByKey = await stack.api
      .post(`/api/v1/claims/${filed.id}/transitions`)
      .set(key)
      .send({ to: 'denied', reason: 'Not covered' });
    expect([deniedByKey.status, deniedByKey.body.error?.code]).toEqual([403, 'person_required']);
    // Sending it back to review is the approver's other answer, a person's too.
    const sentBackByKey = await stack.api.post(`/api/v1/claims/${filed.id}/transitions`).set(key).send({ to: 'under_review' });
    expect([sentBackByKey.status, sentBackByKey.body.error?.code]).toEqual([403, 'person_required']);

    const claim = await Claim.findByPk(filed.id);
    expect(claim).toMatchObject({ status: 'waiting_approval', amountApproved: null });
    expect(await ClaimHistory.count({ where: { claimId: filed.id } })).toBe(4);

    await transition(filed.id, team.senior, { to: 'approved' }).expect(200);
    await eventually(
      () => Claim.findByPk(filed.id),
      (c) => c?.status === 'closed',
      'claim closed',
    );
  });

  it('refuses claims the subscription does not cover with 4xx and files nothing', async () => {
    const before = await Claim.count();
    const tooMuch = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send(fileBody({ amountClaimed: Number(subscription.coverageAmount) + 1 }))
      .expect(422);
    expect(tooMuch.body.error.details[0].field).toBe('amountClaimed');
    const beforeCover = new Date(Date.parse(subscription.startDate!) - 86_400_000).toISOString().slice(0, 10);
    const outside = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send(fileBody({ incidentDate: beforeCover }))
      .expect(422);
    expect(outside.body.error.details[0].field).toBe('incidentDate');
    await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send(fileBody({ incidentDate: '2999-01-01' }))
      .expect(400);
    // A day not in the calendar was filed as another one (2026-02-30 as 2 March), over REST and GraphQL; year 0000, which
    // PostgreSQL's dates do not have, failed with 500.
    for (const incidentDate of ['2026-02-30', '2026-04-31T10:00:00Z', '0000-06-01', '+002026-02-30'])
      await refusedOverRestAndGraphql({ incidentDate });
    await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send(fileBody({ status: 'approved' }))
      .expect(400);

    const cancelled = await buildSubscription({ policyholderId: team.claimant.id, status: 'cancelled' });
    const inactive = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send(fileBody({ subscriptionId: cancelled.id }))
      .expect(422);
    expect(inactive.body.error.details[0].field).toBe('subscriptionId');

    const neighbour = await buildUser({ tenantId: team.tenant.id, role: 'policyholder' });
    await stack.api.post('/api/v1/claims').set(as(neighbour)).send(fileBody()).expect(404);
    await stack.api.post('/api/v1/claims').set(as(team.adjuster)).send(fileBody()).expect(403);
    expect(await Claim.count()).toBe(before);
  });

  it('refuses a yen claim’s amounts with decimals yen has not (422 naming the field), filing and approving nothing', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY' });
    const yen = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    const before = await Claim.count();
    const fractional = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send(fileBody({ subscriptionId: yen.id, incidentDate: yen.startDate, amountClaimed: '4000.5' }))
      .expect(422);
    expect(fractional.body.error.details).toEqual([{ field: 'amountClaimed', message: 'is not an amount in JPY' }]);
    expect(await Claim.count()).toBe(before);

    const filed = await fileClaim(team.claimant, { subscriptionId: yen.id, incidentDate: yen.startDate, amountClaimed: '4000' });
    await stack.api.post(`/api/v1/claims/${filed.id}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    await transition(filed.id, team.adjuster, { to: 'under_review' }).expect(200);
    await transition(filed.id, team.adjuster, { to: 'waiting_approval' }).expect(200);
    const approvedInPart = await transition(filed.id, team.senior, { to: 'approved', approvedAmount: '3000.5' }).expect(422);
    expect(approvedInPart.body.error.details).toEqual([{ field: 'approvedAmount', message: 'is not an amount in JPY' }]);
    expect(await Claim.findByPk(filed.id)).toMatchObject({ status: 'waiting_approval', amountApproved: null });
    expect(await ClaimHistory.count({ where: { claimId: filed.id } })).toBe(4);

    const approved = await transition(filed.id, team.senior, { to: 'approved', approvedAmount: '3000' }).expect(200);
    expect(approved.body.amountApproved).toBe('3000');
  });

  it('numbers concurrent filings without gaps or duplicates', async () => {
    const filed = await Promise.all(Array.from({ length: 5 }, () => fileClaim(team.agent, { amountClaimed: 100 })));
    const numbers = filed.map((c) => Number(c.claimNumber.slice(-6))).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(5);
    expect(numbers[4] - numbers[0]).toBe(4);

    // Another tenant numbers its claims from 1 too, in a workflow of its own.
    const other = await createClaimsTeam();
    const otherSubscription = await buildSubscription({ policyholderId: other.claimant.id });
    const first = await stack.api
      .post('/api/v1/claims')
      .set(as(other.claimant))
      .send(fileBody({ subscriptionId: otherSubscription.id }))
      .expect(201);
    expect(first.body.claimNumber).toMatch(/-000001$/);
    expect(first.body.workflow.workflowId).toBe(`claim-${other.tenant.slug}-${first.body.claimNumber}`);
  });

  it("keeps claims, notes and documents to the tenant's staff and the claimant", async () => {
    const filed = await fileClaim();
    const neighbour = await buildUser({ tenantId: team.tenant.id, role: 'policyholder' });
    const stranger = await buildUser({ role: 'claims_manager' });

    await stack.api.get(`/api/v1/claims/${filed.id}`).set(as(neighbour)).expect(404);
    await stack.api.get(`/api/v1/claims/${filed.id}`).set(as(stranger)).expect(404);
    await stack.api.post(`/api/v1/claims/${filed.id}/assign`).set(as(stranger)).send({ assigneeId: stranger.id }).expect(404);
    expect((await stack.api.get('/api/v1/claims').set(as(neighbour)).expect(200)).body.items).toEqual([]);
    const own = await stack.api.get('/api/v1/claims').set(as(team.claimant)).expect(200);
    expect(own.body.items.every((c: { claimantId: string }) => c.claimantId === team.claimant.id)).toBe(true);

    const note = await stack.api
      .post(`/api/v1/claims/${filed.id}/notes`)
      .set(as(team.agent))
      .send({ body: 'Customer called, prefers e-mail' })
      .expect(201);
    expect(note.body).toMatchObject({ authorId: team.agent.id, body: 'Customer called, prefers e-mail' });
    const notes = await stack.api.get(`/api/v1/claims/${filed.id}/notes`).set(as(team.adjuster)).expect(200);
    expect(notes.body.items.map((n: { id: string }) => n.id)).toEqual([note.body.id]);
    await stack.api.get(`/api/v1/claims/${filed.id}/notes`).set(as(team.claimant)).expect(403);
    await stack.api.post(`/api/v1/claims/${filed.id}/notes`).set(as(stranger)).send({ body: 'x' }).expect(404);

    const doc = await stack.api
      .post(`/api/v1/claims/${filed.id}/documents`)
      .set(as(team.agent))
      .send({ fileName: 'photo.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') })
      .expect(201);
    await stack.api.get(`/api/v1/documents/${doc.body.id}/content`).set(as(team.claimant)).expect(200);
    await stack.api.get(`/api/v1/documents/${doc.body.id}/content`).set(as(neighbour)).expect(404);
    await stack.api.get(`/api/v1/documents/${doc.body.id}/content`).set(as(stranger)).expect(404);
    await stack.api.get(`/api/v1/claims/${filed.id}/documents`).set(as(neighbour)).expect(404);
    const listed = await stack.api.get(`/api/v1/claims/${filed.id}/documents`).set(as(team.claimant)).expect(200);
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual([doc.body.id]);
  });

  it('takes a description and notes on several lines, and refuses other control characters in them (400), recording nothing', async () => {
    // BEL, ESC and the C1 controls were stored and printed in mails, exports and terminals as they came.
    const hostile = ['Pipe\u0007burst', 'Pipe \u001b[31mburst', 'Pipe\u009bburst', 'Pipe\u2028burst'];
    const before = await Claim.count();
    for (const description of hostile) await refusedOverRestAndGraphql({ description });
    expect(await Claim.count()).toBe(before);

    const description = 'Burst pipe:\r\n\t- kitchen flooded\n\t- parquet lifted 😀';
    const filed = await fileClaim(team.claimant, { description });
    expect((await Claim.findByPk(filed.id))!.description).toBe(description);
    const notes = `/api/v1/claims/${filed.id}/notes`;
    for (const body of hostile) await stack.api.post(notes).set(as(team.agent)).send({ body }).expect(400);
    expect(await ClaimNote.count({ where: { claimId: filed.id } })).toBe(0);
    const note = await stack.api.post(notes).set(as(team.agent)).send({ body: 'Called:\nprefers e-mail' }).expect(201);
    expect(note.body.body).toBe('Called:\nprefers e-mail');
    const withdrawal = `/api/v1/claims/${filed.id}/notes/${note.body.id}/withdraw`;
    for (const reason of hostile) await stack.api.post(withdrawal).set(as(team.agent)).send({ reason }).expect(400);
    expect((await ClaimNote.findByPk(note.body.id))!.withdrawnAt).toBeNull();
  });

  it('refuses documents of the wrong type, with lying content or too large, and stores nothing', async () => {
    const filed = await fileClaim();
    const tenantDir = path.join(documentsDir, team.tenant.id);
    const storedFiles = () => (fs.existsSync(tenantDir) ? fs.readdirSync(tenantDir).length : 0);
    const filesBefore = storedFiles();
    const upload = (body: Record<string, unknown>) =>
      stack.api.post(`/api/v1/claims/${filed.id}/documents`).set(as(team.claimant)).send(body);
    await upload({
      fileName: 'run.sh',
      contentType: 'application/x-sh',
      contentBase64: Buffer.from('#!/bin/sh').toString('base64'),
    }).expect(400);
    const lying = await upload({ fileName: 'x.png', contentType: 'image/png', contentBase64: PDF.toString('base64') }).expect(422);
    expect(lying.body.error.details[0].field).toBe('contentBase64');
    const big = Buffer.concat([PDF, Buffer.alloc(512 * 1024)]);
    await upload({ fileName: 'big.pdf', contentType: 'application/pdf', contentBase64: big.toString('base64') }).expect(422);
    await upload({ fileName: '../../etc/passwd', contentType: 'application/pdf', contentBase64: PDF.toString('base64') }).expect(400);
    // The name is listed to the staff and in exports: one line of printable text, shown as stored
    // (a right-to-left override would list 'invoice\u202efdp.exe' as "invoiceexe.pdf").
    for (const fileName of ['a";\r\nX-Evil: 1.pdf', 'bell\u0007.pdf', 'invoice\u202efdp.exe']) {
      await upload({ fileName, contentType: 'application/pdf', contentBase64: PDF.toString('base64') }).expect(400);
    }
    expect(await ClaimDocument.count({ where: { claimId: filed.id } })).toBe(0);
    expect(storedFiles()).toBe(filesBefore);
  });
});
