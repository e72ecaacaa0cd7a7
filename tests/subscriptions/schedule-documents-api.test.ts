/**
 * A policy's documents over HTTP (the real API on PostgreSQL and the local document store): the
 * list only reads (a policy dated without its run, as before the runs made schedules, lists none
 * and a look makes no PDF); the one-off back-fill makes each missing schedule once; the download
 * answers the PDF; the holder and the tenant's staff see them, nobody else does. With the documents
 * in S3 (a real MinIO server) that stops answering, the list still answers (it reads no store), the
 * download and the back-fill fail within the store's deadline and record nothing. End to end, the
 * run that issues a policy makes version 1's schedule before anyone lists, and a change applied by
 * the run gets its version's schedule, which its e-mail links to.
 */
import crypto from 'node:crypto';
import supertest from 'supertest';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { backfillScheduleDocuments } from '../../src/domain/subscriptions/schedule-document';
import { PolicyDocument, SubscriptionVersion, type Subscription, type User } from '../../src/models';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { housePlanThroughApi } from '../support/catalog-api';
import { utcDayLasting } from '../support/utc-days';
import { eventually } from '../support/waiting';
import { describeNeeding } from '../support/required-tool';
import { pdfText, popplerTool } from '../support/poppler';
import { startTestStack, type TestStack } from '../support/stack';

/** supertest keeps a PDF's bytes as they came. */
const bytesOf = (request: supertest.Test) =>
  request.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

describeNeeding(popplerTool(), 'policy documents API', () => {
  let stack: TestStack;
  let holder: User;
  let subscription: Subscription;
  let otherSubscription: Subscription;
  const auth = {} as Record<'holder' | 'neighbour' | 'agent' | 'outsider', string>;

  beforeAll(async () => {
    stack = await startTestStack();
    const tenant = await buildTenant();
    const other = await buildTenant();
    let neighbour: User;
    let agent: User;
    let outsider: User;
    [holder, neighbour, agent, outsider] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder', fullName: 'Erika Mustermann', locale: 'de' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: other.id, role: 'policyholder' }),
    ]);
    auth.holder = bearer(stack.config, holder);
    auth.neighbour = bearer(stack.config, neighbour);
    auth.agent = bearer(stack.config, agent);
    auth.outsider = bearer(stack.config, outsider);
    const plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    // Inserted pending and then dated, as the run does: the dating writes version 1.
    subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id, status: 'pending' });
    await subscription.update({ status: 'active', startDate: '2026-03-01', endDate: '2027-03-01' });
    otherSubscription = await buildSubscription({ planId: plan.id, policyholderId: neighbour.id, status: 'pending' });
    await otherSubscription.update({ status: 'active', startDate: '2026-03-01', endDate: '2027-03-01' });
  });
  afterAll(() => stack?.close());

  const list = (subscriptionId: string, who: string) =>
    stack.api.get(`/api/v1/subscriptions/${subscriptionId}/documents`).set('Authorization', who);
  const download = (subscriptionId: string, documentId: string, who: string) =>
    bytesOf(stack.api.get(`/api/v1/subscriptions/${subscriptionId}/documents/${documentId}`).set('Authorization', who));

  it('a look makes no PDF: a policy whose schedule was never made lists nothing, however often it is listed', async () => {
    for (const who of [auth.holder, auth.agent, auth.holder]) {
      expect((await list(subscription.id, who).expect(200)).body.items).toEqual([]);
    }
    expect(await PolicyDocument.count()).toBe(0);
  });

  it("the back-fill makes version 1's schedule of each policy lacking one, once: run again it makes nothing", async () => {
    expect(await backfillScheduleDocuments(stack.db.sequelize, stack.services.documents)).toBe(2);
    const made = await PolicyDocument.findAll({ order: [['id', 'ASC']] });
    expect(made.map((document) => document.subscriptionId).sort()).toEqual([subscription.id, otherSubscription.id].sort());
    expect(await backfillScheduleDocuments(stack.db.sequelize, stack.services.documents)).toBe(0);
    expect((await PolicyDocument.findAll({ order: [['id', 'ASC']] })).map((document) => document.id)).toEqual(
      made.map((document) => document.id),
    );
  });

  it("lists version 1's schedule in the holder's language and answers it as a PDF to the holder and the staff", async () => {
    const listed = await list(subscription.id, auth.holder).expect(200);
    expect(listed.body.items).toEqual([
      {
        id: expect.any(String),
        subscriptionId: subscription.id,
        versionId: expect.any(String),
        versionNumber: 1,
        effectiveFrom: '2026-03-01',
        kind: 'schedule',
        language: 'de',
        contentType: 'application/pdf',
        sizeBytes: expect.any(Number),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        createdAt: expect.any(String),
      },
    ]);
    const [document] = listed.body.items;
    // A second look, by the staff this time, finds the same document.
    const again = await list(subscription.id, auth.agent).expect(200);
    expect(again.body.items.map((d: { id: string }) => d.id)).toEqual([document.id]);
    expect(await PolicyDocument.count({ where: { subscriptionId: subscription.id } })).toBe(1);

    for (const who of [auth.holder, auth.agent]) {
      const answer = await download(subscription.id, document.id, who).expect(200);
      expect(answer.headers['content-type']).toBe('application/pdf');
      expect(answer.headers['content-disposition']).toBe(`attachment; filename="${subscription.policyNumber}-v1-schedule-de.pdf"`);
      expect(answer.headers.etag).toBe(`"${document.sha256}"`);
      expect(answer.headers['cache-control']).toBe('no-store');
      const pdf = answer.body as Buffer;
      expect(pdf.length).toBe(document.sizeBytes);
      const text = await pdfText(pdf);
      expect(text).toContain(`Versicherungsschein ${subscription.policyNumber}`);
      expect(text).toContain('Versicherungsnehmer: Erika Mustermann');
      expect(text).toContain('Versicherungssumme: 100.000,00 €');
      expect(text).toContain('Beitrag für den Zeitraum: 450,00 €');
    }
  });

  it("another holder's or another tenant's policy, a document of another policy and an unknown one are 404; a malformed id is 400", async () => {
    const [document] = (await list(subscription.id, auth.holder).expect(200)).body.items;
    const [othersDocument] = (await list(otherSubscription.id, auth.agent).expect(200)).body.items;
    const documentsBefore = await PolicyDocument.count();

    for (const who of [auth.neighbour, auth.outsider]) {
      expect((await list(subscription.id, who).expect(404)).body.error.code).toBe('not_found');
      await download(subscription.id, document.id, who).expect(404);
    }
    // The holder's own policy in the path does not open another policy's document.
    await download(subscription.id, othersDocument.id, auth.holder).expect(404);
    await download(subscription.id, '5d0c4b57-4c55-4a8e-9a40-5f4a1f0f6f1e', auth.holder).expect(404);
    const malformed = await download(subscription.id, 'schedule.pdf', auth.holder).expect(400);
    expect(JSON.parse(String(malformed.body)).error.code).toBe('validation_failed');
    // Refused callers made nothing.
    expect(await PolicyDocument.count()).toBe(documentsBefore);
  });
});

