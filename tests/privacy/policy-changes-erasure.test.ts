/**
 * A policyholder's erasure reaches their policy's versions, changes and stored schedules
 * (docs/privacy.md, What becomes of each record), on the real API, worker, PostgreSQL and local
 * document store: the phone and the street lines go from every version's terms, from what each
 * version moved and from what each change asked for; the terms and figures stay; the stored
 * schedule PDFs (name and address as they stood) go, file and row, and one rendered again shows
 * the pseudonym and the erased street. Another holder's rows are untouched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureScheduleDocuments } from '../../src/domain/subscriptions/schedule-document';
import { PolicyDocument, Subscription, SubscriptionChange, SubscriptionVersion, type Tenant, User } from '../../src/models';
import { bearer, buildSubscription, buildTenantWithAdmin, buildUser } from '../support/factories';
import { pdfText, popplerTool } from '../support/poppler';
import { describeNeeding } from '../support/required-tool';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

const OLD_ADDRESS = { line1: 'Lindenallee 3', line2: 'Hinterhaus', postalCode: '50667', city: 'Köln', country: 'DE' };
const NEW_ADDRESS = { line1: 'Rosenweg 12', postalCode: '50667', city: 'Köln', country: 'DE' };
const ERASED_ADDRESS = { line1: '[erased]', postalCode: '50667', city: 'Köln', country: 'DE' };

interface Holder {
  user: User;
  subscription: Subscription;
  change: SubscriptionChange;
  pending: SubscriptionChange;
}

describeNeeding(popplerTool(), 'privacy: erasure of policy versions, changes and schedules', () => {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-policy-erasure-'));
  const stack = testStackOfBlock({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    ({ tenant, admin } = await buildTenantWithAdmin());
  });
  afterAll(async () => {
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  /**
   * A holder whose policy was issued at OLD_ADDRESS with a phone (version 1, by the trigger when
   * dated), changed to NEW_ADDRESS and another phone (version 2, as carrying out leaves it), with a
   * further change of phone scheduled, and the schedules of both versions stored.
   */
  async function holder(name: string): Promise<Holder> {
    const user = await buildUser({ tenantId: tenant.id, role: 'policyholder', fullName: `${name} Schmidt` });
    const subscription = await buildSubscription({
      tenantId: tenant.id,
      policyholderId: user.id,
      status: 'pending',
      propertyAddress: OLD_ADDRESS,
      holderPhone: '+4922112345',
    });
    await subscription.update({ status: 'active', startDate: '2026-01-15', endDate: '2027-01-15' });
    const common = {
      tenantId: tenant.id,
      subscriptionId: subscription.id,
      term: 0,
      premiumBefore: subscription.premium,
      premiumAfter: subscription.premium,
      premiumDeltaMinor: 0,
      currency: subscription.currency!,
      requestedById: user.id,
    };
    const change = await SubscriptionChange.create({
      ...common,
      status: 'applied',
      effectiveDate: '2026-06-01',
      requested: { propertyAddress: NEW_ADDRESS, holderPhone: '+4922154321' },
    });
    const [first] = await SubscriptionVersion.findAll({ where: { subscriptionId: subscription.id } });
    await SubscriptionVersion.create({
      ...first.get({ plain: true }),
      id: undefined,
      number: 2,
      effectiveFrom: '2026-06-01',
      propertyAddress: NEW_ADDRESS,
      holderPhone: '+4922154321',
      changeId: change.id,
      fieldChanges: {
        propertyAddress: { before: OLD_ADDRESS, after: NEW_ADDRESS },
        holderPhone: { before: '+4922112345', after: '+4922154321' },
      },
    });
    await subscription.update({ propertyAddress: NEW_ADDRESS, holderPhone: '+4922154321' });
    const pending = await SubscriptionChange.create({
      ...common,
      status: 'scheduled',
      effectiveDate: '2026-12-20',
      requested: { holderPhone: '+4922199999', planId: subscription.planId },
    });
    expect(await ensureScheduleDocuments(stack.db.sequelize, stack.services.documents, subscription.id)).toHaveLength(2);
    return { user, subscription, change, pending };
  }

  const versionsOf = (subscription: Subscription) =>
    SubscriptionVersion.findAll({ where: { subscriptionId: subscription.id }, order: [['number', 'ASC']] });
  const storedFiles = async (subscription: Subscription) =>
    (await PolicyDocument.findAll({ where: { subscriptionId: subscription.id } })).map((document) =>
      path.join(documentsDir, document.storageKey),
    );
  const readPdf = async (document: PolicyDocument) => pdfText(fs.readFileSync(path.join(documentsDir, document.storageKey)));

  it('erases the contact in versions, changes and schedules, keeps the terms, and leaves another holder as they were', async () => {
    const person = await holder('Greta');
    const other = await holder('Hanna');
    const files = await storedFiles(person.subscription);
    expect(files.every((file) => fs.existsSync(file))).toBe(true);
    expect(await readPdf((await PolicyDocument.findAll({ where: { subscriptionId: person.subscription.id } }))[0])).toContain(
      'Lindenallee 3',
    );
    const versionsBefore = await versionsOf(person.subscription);

    const requested = await stack.api
      .post('/api/v1/privacy/erasures')
      .set({ Authorization: bearer(stack.config, admin) })
      .set('Idempotency-Key', `policy-erasure-${person.user.id}`)
      .send({ userId: person.user.id, reason: 'Data subject request 2026-201' })
      .expect(202);
    const erasure = await eventually(
      async () =>
        (await stack.api.get(`/api/v1/privacy/erasures/${requested.body.id}`).set({ Authorization: bearer(stack.config, admin) })).body,
      (body) => body.status === 'completed' || body.status === 'blocked',
      'the erasure finished',
      30_000,
    );
    expect(erasure.status).toBe('completed');
    expect(erasure.stepsDone).toEqual(expect.arrayContaining(['policy_changes', 'policy_documents']));

    // Every version: no phone, the street erased, what it moved erased alike; its terms and figures as they were.
    const versions = await versionsOf(person.subscription);
    expect(versions.map((version) => [version.number, version.holderPhone, version.propertyAddress])).toEqual([
      [1, null, ERASED_ADDRESS],
      [2, null, ERASED_ADDRESS],
    ]);
    expect(versions[1].fieldChanges).toEqual({
      propertyAddress: { before: ERASED_ADDRESS, after: ERASED_ADDRESS },
      holderPhone: { before: null, after: null },
    });
    for (const [i, version] of versions.entries())
      expect(version).toMatchObject({
        planId: versionsBefore[i].planId,
        coverageAmount: versionsBefore[i].coverageAmount,
        premium: versionsBefore[i].premium,
        effectiveFrom: versionsBefore[i].effectiveFrom,
      });
    // What the changes asked for: no phone, the street erased; the rest as asked (the scheduled one still moves the plan).
    expect((await SubscriptionChange.findByPk(person.change.id))!.requested).toEqual({ propertyAddress: ERASED_ADDRESS });
    expect((await SubscriptionChange.findByPk(person.pending.id))!.requested).toEqual({ planId: person.subscription.planId });
    expect(erasure.tables).toMatchObject({
      subscription_versions: { pseudonymised: 2, kept: 0 },
      subscription_changes: { pseudonymised: 2, kept: 0 },
      policy_documents: { deleted: 2, keepUntil: null },
    });
    expect(erasure.tables.subscription_versions.keepUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // The stored schedules: rows and files gone; rendered again, they show the pseudonym and the erased street.
    expect(await PolicyDocument.count({ where: { subscriptionId: person.subscription.id } })).toBe(0);
    expect(files.some((file) => fs.existsSync(file))).toBe(false);
    const [again] = await ensureScheduleDocuments(stack.db.sequelize, stack.services.documents, person.subscription.id);
    const text = await readPdf(again);
    const pseudonym = (await User.findByPk(person.user.id, { rejectOnEmpty: true })).fullName;
    expect(text).toContain(pseudonym);
    for (const gone of ['Greta', 'Lindenallee', 'Hinterhaus', 'Rosenweg', '4922154321'])
      expect({ gone, found: text.includes(gone) }).toEqual({ gone, found: false });

    // The other holder: versions, changes and schedules untouched.
    expect((await versionsOf(other.subscription)).map((version) => version.holderPhone)).toEqual(['+4922112345', '+4922154321']);
    expect((await SubscriptionChange.findByPk(other.pending.id))!.requested).toMatchObject({ holderPhone: '+4922199999' });
    expect((await storedFiles(other.subscription)).every((file) => fs.existsSync(file))).toBe(true);
  });
});
