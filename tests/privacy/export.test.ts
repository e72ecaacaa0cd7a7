/**
 * Subject access export through the API with a real worker and the local document store: two
 * people of one tenant and one of another each have a subscription, an invoice, a claim with a
 * note and an uploaded document, and an acknowledgement. Person A's export holds A's rows and the
 * document's bytes, every file matching the manifest, and nothing of B or the other tenant; its
 * link downloads once (then 410), a run-out link is 410, and who may ask and see follows the
 * access rule (403 for a policyholder asking about someone else, 404 across tenants). A bad body
 * is 400 and writes nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  PrivacyErasure,
  PrivacyExport,
  type User,
  AuditEvent,
  ClaimDocument,
  ClaimNote,
  Invoice,
  Plan,
  PremiumPayment,
  SubscriptionChange,
  SubscriptionVersion,
} from '../../src/models';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPrivacyExportActivities } from '../../src/activities/privacy-export';
import { exportLinkSchema, privacyExportSchema } from '../../src/api/privacy/export-schemas';
import { documentKey, type DocumentStore } from '../../src/services/documents';
import { privacyExportRun } from '../../src/contracts/privacy-export';
import { bearer, buildAcknowledgement, buildClaim, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { recordHistory } from '../support/histories';
import { eventually } from '../support/waiting';
import { unzip } from '../support/zip';
import { buildQuote, RISK } from '../support/quote-rows';

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

interface Person {
  user: User;
  claimNumber: string;
  claimId: string;
  noteBody: string;
  documentBytes: Buffer;
  documentId: string;
  typedName: string;
  invoiceNumber: string;
  /** The street of the address a change of their policy moved to, in its version and in the change. */
  newStreet: string;
}