/** The store's deadline, and the bound of an answer that meets a hung store: the deadline and room for a loaded 2-core machine. */
const STORE_TIMEOUT_MS = 750;
const ANSWER_WITHIN_MS = STORE_TIMEOUT_MS + 1500;

describeNeeding(popplerTool(), 'policy documents API with the store down', () => {
  let s3: S3Server;
  let stack: TestStack;
  let subscription: Subscription;
  let holderAuth: string;

  beforeAll(async () => {
    s3 = await startS3Server();
    stack = await startTestStack({ env: { ...s3.env(`policies-${crypto.randomUUID()}`), S3_TIMEOUT_MS: String(STORE_TIMEOUT_MS) } });
    const holder = await buildUser({ role: 'policyholder' });
    holderAuth = bearer(stack.config, holder);
    subscription = await buildSubscription({ policyholderId: holder.id, status: 'pending' });
    await subscription.update({ status: 'active', startDate: '2026-03-01', endDate: '2027-03-01' });
  });
  afterAll(async () => {
    s3?.resume();
    await stack?.close();
    await s3?.stop();
  });

  async function expectStoreOutage(request: supertest.Test) {
    const started = Date.now();
    const answer = await request;
    expect(answer.status).toBe(503);
    // A download's bytes are kept as they came (`bytesOf`): its error is JSON in them.
    const body = Buffer.isBuffer(answer.body) ? JSON.parse(answer.body.toString('utf8')) : answer.body;
    expect(body.error).toMatchObject({
      code: 'dependency_unavailable',
      details: [expect.objectContaining({ dependency: 's3' })],
    });
    expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
  }

  it('while S3 hangs the list answers (it reads no store), the back-fill fails within the deadline recording nothing and makes it once S3 is back; the download answers 503', async () => {
    const path = `/api/v1/subscriptions/${subscription.id}/documents`;
    s3.pause();
    try {
      expect((await stack.api.get(path).set('Authorization', holderAuth).expect(200)).body.items).toEqual([]);
      const started = Date.now();
      await expect(backfillScheduleDocuments(stack.db.sequelize, stack.services.documents)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
      expect(await PolicyDocument.count({ where: { subscriptionId: subscription.id } })).toBe(0);
    } finally {
      s3.resume();
    }
    expect(await backfillScheduleDocuments(stack.db.sequelize, stack.services.documents)).toBe(1);
    const listed = await stack.api.get(path).set('Authorization', holderAuth).expect(200);
    expect(listed.body.items).toHaveLength(1);
    const [document] = listed.body.items;

    s3.pause();
    try {
      await expectStoreOutage(bytesOf(stack.api.get(`${path}/${document.id}`).set('Authorization', holderAuth)));
    } finally {
      s3.resume();
    }
    const pdf = (await bytesOf(stack.api.get(`${path}/${document.id}`).set('Authorization', holderAuth)).expect(200)).body as Buffer;
    expect(await pdfText(pdf)).toContain(`Policy schedule ${subscription.policyNumber}`);
  });
});

describeNeeding(popplerTool(), 'the schedule of a change applied by the run', () => {
  let stack: TestStack;
  let holder: User;
  const auth = {} as Record<'holder' | 'admin', string>;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    const tenant = await buildTenant();
    let admin: User;
    [holder, admin] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'en' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
    ]);
    auth.holder = bearer(stack.config, holder);
    auth.admin = bearer(stack.config, admin);
  });
  afterAll(() => stack?.close());

  it("issue, change the plan today through the API: version 2's schedule says the new terms and the quoted additional premium, and the e-mail links to it", async () => {
    // The policy, issued today, and the raise of cover effective today, quoted and confirmed: one UTC day, as the API counts it.
    const today = await utcDayLasting();
    const house = await housePlanThroughApi(stack, auth.admin);
    const better = await buildPlan({ categoryId: house.categoryId, name: 'House Plus', coverageAmount: '150000.00', premium: '420.00' });
    const path = (rest = '') => `/api/v1/subscriptions/${id}${rest}`;
    const created = await stack.api.post('/api/v1/subscriptions').set('Authorization', auth.holder).send({ planId: house.id }).expect(202);
    const id = created.body.id as string;
    await eventually(
      () => stack.api.get(path()).set('Authorization', auth.holder).expect(200),
      (res) => res.body.status === 'active',
      `subscription ${id} active`,
    );
    // The run that issued it made version 1's schedule: nobody has listed the documents yet.
    const [first] = await eventually(
      () => PolicyDocument.findAll({ where: { subscriptionId: id } }),
      (documents) => documents.length > 0,
      `version 1's schedule of ${id}, made by its run`,
    );
    expect(first).toMatchObject({ kind: 'schedule', language: 'en' });
    expect((await SubscriptionVersion.findByPk(first.versionId))?.number).toBe(1);
    const quoted = await stack.api
      .post(path('/changes'))
      .set('Authorization', auth.holder)
      .send({ effectiveDate: today, planId: better.id })
      .expect(201);
    await stack.api
      .post(path(`/changes/${quoted.body.id}/apply`))
      .set('Authorization', auth.holder)
      .expect(200);
    await eventually(
      () =>
        stack.api
          .get(path(`/changes/${quoted.body.id}`))
          .set('Authorization', auth.holder)
          .expect(200),
      (res) => res.body.status === 'applied',
      `change ${quoted.body.id} applied`,
    );

    // The run's step after the change stores version 2's schedule; the list only shows what is stored.
    const listed = await eventually(
      () => stack.api.get(path('/documents')).set('Authorization', auth.holder).expect(200),
      (res) => res.body.items.length === 2,
      `version 2's schedule of ${id}, made by its run`,
    );
    expect(listed.body.items.map((d: { versionNumber: number; language: string }) => [d.versionNumber, d.language])).toEqual([
      [1, 'en'],
      [2, 'en'],
    ]);
    const second = listed.body.items[1];
    const text = await pdfText((await download(second.id).expect(200)).body as Buffer);
    const money = (amount: string) =>
      new Intl.NumberFormat('en', { style: 'currency', currency: quoted.body.currency }).format(Number(amount)).replace(/\u00a0/g, ' ');
    const onDay = new Intl.DateTimeFormat('en', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).format(
      new Date(`${today}T00:00:00Z`),
    );
    expect(text).toContain(`Version 2, effective from ${onDay}`);
    expect(text).toContain('Plan: House Plus');
    expect(text).toContain(`Sum insured: ${money('150000.00')}`);
    expect(text).toContain('Changed: plan, sum insured, premium');
    expect(text).toContain(`Premium before the change: ${money('300.00')}`);
    expect(text).toContain(`Premium after the change: ${money('420.00')}`);
    expect(text).toContain(`Additional premium for the rest of the period: ${money(quoted.body.premiumDelta)}`);
    // The run stored it when it carried the change out, and its e-mail names it.
    await stack.smtp.waitFor((m) => m.to.includes(holder.email) && m.text.includes(`/subscriptions/${id}/documents/${second.id}`));

    function download(documentId: string) {
      return bytesOf(stack.api.get(path(`/documents/${documentId}`)).set('Authorization', auth.holder));
    }
  });
});
