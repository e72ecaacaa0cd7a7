/**
 * The deletion of an erased person's kept records once their keepUntil day has come
 * (docs/privacy.md, Deleting kept records when they fall due), on the real API, worker,
 * PostgreSQL, Temporal and document store. People are erased through the API; their recorded
 * keepUntil days are then moved into the past in the database, and the daily run is started
 * through the client (and once by its Schedule). The kept rows go table group by table group,
 * the users row last; another person's and another tenant's rows stay; a legal hold keeps a
 * person's rows until it is released; a second run deletes nothing more; the erasure's answer
 * and an audit event per person show what went and when.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { allRoutes } from '../../src/api/routes';
import { KEPT_ROW_GROUPS, keptRowsDueOn, type KeptRowGroup } from '../../src/contracts/privacy-erasure';
import {
  KEPT_RECORDS_INPUT,
  KEPT_RECORDS_WORKFLOW_TYPE,
  keptRecordsScheduleId,
  type KeptRecordsInput,
  type KeptRecordsWorkflow,
} from '../../src/contracts/retention';
import {
  Acknowledgement,
  AuditEvent,
  Claim,
  ClaimDocument,
  ClaimHistory,
  ClaimNote,
  ClaimNoteRevision,
  Invoice,
  ClaimPayment,
  PersonDataKey,
  PremiumPayment,
  Plan,
  PrivacyErasure,
  Quote,
  Subscription,
  SubscriptionVersion,
  type Tenant,
  User,
} from '../../src/models';
import { down, up } from '../../src/models/migrations/0067-kept-rows-deletion';
import { documentKey } from '../../src/services/documents';
import { ensureKeptRecordsSchedule } from '../../src/services/retention-schedule';
import { ensureScheduleDocuments } from '../../src/domain/subscriptions/schedule-document';
import {
  bearer,
  buildAcknowledgement,
  buildClaim,
  buildSubscription,
  buildTenant,
  buildTenantWithAdmin,
  buildUser,
} from '../support/factories';
import { buildQuote } from '../support/quote-rows';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { eventually, resultOf } from '../support/waiting';

const DAY_MS = 86_400_000;
const yesterday = () => new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
const dayAfter = (day: string) => new Date(Date.parse(day) + DAY_MS).toISOString().slice(0, 10);

/** A person's rows of every kept kind: a closed claim with a payment, notes, history and a staff document; an ended policy with an invoice and its payment; an acknowledgement. */
interface Person {
  user: User;
  subscriptionId: string;
  invoiceId: string;
  premiumPaymentId: string;
  claimId: string;
  paymentId: string;
  noteId: string;
  documentId: string;
  documentFile: string;
  acknowledgementId: string;
  /** A quote they asked for (docs/quotes.md): its postcode erased, the row deleted with their policies. */
  quoteId: string;
}

interface ErasureBody {
  id: string;
  status: string;
  tables: Record<string, { keepUntil: string | null }>;
  keptRows: { dueOn: string | null; deleted: Record<string, { deleted: number; deletedAt: string }> };
}