describe('subject access export', () => {
  const stack = testStackOfBlock({ worker: true });
  let admin: User;
  let otherAdmin: User;
  let a: Person;
  let b: Person;
  let c: Person;
  let exportId: string;
  let files: Map<string, Buffer>;

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const requestExport = (caller: User, userId: string, key?: string) => {
    const req = stack.api.post('/api/v1/privacy/exports').set(as(caller));
    return (key ? req.set('Idempotency-Key', key) : req).send({ userId });
  };
  const download = (url: string) => {
    const { pathname, search } = new URL(url);
    return stack.api
      .get(`${pathname}${search}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  };
  const readyExport = (id: string) =>
    eventually(
      () => PrivacyExport.findByPk(id, { rejectOnEmpty: true }),
      (row) => row.status === 'ready',
      `export ${id} ready`,
      60_000,
    );

  /** A person with a subscription, an invoice and its payment, a claim with a note and a stored document, and an acknowledgement. */
  async function seedPerson(tenantId: string, name: string): Promise<Person> {
    const user = await buildUser({
      tenantId,
      role: 'policyholder',
      fullName: `${name} Person`,
      email: `${name.toLowerCase()}@people.test`,
    });
    const subscription = await buildSubscription({ tenantId, policyholderId: user.id });
    // A quote they asked for, its risk naming their postcode (docs/quotes.md).
    await buildQuote(await Plan.findByPk(subscription.planId, { rejectOnEmpty: true }), {
      requestedById: user.id,
      risk: { ...RISK, postcode: `${name.toUpperCase().slice(0, 3)}1` },
    });
    const invoiceNumber = `INV-${name.toUpperCase()}-1`;
    const invoice = await Invoice.create({
      tenantId,
      subscriptionId: subscription.id,
      policyholderId: user.id,
      number: invoiceNumber,
      term: 1,
      sequence: 1,
      amountMinor: 45000,
      currency: 'EUR',
      dueDate: '2026-01-01',
    });
    await PremiumPayment.create({
      tenantId,
      invoiceId: invoice.id,
      amountMinor: 45000,
      currency: 'EUR',
      method: 'bank_transfer',
      reference: `PAY-${name}`,
      receivedAt: new Date(),
    });
    // Their policy's version 2, made by a change of its address (docs/subscriptions.md, Policy changes).
    const newStreet = `${name}weg 7`;
    const propertyAddress = { line1: newStreet, postalCode: '10115', city: 'Berlin', country: 'DE' };
    const change = await SubscriptionChange.create({
      tenantId,
      subscriptionId: subscription.id,
      status: 'applied',
      term: 0,
      effectiveDate: subscription.startDate!,
      requested: { propertyAddress },
      premiumBefore: subscription.premium,
      premiumAfter: subscription.premium,
      premiumDeltaMinor: 0,
      currency: 'EUR',
      requestedById: user.id,
    });
    const { planId, coverageAmount, premium } = subscription;
    const terms = { tenantId, subscriptionId: subscription.id, planId, coverageAmount, premium, currency: 'EUR' };
    // Version 1 is the policy as issued, written by the database as the row was inserted.
    await SubscriptionVersion.create({ ...terms, number: 2, effectiveFrom: subscription.startDate!, propertyAddress, changeId: change.id });
    const claim = await buildClaim({ subscriptionId: subscription.id, description: `${name}'s kitchen flood` });
    const noteBody = `${name} says the water came from upstairs`;
    await ClaimNote.create({ tenantId, claimId: claim.id, authorId: user.id, body: noteBody });
    const documentBytes = Buffer.from(`%PDF-1.4 ${name}'s receipt ${crypto.randomUUID()}`);
    const documentId = crypto.randomUUID();
    const storageKey = documentKey(tenantId, documentId);
    await stack.services.documents.write(storageKey, {
      bytes: documentBytes,
      contentType: 'application/pdf',
      sha256: sha256(documentBytes),
    });
    await ClaimDocument.create({
      id: documentId,
      tenantId,
      claimId: claim.id,
      uploadedById: user.id,
      fileName: `${name} receipt.pdf`,
      contentType: 'application/pdf',
      sizeBytes: documentBytes.length,
      sha256: sha256(documentBytes),
      storageKey,
    });
    const typedName = `${name} Signature`;
    await buildAcknowledgement({ tenantId, employeeId: user.id, typedName, clientAddress: '203.0.113.7', userAgent: `${name}Browser/1` });
    return {
      user,
      claimNumber: claim.claimNumber,
      claimId: claim.id,
      noteBody,
      documentBytes,
      documentId,
      typedName,
      invoiceNumber,
      newStreet,
    };
  }

  beforeAll(async () => {
    const tenant = await buildTenant();
    const otherTenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    otherAdmin = await buildUser({ tenantId: otherTenant.id, role: 'tenant_admin' });
    a = await seedPerson(tenant.id, 'Alice');
    b = await seedPerson(tenant.id, 'Bob');
    c = await seedPerson(otherTenant.id, 'Carol');

    const asked = await requestExport(a.user, a.user.id, 'export-alice-0001');
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ userId: a.user.id, requestedById: a.user.id, status: 'requested' });
    expect(privacyExportSchema.validate(asked.body).error).toBeUndefined();
    exportId = asked.body.id;
    expect(asked.body.workflowId).toBe(`privacy-export-${exportId}`);
    await readyExport(exportId);
  });

  it('answers a repeat with the same Idempotency-Key with the same export, and records one row', async () => {
    const again = await requestExport(a.user, a.user.id, 'export-alice-0001');
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(exportId);
    expect(await PrivacyExport.count({ where: { userId: a.user.id } })).toBe(1);
  });

  it('shows the ready export to its requester, without its storage key or link hash', async () => {
    const res = await stack.api.get(`/api/v1/privacy/exports/${exportId}`).set(as(a.user));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: exportId,
      status: 'ready',
      fileCount: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(privacyExportSchema.validate(res.body).error).toBeUndefined();
    expect(res.body).not.toHaveProperty('storageKey');
    expect(res.body).not.toHaveProperty('linkTokenHash');
  });

  it('downloads, once, a ZIP of A’s rows and document bytes that matches its manifest', async () => {
    const link = await stack.api.post(`/api/v1/privacy/exports/${exportId}/link`).set(as(a.user));
    expect(link.status).toBe(201);
    expect(exportLinkSchema.validate(link.body).error).toBeUndefined();
    expect(new Date(link.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const row = await PrivacyExport.findByPk(exportId, { rejectOnEmpty: true });
    const token = new URL(link.body.url).searchParams.get('token')!;
    expect(row.linkTokenHash).toBe(sha256(Buffer.from(token)));

    const res = await download(link.body.url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(sha256(res.body)).toBe(row.sha256);
    files = await unzip(res.body);

    const json = (name: string) => JSON.parse(files.get(name)!.toString('utf8'));
    expect(json('account.json')).toMatchObject({ id: a.user.id, email: a.user.email });
    expect(files.get('account.json')!.toString()).not.toMatch(/passwordHash|\$2a\$|\$argon2id\$/);
    expect(json('subscriptions.json')).toEqual([expect.objectContaining({ policyholderId: a.user.id })]);
    expect(json('subscription-versions.json').map((v: SubscriptionVersion) => [v.number, v.propertyAddress?.line1 ?? null])).toEqual([
      [1, null],
      [2, a.newStreet],
    ]);
    expect(json('subscription-changes.json')).toEqual([
      expect.objectContaining({ status: 'applied', requested: { propertyAddress: expect.objectContaining({ line1: a.newStreet }) } }),
    ]);
    expect(json('quotes.json')).toEqual([
      expect.objectContaining({ requestedById: a.user.id, risk: expect.objectContaining({ postcode: 'ALI1' }) }),
    ]);
    expect(json('invoices.json')).toEqual([expect.objectContaining({ number: a.invoiceNumber })]);
    expect(json('premium-payments.json')).toEqual([expect.objectContaining({ reference: 'PAY-Alice' })]);
    expect(json('claims.json')).toEqual([
      expect.objectContaining({ claimNumber: a.claimNumber, history: [expect.objectContaining({ toStatus: 'reported' })] }),
    ]);
    expect(json('claim-notes.json')).toEqual([expect.objectContaining({ body: a.noteBody })]);
    const [document] = json('claim-documents.json');
    expect(document).toMatchObject({ id: a.documentId, file: `documents/${a.documentId}-Alice_receipt.pdf` });
    expect(document).not.toHaveProperty('storageKey');
    expect(files.get(document.file)).toEqual(a.documentBytes);
    expect(json('acknowledgements.json')).toEqual([
      expect.objectContaining({ typedName: a.typedName, clientAddress: '203.0.113.7', userAgent: 'AliceBrowser/1' }),
    ]);
    const events = files
      .get('audit-events.jsonl')!
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(events).toContainEqual(expect.objectContaining({ action: 'privacy_export.request', entityId: exportId }));

    const manifest = json('manifest.json');
    expect(manifest.subject).toEqual({ id: a.user.id, tenantId: a.user.tenantId });
    expect([...files.keys()].sort()).toEqual([...manifest.files.map((f: { name: string }) => f.name), 'manifest.json'].sort());
    for (const file of manifest.files)
      expect({ name: file.name, sha256: sha256(files.get(file.name)!) }).toEqual({ name: file.name, sha256: file.sha256 });

    // Nothing of B, nor of the other tenant's person, in any file.
    const outsiders = [b, c].flatMap((p) => [
      p.user.email,
      p.user.id,
      p.claimId,
      p.noteBody,
      p.typedName,
      p.invoiceNumber,
      p.documentId,
      p.newStreet,
    ]);
    for (const [name, content] of files) {
      const text = content.toString('latin1');
      for (const outsider of [...outsiders, b.claimNumber, 'Bob', 'Carol'])
        expect({ name, has: text.includes(outsider), outsider }).toEqual({ name, has: false, outsider });
    }

    // Single use: the row is downloaded, a second use is 410, and no new link is given.
    await eventually(
      () => PrivacyExport.findByPk(exportId, { rejectOnEmpty: true }),
      (r) => r.status === 'downloaded' && r.downloadedAt !== null,
      'export downloaded',
    );
    const second = await download(link.body.url);
    expect(second.status).toBe(410);
    expect(JSON.parse(second.body.toString()).error.code).toBe('link_gone');
    expect((await stack.api.post(`/api/v1/privacy/exports/${exportId}/link`).set(as(a.user))).status).toBe(410);

    // The downloaded ZIP is gone from the store.
    await eventually(
      () =>
        stack.services.documents.read(row.storageKey!).then(
          (body) => (body.destroy(), 'stored'),
          () => 'removed',
        ),
      (state) => state === 'removed',
      'downloaded export removed from the store',
    );

    const actions = (await AuditEvent.findAll({ where: { entityType: 'privacy_export', entityId: exportId } })).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['privacy_export.request', 'privacy_export.ready', 'privacy_export.link', 'privacy_export.download']),
    );
    await recordHistory(stack.temporal.workflow.getHandle(privacyExportRun.id(exportId)), 'privacyExportWorkflow');
  });

  it('refuses a token that is not the link’s with 404, and a run-out link with 410', async () => {
    const asked = await requestExport(admin, b.user.id);
    expect(asked.status).toBe(202);
    await readyExport(asked.body.id);
    // The admin asked, so only the admin gets its link; its subject sees it but has no link (404).
    expect((await stack.api.get(`/api/v1/privacy/exports/${asked.body.id}`).set(as(b.user))).status).toBe(200);
    expect((await stack.api.post(`/api/v1/privacy/exports/${asked.body.id}/link`).set(as(b.user))).status).toBe(404);
    const link = await stack.api.post(`/api/v1/privacy/exports/${asked.body.id}/link`).set(as(admin));
    expect(link.status).toBe(201);

    const wrong = await download(`http://x/api/v1/privacy/exports/${asked.body.id}/download?token=${'A'.repeat(43)}`);
    expect(wrong.status).toBe(404);
    await PrivacyExport.update({ linkExpiresAt: new Date(Date.now() - 1000) }, { where: { id: asked.body.id } });
    const late = await download(link.body.url);
    expect(late.status).toBe(410);
    expect((await PrivacyExport.findByPk(asked.body.id, { rejectOnEmpty: true })).status).toBe('ready');
  });

  it('lets nobody else ask about a person or see their export', async () => {
    // Another tenant's admin: the user is not theirs (404), nor the export.
    expect((await requestExport(otherAdmin, a.user.id)).status).toBe(404);
    expect((await stack.api.get(`/api/v1/privacy/exports/${exportId}`).set(as(otherAdmin))).status).toBe(404);
    // A policyholder asking about someone else: 403, and nothing recorded.
    const refused = await requestExport(b.user, a.user.id);
    expect(refused.status).toBe(403);
    expect(await PrivacyExport.count({ where: { requestedById: b.user.id } })).toBe(0);
    // B is neither requester nor subject of A's export; A's tenant admin sees it.
    expect((await stack.api.get(`/api/v1/privacy/exports/${exportId}`).set(as(b.user))).status).toBe(404);
    expect((await stack.api.get(`/api/v1/privacy/exports/${exportId}`).set(as(admin))).status).toBe(200);
    expect((await stack.api.get(`/api/v1/privacy/exports/${crypto.randomUUID()}`).set(as(admin))).status).toBe(404);
    // The other tenant's person is still exportable by their own admin.
    expect((await requestExport(otherAdmin, c.user.id)).status).toBe(202);
  });

  it('puts a document a claims agent uploaded on B’s claim in B’s export, and none of it in the agent’s: their trail says what they did, not what B’s record held', async () => {
    const agent = await buildUser({ tenantId: admin.tenantId, role: 'claims_agent' });
    const bytes = Buffer.from(`%PDF-1.4 Bob's medical report ${crypto.randomUUID()}`);
    const uploaded = await stack.api
      .post(`/api/v1/claims/${b.claimId}/documents`)
      .set(as(agent))
      .send({
        fileName: 'medical report.pdf',
        contentType: 'application/pdf',
        contentBase64: bytes.toString('base64'),
        kind: 'medical_report',
      });
    expect(uploaded.status).toBe(201);
    const { gatherPrivacyExport } = createPrivacyExportActivities(stack.deps);
    /** The ZIP of a new export of `person`, gathered as the run's activity gathers it. */
    const exportOf = async (person: User) => {
      const id = crypto.randomUUID();
      await PrivacyExport.create({
        id,
        tenantId: person.tenantId!,
        userId: person.id,
        requestedById: admin.id,
        workflowId: `privacy-export-${id}`,
      });
      expect(await new MockActivityEnvironment().run(gatherPrivacyExport, id)).toBe('ready');
      const { storageKey } = await PrivacyExport.findByPk(id, { rejectOnEmpty: true });
      const body = await stack.services.documents.read(storageKey!);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const zipped = await unzip(Buffer.concat(chunks));
      const documents = (JSON.parse(zipped.get('claim-documents.json')!.toString('utf8')) as Array<{ id: string; file: string }>).map(
        (document) => [document.id, zipped.get(document.file)],
      );
      const trail = zipped.get('audit-events.jsonl')!.toString('utf8');
      return { documents, names: [...zipped.keys()].filter((name) => name.startsWith('documents/')), trail };
    };

    const agents = await exportOf(agent);
    expect(agents).toMatchObject({ documents: [], names: [] });
    // The upload is the agent's act, recorded on B's claim: what, on which record and when, without the record's content.
    const events = agents.trail
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(events).toContainEqual(
      expect.objectContaining({
        action: 'claim.document_upload',
        entityType: 'claim',
        entityId: b.claimId,
        actor: expect.objectContaining({ id: agent.id }),
      }),
    );
    for (const outsider of ['medical report.pdf', uploaded.body.id, b.user.id, b.user.email]) expect(agents.trail).not.toContain(outsider);
    const bobs = await exportOf(b.user);
    expect(bobs.documents).toEqual([
      [b.documentId, b.documentBytes],
      [uploaded.body.id, bytes],
    ]);
    expect(bobs.names).toHaveLength(2);
  });

  it('refuses a second export of a person while one is being gathered (409), recording nothing', async () => {
    const id = crypto.randomUUID();
    await PrivacyExport.create({
      id,
      tenantId: admin.tenantId!,
      userId: admin.id,
      requestedById: admin.id,
      workflowId: `privacy-export-${id}`,
      status: 'gathering',
    });
    const refused = await requestExport(admin, admin.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'userId' })]);
    expect(await PrivacyExport.count({ where: { userId: admin.id } })).toBe(1);
  });

  it('refuses an export of a person whose erasure is under way (409), recording nothing: its ZIP would keep what the erasure removes', async () => {
    const person = await buildUser({ tenantId: admin.tenantId });
    const erasure = await PrivacyErasure.create({
      id: crypto.randomUUID(),
      tenantId: admin.tenantId!,
      userId: person.id,
      requestedById: admin.id,
      reason: 'Data subject request',
      workflowId: `privacy-erasure-export-${person.id}`,
    });
    const requests = () => AuditEvent.count({ where: { tenantId: admin.tenantId, action: 'privacy_export.request' } });
    const requestsBefore = await requests();
    for (const status of ['pending', 'running'] as const) {
      await erasure.update({ status });
      const refused = await requestExport(admin, person.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'userId', rule: 'erasure_in_progress' })]);
    }
    expect(await PrivacyExport.count({ where: { userId: person.id } })).toBe(0);
    expect(await requests()).toBe(requestsBefore);
    // Once the erasure has ended (here blocked by a hold), the person's data may be exported again.
    await erasure.update({ status: 'blocked' });
    expect((await requestExport(admin, person.id)).status).toBe(202);
  });

  it('expires a ready export once its days have passed: the ZIP is removed, each step recorded once, however often run', async () => {
    const activities = createPrivacyExportActivities(stack.deps);
    const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A) =>
      new MockActivityEnvironment().run(activity, ...args);
    const asked = await requestExport(otherAdmin, otherAdmin.id);
    expect(asked.status).toBe(202);
    const ready = await readyExport(asked.body.id);
    const stored = () =>
      stack.services.documents.read(ready.storageKey!).then(
        (body) => (body.destroy(), true),
        () => false,
      );
    expect(await stored()).toBe(true);
    // A retried gathering of an export that is ready leaves it as it is.
    expect(await run(activities.gatherPrivacyExport, ready.id)).toBe('ready');
    const input = { tenantId: ready.tenantId, exportId: ready.id };
    expect(await run(activities.expirePrivacyExport, input)).toBe('expired');
    expect(await run(activities.expirePrivacyExport, input)).toBe('expired');
    expect(await stored()).toBe(false);
    expect((await PrivacyExport.findByPk(ready.id, { rejectOnEmpty: true })).status).toBe('expired');
    const events = async (action: string) => AuditEvent.count({ where: { entityId: ready.id, action } });
    expect([await events('privacy_export.ready'), await events('privacy_export.expire')]).toEqual([1, 1]);
    expect((await stack.api.post(`/api/v1/privacy/exports/${ready.id}/link`).set(as(otherAdmin))).status).toBe(410);
  });

  it('marks an export whose gathering kept failing failed, with its reason, once', async () => {
    const activities = createPrivacyExportActivities(stack.deps);
    const person = await buildUser({ tenantId: admin.tenantId });
    const id = crypto.randomUUID();
    await PrivacyExport.create({
      id,
      tenantId: person.tenantId!,
      userId: person.id,
      requestedById: person.id,
      workflowId: `privacy-export-${id}`,
    });
    for (let i = 0; i < 2; i++) await new MockActivityEnvironment().run(activities.failPrivacyExport, id, 'document store unreachable');
    expect(await PrivacyExport.findByPk(id, { rejectOnEmpty: true })).toMatchObject({
      status: 'failed',
      failureReason: 'document store unreachable',
    });
    expect(await AuditEvent.count({ where: { entityId: id, action: 'privacy_export.fail' } })).toBe(1);
  });

  describe('an attempt still running after Temporal gave up on it', () => {
    /** A call of the store held at one point until the test lets it go on. */
    function hold() {
      let reach!: () => void;
      let open!: () => void;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { reached, open, at: () => (reach(), opened) };
    }
    const storeWith = (change: Partial<DocumentStore>): DocumentStore => ({ ...stack.services.documents, ...change });
    const activitiesOn = (documents: DocumentStore) => createPrivacyExportActivities({ sequelize: stack.deps.sequelize, documents });
    const gather = (documents: DocumentStore, id: string, attempt: number) =>
      new MockActivityEnvironment({ attempt }).run(activitiesOn(documents).gatherPrivacyExport, id);
    const fail = (documents: DocumentStore, id: string) =>
      new MockActivityEnvironment().run(activitiesOn(documents).failPrivacyExport, id, 'gathering timed out');

    /** An attempt of gathering export `id`, held once it comes to store its ZIP until `writing.open()`. */
    async function attemptHeldAtWrite(id: string, attempt: number) {
      const writing = hold();
      const write: DocumentStore['writeStream'] = (key, object) =>
        writing.at().then(() => stack.services.documents.writeStream(key, object));
      const stale = gather(storeWith({ writeStream: write }), id, attempt);
      await writing.reached;
      return { stale, writing };
    }

    async function newExport() {
      const person = await buildUser({ tenantId: admin.tenantId });
      return PrivacyExport.create({
        id: crypto.randomUUID(),
        tenantId: person.tenantId!,
        userId: person.id,
        requestedById: person.id,
        workflowId: `privacy-export-${crypto.randomUUID()}`,
      });
    }
    /** The ZIPs on disk for an export, whatever key an attempt stored one under. */
    async function storedZips(row: PrivacyExport): Promise<string[]> {
      const storage = stack.config.documents;
      if (storage.kind !== 'local') throw new Error('these tests look into the local document store');
      const names = await fs.readdir(path.join(storage.dir, 'privacy', row.tenantId)).catch(() => [] as string[]);
      return names.filter((name) => name.startsWith(row.id) && name.endsWith('.zip'));
    }
    const outcome = async (row: PrivacyExport) => ({
      status: (await PrivacyExport.findByPk(row.id, { rejectOnEmpty: true })).status,
      zips: await storedZips(row),
      ready: await AuditEvent.count({ where: { entityId: row.id, action: 'privacy_export.ready' } }),
    });

    it('never marks ready a ZIP the failing export removed: it finishes after the removal, before the row is failed', async () => {
      const row = await newExport();
      const stored = hold();
      const removed = hold();
      const stale = gather(
        storeWith({ writeStream: (key, object) => stack.services.documents.writeStream(key, object).then(stored.at) }),
        row.id,
        8,
      );
      await stored.reached;
      const failing = fail(storeWith({ remove: (key) => stack.services.documents.remove(key).then(removed.at) }), row.id);
      await removed.reached;
      stored.open();
      await stale;
      removed.open();
      await failing;
      expect(await outcome(row)).toEqual({ status: 'failed', zips: [], ready: 0 });
    });

    it('removes the ZIP it stores once its export has failed, so no copy of the person’s data is left behind', async () => {
      const row = await newExport();
      const { stale, writing } = await attemptHeldAtWrite(row.id, 8);
      await fail(stack.services.documents, row.id);
      writing.open();
      expect(await stale).toBe('failed');
      expect(await outcome(row)).toEqual({ status: 'failed', zips: [], ready: 0 });
    });

    it('leaves the ZIP of the attempt that marked the export ready as it was, however late an earlier attempt stores its own', async () => {
      const row = await newExport();
      const { stale, writing } = await attemptHeldAtWrite(row.id, 1);
      expect(await gather(stack.services.documents, row.id, 2)).toBe('ready');
      writing.open();
      expect(await stale).toBe('ready');
      const ready = await PrivacyExport.findByPk(row.id, { rejectOnEmpty: true });
      const bytes = await new Promise<Buffer>((resolve, reject) => {
        void stack.services.documents.read(ready.storageKey!).then((body) => {
          const chunks: Buffer[] = [];
          body.on('data', (chunk: Buffer) => chunks.push(chunk));
          body.on('end', () => resolve(Buffer.concat(chunks)));
          body.on('error', reject);
        }, reject);
      });
      expect({ bytes: bytes.length, sha256: sha256(bytes) }).toEqual({ bytes: ready.sizeBytes, sha256: ready.sha256 });
      expect(await outcome(row)).toEqual({ status: 'ready', zips: [path.basename(ready.storageKey!)], ready: 1 });
    });
  });

  it('documents 410 on the link routes, and keeps the routes for people (no API key)', async () => {
    const { body: doc } = await stack.api.get('/api/openapi.json').expect(200);
    const download = doc.paths['/api/v1/privacy/exports/{id}/download'].get;
    expect(Object.keys(download.responses)).toEqual(expect.arrayContaining(['200', '404', '410', '503']));
    expect(download.security).toEqual([]);
    expect(Object.keys(doc.paths['/api/v1/privacy/exports/{id}/link'].post.responses)).toEqual(
      expect.arrayContaining(['201', '409', '410']),
    );
    expect(Object.keys(doc.paths['/api/v1/privacy/exports'].post.responses)).not.toContain('410');
    expect(doc.paths['/api/v1/privacy/exports'].post.security).toEqual([{ bearerAuth: [] }]);
  });

  it('answers a bad body with 400 and writes nothing', async () => {
    const before = await PrivacyExport.count();
    for (const body of [{}, { userId: 'not-a-uuid' }, { userId: a.user.id, extra: 'x' }, { userId: 'x'.repeat(5000) }]) {
      const res = await stack.api.post('/api/v1/privacy/exports').set(as(a.user)).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect(await PrivacyExport.count()).toBe(before);
  });
});
