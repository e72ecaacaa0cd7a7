/**
 * Tenant offboarding on real servers (PostgreSQL, the Temporal dev server, a worker, the local
 * document store): two tenants, each with users, a subscription with its run, a claim with its run
 * and a document, and a saved report with its Schedule. One platform admin asks, the same one may
 * not approve, a second one does; the run exports the tenant, then removes its schedules, runs,
 * documents and rows, and records it in the platform's audit trail. The other tenant keeps
 * everything.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { tenantOffboardingRun } from '../../src/contracts/tenant-offboarding';
import {
  AuditEvent,
  Claim,
  ClaimDocument,
  PolicyDocument,
  Subscription,
  SubscriptionChange,
  SubscriptionVersion,
  Tenant,
  TenantOffboarding,
  User,
} from '../../src/models';
import { ensureScheduleDocuments } from '../../src/domain/subscriptions/schedule-document';
import { verifyChain } from '../../src/domain/audit/chain';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { addPlatformAdmin } from '../support/platform-admins';
import { recordHistory } from '../support/histories';
import { eventually } from '../support/waiting';
import { binaryBody, unzip } from '../support/zip';

const PDF = Buffer.from('%PDF-1.4\n% repair invoice\n', 'latin1');
const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** What one tenant was seeded with. */
interface Seeded {
  tenant: Tenant;
  admin: User;
  holder: User;
  claimId: string;
  claimRun: string;
  subscriptionRun: string;
  documentKey: string;
  /**
   * The stored schedules: the subscribed policy's version 1 (its run stored it when issuing) and the
   * covering policy's two versions (docs/subscriptions.md, Documents).
   */
  scheduleKeys: string[];
  definitionId: string;
}