describe('privacy: kept records deleted when they fall due', () => {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-kept-records-'));
  const stack = testStackOfBlock({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
  let tenant: Tenant;
  let otherTenant: Tenant;
  let admin: User;
  let otherAdmin: User;
  let officer: User;
  let adjuster: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    ({ tenant, admin } = await buildTenantWithAdmin());
    ({ tenant: otherTenant, admin: otherAdmin } = await buildTenantWithAdmin());
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
  });
  afterAll(async () => {
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  async function seedPerson(tenantId: string, subscriptionStatus: 'expired' | 'active' = 'expired'): Promise<Person> {
    const user = await buildUser({ tenantId, role: 'policyholder' });
    const subscription = await buildSubscription({ tenantId, policyholderId: user.id, status: subscriptionStatus });
    const invoice = await Invoice.create({
      tenantId,
      subscriptionId: subscription.id,
      policyholderId: user.id,
      number: `INV-${crypto.randomUUID().slice(0, 8)}`,
      term: 1,
      sequence: 1,
      amountMinor: 45000,
      currency: 'EUR',
      dueDate: '2026-01-01',
    });
    const premiumPayment = await PremiumPayment.create({
      tenantId,
      invoiceId: invoice.id,
      amountMinor: 45000,
      currency: 'EUR',
      method: 'bank_transfer',
      receivedAt: new Date(),
    });
    const claim = await buildClaim({ subscriptionId: subscription.id, status: 'closed' });
    const payment = await ClaimPayment.create({
      tenantId,
      claimId: claim.id,
      amount: '800.00',
      reference: `PAY-${claim.claimNumber}`,
      paidAt: new Date(),
    });
    const note = await ClaimNote.create({ tenantId, claimId: claim.id, authorId: user.id, body: 'The pipe burst on Sunday' });
    await ClaimNoteRevision.create({
      tenantId,
      noteId: note.id,
      revision: 1,
      body: 'Saturday',
      writtenAt: new Date(),
      replacedAt: new Date(),
    });
    // A document staff uploaded on the claim: the erasure keeps it (it is not the person's), the deletion removes it.
    const bytes = Buffer.from(`%PDF-1.4 adjuster's report ${crypto.randomUUID()}`);
    const documentId = crypto.randomUUID();
    const storageKey = documentKey(tenantId, documentId);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    await stack.services.documents.write(storageKey, { bytes, contentType: 'application/pdf', sha256 });
    const uploadedById = tenantId === tenant.id ? adjuster.id : otherAdmin.id;
    await ClaimDocument.create({
      id: documentId,
      tenantId,
      claimId: claim.id,
      uploadedById,
      fileName: 'report.pdf',
      contentType: 'application/pdf',
      sizeBytes: bytes.length,
      sha256,
      storageKey,
    });
    const acknowledgement = await buildAcknowledgement({ tenantId, employeeId: user.id });
    const quote = await buildQuote(await Plan.findByPk(subscription.planId, { rejectOnEmpty: true }), { requestedById: user.id });
    return {
      user,
      subscriptionId: subscription.id,
      invoiceId: invoice.id,
      premiumPaymentId: premiumPayment.id,
      claimId: claim.id,
      paymentId: payment.id,
      noteId: note.id,
      documentId,
      documentFile: path.join(documentsDir, storageKey),
      acknowledgementId: acknowledgement.id,
      quoteId: quote.id,
    };
  }

  const erasureOf = async (id: string, by = admin) =>
    (await stack.api.get(`/api/v1/privacy/erasures/${id}`).set(as(by)).expect(200)).body as ErasureBody;

  async function erase(person: Person, by = admin): Promise<string> {
    const started = await stack.api
      .post('/api/v1/privacy/erasures')
      .set(as(by))
      .send({ userId: person.user.id, reason: 'Data subject request' })
      .expect(202);
    const erasure = await eventually(
      () => erasureOf(started.body.id as string, by),
      (body) => body.status === 'completed',
      'erasure completed',
      30_000,
    );
    // Completed: its first due day is the earliest keepUntil it recorded, years ahead.
    expect(erasure.keptRows).toEqual({ dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), deleted: {} });
    expect(erasure.keptRows.dueOn! > yesterday()).toBe(true);
    return erasure.id;
  }

  /** Moves the keepUntil day of the groups' tables to yesterday, as the years passing would, and answers that day. */
  async function fallDue(erasureId: string, groups: KeptRowGroup[]): Promise<string> {
    const row = await PrivacyErasure.findByPk(erasureId, { rejectOnEmpty: true });
    const tables = { ...row.tables };
    const keepUntil = yesterday();
    for (const group of KEPT_ROW_GROUPS.filter((g) => groups.includes(g.name)))
      for (const table of group.tables) if (tables[table]?.keepUntil) tables[table] = { ...tables[table], keepUntil };
    await row.update({ tables, keptRowsDueOn: keptRowsDueOn(tables, row.keptRowsDeleted) });
    return keepUntil;
  }

  /** One run through the client; `fixture` keeps its history for the replay gate. */
  async function runJob(input: KeptRecordsInput = KEPT_RECORDS_INPUT, fixture?: string) {
    const handle = await stack.temporal.workflow.start<KeptRecordsWorkflow>(KEPT_RECORDS_WORKFLOW_TYPE, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `kept-records-test-${crypto.randomUUID()}`,
      args: [input],
    });
    const result = await resultOf(handle);
    if (fixture) await recordHistory(handle, fixture);
    return result;
  }

  /** Which of the person's rows are still there, by kind. */
  async function rowsLeft(person: Person) {
    return {
      claim: !!(await Claim.findByPk(person.claimId)),
      payment: !!(await ClaimPayment.findByPk(person.paymentId)),
      note: !!(await ClaimNote.findByPk(person.noteId)),
      revisions: await ClaimNoteRevision.count({ where: { noteId: person.noteId } }),
      history: await ClaimHistory.count({ where: { claimId: person.claimId } }),
      document: !!(await ClaimDocument.findByPk(person.documentId)),
      documentFile: fs.existsSync(person.documentFile),
      subscription: !!(await Subscription.findByPk(person.subscriptionId)),
      invoice: !!(await Invoice.findByPk(person.invoiceId)),
      premiumPayment: !!(await PremiumPayment.findByPk(person.premiumPaymentId)),
      acknowledgement: !!(await Acknowledgement.findByPk(person.acknowledgementId)),
      quote: !!(await Quote.findByPk(person.quoteId)),
      user: !!(await User.findByPk(person.user.id)),
    };
  }
  const ALL = {
    claim: true,
    payment: true,
    note: true,
    revisions: 1,
    history: 1,
    document: true,
    documentFile: true,
    subscription: true,
    invoice: true,
    premiumPayment: true,
    acknowledgement: true,
    quote: true,
    user: true,
  };
  const NONE = {
    claim: false,
    payment: false,
    note: false,
    revisions: 0,
    history: 0,
    document: false,
    documentFile: false,
    subscription: false,
    invoice: false,
    premiumPayment: false,
    acknowledgement: false,
    quote: false,
    user: false,
  };

  it("deletes each kept group on its day, the users row last, and nobody else's rows; a second run deletes nothing", async () => {
    const person = await seedPerson(tenant.id);
    const bystander = await seedPerson(tenant.id);
    const stranger = await seedPerson(otherTenant.id);
    const erasureId = await erase(person);
    const strangerErasureId = await erase(stranger, otherAdmin);
    expect(await rowsLeft(person)).toEqual(ALL);
    // The erasure kept their quote but not where their home is.
    expect((await Quote.findByPk(person.quoteId, { rejectOnEmpty: true })).risk.postcode).toBe('[erased]');
    expect((await Quote.findByPk(bystander.quoteId, { rejectOnEmpty: true })).risk.postcode).toBe('10115');
    // Its schedule asked for after the erasure, rendered from the pseudonymised rows and stored (docs/subscriptions.md, Documents).
    const [schedule] = await ensureScheduleDocuments(stack.db.sequelize, stack.services.documents, person.subscriptionId);
    const scheduleFile = path.join(documentsDir, schedule.storageKey);
    expect(fs.existsSync(scheduleFile)).toBe(true);

    // Claims and acknowledgements fall due; policies and invoices are kept longer.
    await fallDue(erasureId, ['claims', 'acknowledgements']);
    const first = await runJob(KEPT_RECORDS_INPUT, 'keptRecordsWorkflow');
    expect(first).toMatchObject({ people: 1, peopleDeleted: 1, waiting: 0, held: 0, remaining: 0 });
    expect(first.deleted).toEqual({
      claims: 1,
      payments: 1,
      claim_notes: 1,
      claim_note_revisions: 1,
      claim_history: 1,
      claim_reserve_lines: 0,
      claim_reserve_changes: 0,
      claim_recoveries: 0,
      claim_documents: 1,
      acknowledgements: 1,
    });
    expect(await rowsLeft(person)).toEqual({
      ...NONE,
      subscription: true,
      invoice: true,
      premiumPayment: true,
      quote: true,
      user: true,
    });
    const halfway = await erasureOf(erasureId);
    expect(halfway.keptRows.deleted.claims).toEqual({ deleted: 1, deletedAt: expect.any(String) });
    expect(halfway.keptRows.deleted.acknowledgements).toMatchObject({ deleted: 1 });
    expect(halfway.keptRows.deleted.subscriptions).toBeUndefined();
    expect(halfway.keptRows.dueOn).toBe(halfway.tables.subscriptions.keepUntil);

    await fallDue(erasureId, ['subscriptions', 'users']);
    const second = await runJob();
    expect(second).toMatchObject({ people: 1, peopleDeleted: 1, waiting: 0 });
    expect(second.deleted).toEqual({
      subscriptions: 1,
      invoices: 1,
      premium_payments: 1,
      premium_refunds: 0,
      lapse_periods: 0,
      subscription_versions: 1,
      subscription_changes: 0,
      policy_documents: 1,
      quotes: 1,
      users: 1,
    });
    expect(await rowsLeft(person)).toEqual(NONE);
    expect(await SubscriptionVersion.count({ where: { subscriptionId: person.subscriptionId } })).toBe(0);
    expect(fs.existsSync(scheduleFile)).toBe(false);

    // Nothing is deleted twice: the next run finds no one due.
    expect(await runJob()).toMatchObject({ people: 0, peopleDeleted: 0, deleted: {}, held: 0, remaining: 0 });

    // The erasure outlives the users row and says what went and when.
    const done = await erasureOf(erasureId);
    expect(done.keptRows.dueOn).toBeNull();
    expect(done.keptRows.deleted).toMatchObject({
      claims: { deleted: 1 },
      claim_documents: { deleted: 1 },
      payments: { deleted: 1 },
      acknowledgements: { deleted: 1 },
      subscriptions: { deleted: 1 },
      invoices: { deleted: 1 },
      premium_payments: { deleted: 1 },
      users: { deleted: 1 },
    });
    const spec = allRoutes(stack.config).find((r) => r.method === 'get' && r.path === '/privacy/erasures/:id')!;
    expect(spec.response.schema!.validate(done, { allowUnknown: false }).error?.message).toBeUndefined();
    // One audit event per person and run, with the counts; the trail itself stays.
    const events = await AuditEvent.findAll({
      where: { entityId: erasureId, action: 'privacy_erasure.kept_rows_deleted' },
      order: [['occurredAt', 'ASC']],
    });
    expect(events.map((event) => event.changes.tables?.after)).toEqual([first.deleted, second.deleted]);
    expect(await AuditEvent.count({ where: { entityId: erasureId, action: 'privacy_erasure.completed' } })).toBe(1);

    // The person next door and the other tenant's erased person (not due) keep everything.
    expect(await rowsLeft(bystander)).toEqual(ALL);
    expect(await rowsLeft(stranger)).toEqual(ALL);
    expect((await erasureOf(strangerErasureId, otherAdmin)).keptRows.deleted).toEqual({});
    await stack.api.get(`/api/v1/privacy/erasures/${erasureId}`).set(as(otherAdmin)).expect(404);
  });

  it("keeps a held person's rows, reported as held, until the hold is released", async () => {
    const person = await seedPerson(tenant.id);
    const erasureId = await erase(person);
    const hold = await stack.api
      .post('/api/v1/privacy/holds')
      .set(as(officer))
      .send({ userId: person.user.id, reason: 'Litigation 2026-9' })
      .expect(201);
    const fellDueOn = await fallDue(erasureId, ['claims', 'subscriptions', 'acknowledgements', 'users']);

    expect(await runJob()).toMatchObject({ people: 0, deleted: {}, held: 1, remaining: 0 });
    expect(await rowsLeft(person)).toEqual(ALL);
    expect((await erasureOf(erasureId)).keptRows).toEqual({ dueOn: fellDueOn, deleted: {} });

    await stack.api.post(`/api/v1/privacy/holds/${hold.body.id}/release`).set(as(officer)).expect(200);
    const released = await runJob();
    expect(released).toMatchObject({ people: 1, peopleDeleted: 1, held: 0 });
    expect(released.deleted).toMatchObject({ claims: 1, subscriptions: 1, acknowledgements: 1, users: 1 });
    expect(await rowsLeft(person)).toEqual(NONE);
    // The hold's record stays, naming the person by ID.
    const holds = await stack.api.get(`/api/v1/privacy/holds?userId=${person.user.id}`).set(as(officer)).expect(200);
    expect(holds.body.items).toEqual([expect.objectContaining({ id: hold.body.id, releasedAt: expect.any(String) })]);
  });

  it('lets an open policy wait until the next day, and does at most maxPeople people per run', async () => {
    const open = await seedPerson(tenant.id, 'active');
    const other = await seedPerson(tenant.id);
    const openErasure = await erase(open);
    const otherErasure = await erase(other);
    await fallDue(openErasure, ['claims', 'subscriptions', 'acknowledgements', 'users']);
    await fallDue(otherErasure, ['claims', 'acknowledgements']);

    const bounded = await runJob({ peoplePerBatch: 1, maxPeople: 1 });
    expect(bounded).toMatchObject({ people: 1, remaining: 1 });
    const rest = await runJob({ peoplePerBatch: 1, maxPeople: 5 });
    expect(rest).toMatchObject({ people: 1, remaining: 0 });
    expect(bounded.peopleDeleted + rest.peopleDeleted).toBe(2);
    expect(bounded.waiting + rest.waiting).toBe(1);

    // The open policy, its invoices, the quote and the users row wait; its claim and acknowledgement are gone.
    expect(await rowsLeft(open)).toEqual({ ...NONE, subscription: true, invoice: true, premiumPayment: true, quote: true, user: true });
    // Looked at again the day after the today of the run that looked at it, either one (their days differ only across a midnight).
    expect([dayAfter(bounded.today), dayAfter(rest.today)]).toContain((await erasureOf(openErasure)).keptRows.dueOn);
    expect(await rowsLeft(other)).toMatchObject({ claim: false, acknowledgement: false, subscription: true, user: true });
  });

  it('keeps the users row, and only it, while a claim of someone else still names the person as its filer', async () => {
    const person = await seedPerson(tenant.id);
    const erasureId = await erase(person);
    // A claim the person filed for another policyholder: that policyholder's record, kept on its own terms.
    const theirs = await buildClaim({ tenantId: tenant.id, filedById: person.user.id, status: 'closed' });
    await fallDue(erasureId, ['claims', 'subscriptions', 'acknowledgements', 'users']);

    const result = await runJob();
    expect(result).toMatchObject({ people: 1, peopleDeleted: 1, waiting: 1 });
    expect(result.deleted).toMatchObject({ claims: 1, subscriptions: 1, acknowledgements: 1 });
    expect(result.deleted.users).toBeUndefined();
    expect(await rowsLeft(person)).toEqual({ ...NONE, user: true });
    expect(await Claim.findByPk(theirs.id)).toMatchObject({ filedById: person.user.id });
    // Only the users row's delete was rolled back: what cascades from it (the destroyed data key) is still there.
    expect(await PersonDataKey.count({ where: { userId: person.user.id } })).toBe(1);
    const erasure = await erasureOf(erasureId);
    expect(erasure.keptRows.deleted.users).toBeUndefined();
    expect(erasure.keptRows.dueOn).toBe(dayAfter(result.today));
  });

  it('runs every day from its Schedule, which the worker puts in place', async () => {
    const taskQueue = stack.config.temporal.taskQueue;
    const handle = stack.temporal.schedule.getHandle(keptRecordsScheduleId(taskQueue));
    expect(await ensureKeptRecordsSchedule(stack.temporal, taskQueue)).toBe('created');
    try {
      expect(await ensureKeptRecordsSchedule(stack.temporal, taskQueue)).toBe('updated');
      const schedule = await handle.describe();
      expect(schedule.spec.intervals).toMatchObject([{ every: DAY_MS }]);
      expect(schedule.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: KEPT_RECORDS_WORKFLOW_TYPE,
        args: [KEPT_RECORDS_INPUT],
      });

      const person = await seedPerson(tenant.id);
      const erasureId = await erase(person);
      await fallDue(erasureId, ['acknowledgements']);
      await handle.trigger();
      const described = await eventually(
        () => handle.describe(),
        (d) => d.info.recentActions.length > 0,
        'a run started by the schedule',
      );
      const run = stack.temporal.workflow.getHandle<KeptRecordsWorkflow>(described.info.recentActions[0].action.workflow.workflowId);
      expect(await resultOf(run)).toMatchObject({ people: 1, deleted: { acknowledgements: 1 } });
      expect(await Acknowledgement.findByPk(person.acknowledgementId)).toBeNull();
    } finally {
      await handle.delete();
    }
  });
});