describe('tenant offboarding', () => {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-offboarding-documents-'));
  const stack = testStackOfBlock({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
  let askerA: User;
  let approverB: User;
  let leaving: Seeded;
  let staying: Seeded;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const offboarding = (tenantId: string) => `/api/v1/platform/tenants/${tenantId}/offboarding`;

  async function seed(): Promise<Seeded> {
    const tenant = await buildTenant();
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const plan = await buildPlan({ tenantId: tenant.id });
    const subscribed = await stack.api
      .post('/api/v1/subscriptions')
      .set(as(holder))
      .set('Idempotency-Key', `offboarding-subscribe-${tenant.id}`)
      .send({ planId: plan.id });
    expect([201, 202]).toContain(subscribed.status);
    const issuedSchedules = await eventually(
      () => PolicyDocument.findAll({ where: { subscriptionId: subscribed.body.id } }),
      (documents) => documents.length === 1,
      `version 1's schedule of ${subscribed.body.id}, stored by the run that issued it`,
    );
    const covering = await buildSubscription({ policyholderId: holder.id, planId: plan.id });
    // A change of its phone made version 2 (version 1 was written as the row was inserted), and both schedules are stored.
    const change = await SubscriptionChange.create({
      tenantId: tenant.id,
      subscriptionId: covering.id,
      status: 'applied',
      term: 0,
      effectiveDate: covering.startDate!,
      requested: { holderPhone: '+4930555000' },
      premiumBefore: covering.premium,
      premiumAfter: covering.premium,
      premiumDeltaMinor: 0,
      currency: 'EUR',
      requestedById: holder.id,
    });
    const { planId, coverageAmount, premium } = covering;
    await SubscriptionVersion.create({
      ...{ tenantId: tenant.id, subscriptionId: covering.id, planId, coverageAmount, premium, currency: 'EUR' },
      number: 2,
      effectiveFrom: covering.startDate!,
      holderPhone: '+4930555000',
      changeId: change.id,
      fieldChanges: { holderPhone: { before: null, after: '+4930555000' } },
    });
    const schedules = await ensureScheduleDocuments(stack.db.sequelize, stack.services.documents, covering.id);
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(holder))
      .send({ subscriptionId: covering.id, incidentDate: covering.startDate, amountClaimed: 700, description: 'Burst pipe' })
      .expect(201);
    const uploaded = await stack.api
      .post(`/api/v1/claims/${filed.body.id}/documents`)
      .set(as(holder))
      .send({ fileName: 'invoice.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') })
      .expect(201);
    const definition = await stack.api
      .post('/api/v1/reports/definitions')
      .set(as(manager))
      .send({
        name: 'Weekly claims',
        kind: 'claims',
        parameters: { groupBy: 'month' },
        recipients: ['ops@example.com'],
        schedule: '0 7 * * 1',
      })
      .expect(201);
    const claim = await Claim.findByPk(filed.body.id as string, { rejectOnEmpty: true });
    const subscription = await Subscription.findByPk(subscribed.body.id as string, { rejectOnEmpty: true });
    const document = await ClaimDocument.findByPk(uploaded.body.id as string, { rejectOnEmpty: true });
    return {
      tenant,
      admin,
      holder,
      claimId: claim.id,
      claimRun: claim.workflowId,
      subscriptionRun: subscription.workflowId!,
      documentKey: document.storageKey,
      scheduleKeys: [...issuedSchedules, ...schedules].map((schedule) => schedule.storageKey),
      definitionId: definition.body.id as string,
    };
  }

  /** Rows with the tenant's ID, per table that has a tenant_id column (tables without rows left out). */
  async function rowsOf(tenantId: string, only?: string[]): Promise<Record<string, number>> {
    const tables = await stack.db.sequelize.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'tenant_id'`,
      { type: QueryTypes.SELECT },
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables.filter((table) => !only || only.includes(table.name))) {
      const [{ count }] = await stack.db.sequelize.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM "${name}" WHERE tenant_id = :tenantId`,
        {
          replacements: { tenantId },
          type: QueryTypes.SELECT,
        },
      );
      if (count > 0) counts[name] = count;
    }
    return counts;
  }

  /** Whether `describe` finds it: false when it answers the not-found error of its kind. */
  const found = (describe: Promise<unknown>, notFound: new (...args: never[]) => Error) =>
    describe.then(
      () => true,
      (err: unknown) => {
        if (err instanceof notFound) return false;
        throw err;
      },
    );
  const runExists = (workflowId: string) => found(stack.temporal.workflow.getHandle(workflowId).describe(), WorkflowNotFoundError);
  const scheduleExists = (definitionId: string) =>
    found(stack.temporal.schedule.getHandle(reportScheduleId(definitionId)).describe(), ScheduleNotFoundError);

  const download = (user: User, tenantId: string) =>
    stack.api
      .get(`${offboarding(tenantId)}/export`)
      .set(as(user))
      .buffer(true)
      .parse(binaryBody);

  beforeAll(async () => {
    askerA = await buildUser({ role: 'platform_admin' });
    approverB = await buildUser({ role: 'platform_admin' });
    leaving = await seed();
    staying = await seed();
  });
  afterAll(async () => {
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  it('refuses tenant roles (403), an unknown tenant (404) and bad input (400), recording nothing', async () => {
    await stack.api.post(offboarding(leaving.tenant.id)).set(as(leaving.admin)).send({ reason: 'Leaving' }).expect(403);
    await stack.api.get(offboarding(leaving.tenant.id)).set(as(leaving.admin)).expect(403);
    await stack.api.post(offboarding(crypto.randomUUID())).set(as(askerA)).send({ reason: 'Leaving' }).expect(404);
    await stack.api
      .post(offboarding(leaving.tenant.id))
      .set(as(askerA))
      .send({ reason: 'x'.repeat(501) })
      .expect(400);
    await stack.api.post(offboarding(leaving.tenant.id)).set(as(askerA)).send({}).expect(400);
    await stack.api.get(offboarding(leaving.tenant.id)).set(as(askerA)).expect(404);
  });

  it('exports the tenant, then removes its schedules, runs, documents and rows once a second platform admin approves', async () => {
    // The other tenant's business rows (its runs may still be adding audit events and notifications meanwhile).
    const kept = [
      'users',
      'plans',
      'subscriptions',
      'subscription_versions',
      'subscription_changes',
      'policy_documents',
      'claims',
      'claim_documents',
      'report_definitions',
      'tenant_settings',
    ];
    const stayingRowsBefore = await rowsOf(staying.tenant.id, kept);
    expect(Object.keys(stayingRowsBefore).sort()).toEqual([...kept].sort());
    expect(await runExists(leaving.claimRun)).toBe(true);
    expect(await scheduleExists(leaving.definitionId)).toBe(true);

    const asked = await stack.api
      .post(offboarding(leaving.tenant.id))
      .set(as(askerA))
      .set('Idempotency-Key', 'offboard-leaving-1')
      .send({ reason: 'Contract ended' })
      .expect(201);
    expect(asked.body).toMatchObject({
      status: 'awaiting_approval',
      tenantId: leaving.tenant.id,
      requestedById: askerA.id,
      operationId: null,
    });
    // A repeat with the same key answers the same request; a second request while one is open is refused.
    const repeat = await stack.api
      .post(offboarding(leaving.tenant.id))
      .set(as(askerA))
      .set('Idempotency-Key', 'offboard-leaving-1')
      .send({ reason: 'Contract ended' })
      .expect(201);
    expect(repeat.body.id).toBe(asked.body.id);
    await stack.api.post(offboarding(leaving.tenant.id)).set(as(approverB)).send({ reason: 'Again' }).expect(409);

    const own = await stack.api
      .post(`${offboarding(leaving.tenant.id)}/approve`)
      .set(as(askerA))
      .expect(403);
    expect(own.body.error.code).toBe('same_person');
    // Nor under a second platform admin account of the asker's on a sub-address of their own mailbox (even one a second admin let them have): the same person.
    const [local, host] = askerA.email.split('@');
    const askerAgain = await addPlatformAdmin(
      stack,
      { proposer: askerA, approver: approverB },
      { email: `${local}+second@${host}`, fullName: 'Asker Again' },
    );
    const again = await stack.api
      .post(`${offboarding(leaving.tenant.id)}/approve`)
      .set(as(askerAgain))
      .expect(403);
    expect(again.body.error.code).toBe('same_person');
    expect((await Tenant.findByPk(leaving.tenant.id, { rejectOnEmpty: true })).status).toBe('active');
    await expect(TenantOffboarding.findByPk(asked.body.id as string)).resolves.toMatchObject({
      status: 'awaiting_approval',
      decidedById: null,
    });

    const approved = await stack.api
      .post(`${offboarding(leaving.tenant.id)}/approve`)
      .set(as(approverB))
      .expect(202);
    expect(approved.body).toMatchObject({
      status: 'running',
      decidedById: approverB.id,
      workflowId: tenantOffboardingRun.id(leaving.tenant.id),
    });
    expect((await Tenant.findByPk(leaving.tenant.id, { rejectOnEmpty: true })).status).toBe('suspended');

    const operationId = approved.body.operationId as string;
    const operation = await eventually(
      async () => (await stack.api.get(`/api/v1/operations/${operationId}`).set(as(askerA)).expect(200)).body,
      (body) => body.status === 'completed',
      'the offboarding operation completed',
      90_000,
    );
    expect(operation).toMatchObject({ kind: 'tenant_offboarding', total: 6, done: 6, failed: 0 });
    await recordHistory(stack.temporal.workflow.getHandle(tenantOffboardingRun.id(leaving.tenant.id)), 'tenantOffboardingWorkflow');
    await stack.api.get(`/api/v1/operations/${operationId}`).set(as(staying.admin)).expect(404);

    const state = (await stack.api.get(offboarding(leaving.tenant.id)).set(as(approverB)).expect(200)).body;
    // Documents: the claim's and the three stored policy schedules.
    expect(state).toMatchObject({ status: 'completed', progress: { total: 6, done: 6 }, removed: { schedules: 1, documents: 4 } });
    expect(state.removed.runs).toBeGreaterThanOrEqual(2);
    expect(state.removed['rows.users']).toBe(3);

    // Nothing of the tenant is left but its tombstone.
    expect(await rowsOf(leaving.tenant.id)).toEqual({});
    const [{ starts }] = await stack.db.sequelize.query<{ starts: number }>(
      `SELECT count(*)::int AS starts FROM outbox_messages WHERE payload->>'tenantId' = :tenantId`,
      { replacements: { tenantId: leaving.tenant.id }, type: QueryTypes.SELECT },
    );
    expect(starts).toBe(0);
    const tombstone = await Tenant.findByPk(leaving.tenant.id, { rejectOnEmpty: true });
    expect(tombstone).toMatchObject({ status: 'offboarded', name: leaving.tenant.name, contactEmail: null });
    for (const key of [leaving.documentKey, ...leaving.scheduleKeys]) expect(fs.existsSync(path.join(documentsDir, key))).toBe(false);
    expect(await scheduleExists(leaving.definitionId)).toBe(false);
    expect(await runExists(leaving.claimRun)).toBe(false);
    expect(await runExists(leaving.subscriptionRun)).toBe(false);

    // The export holds the tenant's claim, users and document, each file's digest in the manifest.
    const exported = await download(approverB, leaving.tenant.id).expect(200);
    expect(exported.headers['content-type']).toBe('application/zip');
    const files = await unzip(exported.body as Buffer);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    for (const file of manifest.files as { name: string; sha256: string }[]) expect(sha256(files.get(file.name)!)).toBe(file.sha256);
    const claims = files
      .get('tables/claims.jsonl')!
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(claims.map((claim) => claim.id)).toEqual([leaving.claimId]);
    const users = files
      .get('tables/users.jsonl')!
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(users.map((user) => user.id)).toContain(leaving.holder.id);
    expect(users.every((user) => !('password_hash' in user))).toBe(true);
    expect(files.get(`documents/${leaving.documentKey}`)).toEqual(PDF);
    for (const key of leaving.scheduleKeys) expect(files.get(`documents/${key}`)!.subarray(0, 5).toString()).toBe('%PDF-');
    const versions = files.get('tables/subscription_versions.jsonl')!.toString('utf8').trim().split('\n');
    expect(versions.map((line) => JSON.parse(line).number)).toContain(2);
    expect(files.has('tables/audit_events.jsonl')).toBe(true);

    // The platform's audit record: what went, and the export's digest.
    const record = await AuditEvent.findOne({ where: { tenantId: null, action: 'tenant.offboarded', entityId: leaving.tenant.id } });
    expect(record!.changes.exportSha256.after).toBe(sha256(exported.body as Buffer));
    expect(record!.changes.removed.after).toMatchObject({ documents: 4, schedules: 1 });
    await download(staying.admin, leaving.tenant.id).expect(403);

    // The other tenant keeps every row, run, schedule and document.
    expect(await rowsOf(staying.tenant.id, kept)).toEqual(stayingRowsBefore);
    for (const key of [staying.documentKey, ...staying.scheduleKeys]) expect(fs.existsSync(path.join(documentsDir, key))).toBe(true);
    expect(await scheduleExists(staying.definitionId)).toBe(true);
    expect(await runExists(staying.claimRun)).toBe(true);
    expect(await runExists(staying.subscriptionRun)).toBe(true);
    // Its audit chain, and the platform's with the record, still verify; its events still refuse deletion.
    const span = [new Date(Date.now() - 3_600_000), new Date(Date.now() + 60_000)] as const;
    expect(await verifyChain(stack.db.sequelize, staying.tenant.id, ...span)).toMatchObject({ ok: true });
    expect(await verifyChain(stack.db.sequelize, null, ...span)).toMatchObject({ ok: true });
    await expect(
      stack.db.sequelize.query('DELETE FROM audit_events WHERE tenant_id = :tenantId', { replacements: { tenantId: staying.tenant.id } }),
    ).rejects.toThrow(/append-only/);
  }, 150_000);

  it('documents every route and the statuses it answers in the OpenAPI document', async () => {
    const { body: doc } = await stack.api.get('/api/openapi.json').expect(200);
    const base = '/api/v1/platform/tenants/{id}/offboarding';
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses(base, 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '404', '409']));
    expect(statuses(`${base}/approve`, 'post')).toEqual(expect.arrayContaining(['202', '403', '404', '409', '503']));
    expect(statuses(`${base}/reject`, 'post')).toEqual(expect.arrayContaining(['200', '403', '404', '409']));
    expect(statuses(base, 'get')).toEqual(expect.arrayContaining(['200', '403', '404']));
    expect(statuses(`${base}/export`, 'get')).toEqual(expect.arrayContaining(['200', '403', '404']));
  });

  it('lets any platform admin reject a request awaiting approval; nothing is changed', async () => {
    await stack.api.post(offboarding(staying.tenant.id)).set(as(askerA)).send({ reason: 'Maybe' }).expect(201);
    const rejected = await stack.api
      .post(`${offboarding(staying.tenant.id)}/reject`)
      .set(as(approverB))
      .send({ reason: 'They renewed' })
      .expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'They renewed', operationId: null });
    await stack.api
      .post(`${offboarding(staying.tenant.id)}/approve`)
      .set(as(approverB))
      .expect(409);
    expect((await Tenant.findByPk(staying.tenant.id, { rejectOnEmpty: true })).status).toBe('active');
  });
});