describe('migration 0067', () => {
  const stack = testStackOfBlock();

  const userForeignKeys = async () =>
    (
      await stack.db.sequelize.query<{ conname: string }>(
        `SELECT conname FROM pg_constraint WHERE contype = 'f' AND conname IN ('privacy_erasures_user_id_fkey', 'privacy_legal_holds_user_id_fkey')`,
        { type: QueryTypes.SELECT },
      )
    ).map((row) => row.conname);

  it('goes back and forth, giving completed erasures their first due day from the keepUntil days they recorded', async () => {
    const tenant = await buildTenant();
    const [admin, person] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
    ]);
    const kept = (keepUntil: string | null) => ({ deleted: 0, pseudonymised: 0, kept: 1, keepUntil });
    const erasure = (status: 'completed' | 'running') =>
      PrivacyErasure.create({
        id: crypto.randomUUID(),
        tenantId: tenant.id,
        userId: person.id,
        requestedById: admin.id,
        reason: 'Data subject request',
        status,
        workflowId: `privacy-erasure-${crypto.randomUUID()}`,
        // Audit events are never deleted: their earlier day is not the erasure's due day.
        tables: {
          audit_events: kept('2030-01-01'),
          claims: kept('2034-05-02'),
          acknowledgements: kept('2032-05-02'),
          users: kept('2034-05-02'),
        },
      });
    const [completed, running] = [await erasure('completed'), await erasure('running')];
    expect(await userForeignKeys()).toEqual([]);

    const qi = stack.db.sequelize.getQueryInterface();
    await down(qi);
    expect((await userForeignKeys()).sort()).toEqual(['privacy_erasures_user_id_fkey', 'privacy_legal_holds_user_id_fkey']);
    await up(qi);
    expect(await userForeignKeys()).toEqual([]);
    expect(await PrivacyErasure.findByPk(completed.id)).toMatchObject({ keptRowsDueOn: '2032-05-02', keptRowsDeleted: {} });
    expect(await PrivacyErasure.findByPk(running.id)).toMatchObject({ keptRowsDueOn: null });
  });
});
