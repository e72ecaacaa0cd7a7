/**
 * A policy change carried out by the subscription's run on the time-skipping server, with its
 * real activities (PostgreSQL, a real SMTP sink, a local document store): a change effective later
 * is held on a durable timer and applied on its date (the row, version 2, the additional
 * premium's invoices, the e-mail linking the version's schedule); one withdrawn before its date is
 * never applied; the Updates' validators refuse who may not ask and what may not happen now.
 * Until the API's routes exist the Updates are sent through the Temporal client, as the API does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSubscriptionChangeActivities } from '../../../src/activities/subscription-changes';
import {
  applyPolicyChangeUpdate,
  cancelSubscriptionUpdate,
  renewSubscriptionUpdate,
  type SubscriptionActor,
  type SubscriptionWorkflow,
  subscriptionStateQuery,
  withdrawPolicyChangeUpdate,
} from '../../../src/contracts/subscription';
import { cardMinimumMinor } from '../../../src/shared/card-minimum';
import { changeInstalments, priceChange } from '../../../src/domain/subscriptions/changes/pricing';
import { Invoice, type Plan, PolicyDocument, Subscription, SubscriptionChange, SubscriptionVersion, type User } from '../../../src/models';
import type { RequestedChange } from '../../../src/models/subscription-change';
import { localDocumentStore } from '../../../src/services/documents/local-store';
import { addMonths } from '../../../src/shared/instalments';
import { DAY_MS } from '../../../src/shared/time';
import { buildCategory, buildPlan, buildTenant, buildUser } from '../../support/factories';
import { recordHistory } from '../../support/histories';
import { startTimeSkippingStack, type TimeSkippingStack } from '../../support/time-skipping-stack';
import { startActivePolicy } from '../../support/policy-runs';
import { waitUntil } from '../../support/waiting';
import { aboutPolicy } from '../../support/policy-mails';
import { pdfText } from '../../support/poppler';

const TASK_QUEUE = 'policy-changes-time-skipping';

describe('policy changes carried out by the subscription run (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let documentsDir: string;
  let holder: User;
  let otherHolder: User;
  let agent: User;
  let basic: Plan;
  let plus: Plan;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    env = stack.env;
    // The worker's schedule step needs a document store: a local one, as a worker without S3 has.
    documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-change-documents-'));
    const documents = localDocumentStore(documentsDir);
    await stack.startWorker(TASK_QUEUE, createSubscriptionChangeActivities({ ...stack.deps, documents }));
    const tenant = await buildTenant();
    [holder, otherHolder, agent] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'en' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
    ]);
    const category = await buildCategory({ tenantId: tenant.id, name: 'Contents' });
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR', durationMonths: 12 };
    basic = await buildPlan({ ...terms, name: 'Contents Basic', premium: '120.00', coverageAmount: '50000.00' });
    plus = await buildPlan({ ...terms, name: 'Contents Plus', premium: '240.00', coverageAmount: '90000.00' });
  });

  afterAll(async () => {
    await stack?.close();
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  const as = (user: User): SubscriptionActor => ({ userId: user.id, role: user.role });
  const subscriptionIdOf = (handle: WorkflowHandle) => handle.workflowId.replace('subscription-', '');
  const mailsFor = async (handle: WorkflowHandle, subject: string) => {
    const about = await aboutPolicy(subscriptionIdOf(handle));
    return stack.smtp.messages.filter((m) => about(m) && m.subject.includes(subject));
  };

  /** The holder's policy on the basic plan, active (its tenant collects premiums elsewhere), its term billed. */
  const subscribe = () => startActivePolicy(env.client, TASK_QUEUE, basic, holder);

  /** A change priced as the API prices it (pro rata to the day, spread over the unpaid instalments from its date). */
  async function quote(row: Subscription, effectiveDate: string, requested: RequestedChange): Promise<SubscriptionChange> {
    const after = requested.planId ? [basic, plus].find((plan) => plan.id === requested.planId)!.premium : row.premium;
    const deltaMinor = priceChange({
      premiumBeforeMinor: Math.round(Number(row.premium) * 100),
      premiumAfterMinor: Math.round(Number(after) * 100),
      termStart: row.startDate!,
      termEnd: row.endDate!,
      effectiveDate,
    });
    const unpaid = await Invoice.findAll({ where: { subscriptionId: row.id, status: 'open' } });
    return SubscriptionChange.create({
      tenantId: row.tenantId,
      subscriptionId: row.id,
      term: row.renewalCount,
      effectiveDate,
      requested,
      premiumBefore: row.premium,
      premiumAfter: after,
      premiumDeltaMinor: deltaMinor,
      currency: 'EUR',
      instalments: changeInstalments({
        deltaMinor,
        effectiveDate,
        today: row.startDate!,
        billing: 'next_instalments',
        unpaidDueDates: unpaid.map((invoice) => String(invoice.dueDate)),
        minimumMinor: cardMinimumMinor('EUR'),
      }),
      requestedById: holder.id,
    });
  }

  const confirm = (handle: WorkflowHandle<SubscriptionWorkflow>, change: SubscriptionChange, by: User = holder) =>
    handle.executeUpdate(applyPolicyChangeUpdate, {
      args: [{ ...as(by), changeId: change.id, effectiveDate: change.effectiveDate, term: change.term }],
    });

  async function refusal(update: Promise<unknown>): Promise<string | undefined> {
    const err = await update.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type ?? undefined;
  }

  it('holds a later change on a timer and applies it on its date: the row, version 2, the additional premium, the e-mail', async () => {
    const { handle, row } = await subscribe();
    const effectiveDate = addMonths(row.startDate!, 2);
    const upgrade = await quote(row, effectiveDate, { planId: plus.id });
    expect(upgrade.premiumDeltaMinor).toBeGreaterThan(0);

    const state = await confirm(handle, upgrade, agent);
    expect(state.scheduledChange).toEqual({ changeId: upgrade.id, effectiveDate });
    await expect(upgrade.reload()).resolves.toMatchObject({ status: 'scheduled', confirmedById: agent.id });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: row.id } })).toBe(1);

    // One change at a time; a stranger may not; a renewal waits for it; a date outside the term is refused.
    const second = await quote(row, addMonths(row.startDate!, 3), { holderPhone: '+4915112345678' });
    expect(await refusal(confirm(handle, second))).toBe('Conflict');
    expect(await refusal(confirm(handle, second, otherHolder))).toBe('Forbidden');
    // A day not in the calendar, or in year 0000, sent to the run itself (the API refuses it first): its validator's 422.
    for (const effectiveDate of ['2026-02-30', '0000-03-01']) {
      const request = { ...as(holder), changeId: second.id, effectiveDate, term: second.term };
      expect(await refusal(handle.executeUpdate(applyPolicyChangeUpdate, { args: [request] }))).toBe('Validation');
    }
    expect(await refusal(handle.executeUpdate(renewSubscriptionUpdate, { args: [as(holder)] }))).toBe('Conflict');

    await stack.skip('70 days', handle);
    await waitUntil(async () => (await upgrade.reload()).status === 'applied', 'the change applied on its date');
    await expect(row.reload()).resolves.toMatchObject({ planId: plus.id, premium: '240.00', coverageAmount: '90000.00' });
    const versions = await SubscriptionVersion.findAll({ where: { subscriptionId: row.id }, order: [['number', 'ASC']] });
    expect(versions.map((v) => [v.number, String(v.effectiveFrom), v.planId])).toEqual([
      [1, row.startDate, basic.id],
      [2, effectiveDate, plus.id],
    ]);
    const invoices = await Invoice.findAll({ where: { subscriptionId: row.id }, order: [['sequence', 'ASC']] });
    const billed = invoices.filter((invoice) => invoice.sequence > 12);
    expect(billed.reduce((total, invoice) => total + invoice.amountMinor, 0)).toBe(upgrade.premiumDeltaMinor);
    expect(billed.map((invoice) => String(invoice.dueDate))).toEqual(upgrade.instalments.map(({ dueDate }) => dueDate));

    const mail = await stack.smtp.waitFor((m) => m.text.includes(row.id) && m.subject === 'Your Contents Plus subscription has changed');
    const schedule = await PolicyDocument.findOne({ where: { versionId: versions[1].id }, rejectOnEmpty: true });
    expect(mail.text).toContain(`/api/v1/subscriptions/${row.id}/documents/${schedule.id}`);
    expect(mail.text).toContain('(version 2)');
    expect((await handle.query(subscriptionStateQuery)).scheduledChange).toBeUndefined();
    await recordHistory(handle, 'subscriptionWorkflow-policy-change-scheduled');
    await stack.terminate(handle);
  });

  it('never applies a change withdrawn before its date; a change effective today is applied before the Update answers', async () => {
    const { handle, row } = await subscribe();
    const upgrade = await quote(row, addMonths(row.startDate!, 1), { planId: plus.id });
    await confirm(handle, upgrade);
    expect(await refusal(handle.executeUpdate(withdrawPolicyChangeUpdate, { args: [{ ...as(otherHolder), changeId: upgrade.id }] }))).toBe(
      'Forbidden',
    );
    const withdrawn = await handle.executeUpdate(withdrawPolicyChangeUpdate, { args: [{ ...as(holder), changeId: upgrade.id }] });
    expect(withdrawn.scheduledChange).toBeUndefined();
    await expect(upgrade.reload()).resolves.toMatchObject({ status: 'withdrawn', withdrawnById: holder.id });

    await stack.skip('40 days', handle);
    // Past the date: the run is still active on the basic plan; nothing was applied or billed.
    expect((await handle.query(subscriptionStateQuery)).status).toBe('active');
    await expect(row.reload()).resolves.toMatchObject({ planId: basic.id, premium: '120.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: row.id } })).toBe(1);
    expect(await Invoice.count({ where: { subscriptionId: row.id } })).toBe(12);
    await expect(upgrade.reload()).resolves.toMatchObject({ status: 'withdrawn' });

    // Effective today (the run's day): applied at once, contact only, nothing billed.
    const move = await quote(row, await serverDay(), { holderPhone: '+4915112345678' });
    const state = await confirm(handle, move);
    expect(state.scheduledChange).toBeUndefined();
    await expect(move.reload()).resolves.toMatchObject({ status: 'applied' });
    await expect(row.reload()).resolves.toMatchObject({ holderPhone: '+4915112345678', premium: '120.00' });
    expect(await Invoice.count({ where: { subscriptionId: row.id } })).toBe(12);
    const about = await aboutPolicy(row.id);
    await stack.smtp.waitFor((m) => about(m) && m.subject.includes('has changed') && m.text.includes('premium stays'));
    expect(await mailsFor(handle, 'has changed')).toHaveLength(1);
    await recordHistory(handle, 'subscriptionWorkflow-policy-change-withdrawn');
    await stack.terminate(handle);
  });

  it('withdraws a scheduled change when the policy is cancelled before its date', async () => {
    const { handle, row } = await subscribe();
    const upgrade = await quote(row, addMonths(row.startDate!, 2), { planId: plus.id });
    await confirm(handle, upgrade);
    const cancelled = await handle.executeUpdate(cancelSubscriptionUpdate, { args: [as(holder)] });
    expect(cancelled.status).toBe('cancelled');
    await expect(upgrade.reload()).resolves.toMatchObject({ status: 'withdrawn', withdrawnById: holder.id });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: row.id } })).toBe(1);
  });

  it('switches the version in force on the change’s day, bills its premium once, prints version 2 on the new plan, and renews the next term at the changed premium', async () => {
    const { handle, row } = await subscribe();
    const effectiveDate = addMonths(row.startDate!, 2);
    const upgrade = await quote(row, effectiveDate, { planId: plus.id });
    await confirm(handle, upgrade);

    // Half a day before its day: nothing of it is in force yet.
    await stack.skip(Date.parse(`${effectiveDate}T00:00:00Z`) - Number(await env.currentTimeMs()) - DAY_MS / 2, handle);
    await expect(upgrade.reload()).resolves.toMatchObject({ status: 'scheduled' });
    await expect(row.reload()).resolves.toMatchObject({ planId: basic.id, premium: '120.00', coverageAmount: '50000.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: row.id } })).toBe(1);
    expect(await Invoice.count({ where: { subscriptionId: row.id } })).toBe(12);

    await stack.skip(DAY_MS, handle);
    await waitUntil(async () => (await upgrade.reload()).status === 'applied', 'the change applied on its day');
    const versions = await SubscriptionVersion.findAll({ where: { subscriptionId: row.id }, order: [['number', 'ASC']] });
    expect(versions.map((v) => [v.number, String(v.effectiveFrom), v.planId])).toEqual([
      [1, row.startDate, basic.id],
      [2, effectiveDate, plus.id],
    ]);
    const billedOf = async () => {
      const invoices = await Invoice.findAll({ where: { subscriptionId: row.id, term: 0 } });
      return { count: invoices.length, totalMinor: invoices.reduce((total, invoice) => total + invoice.amountMinor, 0) };
    };
    const billed = await billedOf();
    expect(billed.totalMinor).toBe(12_000 + upgrade.premiumDeltaMinor);

    // Its schedule prints version 2 on the new plan.
    const schedule = await PolicyDocument.findOne({ where: { versionId: versions[1].id }, rejectOnEmpty: true });
    const chunks: Buffer[] = [];
    for await (const chunk of await localDocumentStore(documentsDir).read(schedule.storageKey)) chunks.push(chunk as Buffer);
    const text = await pdfText(Buffer.concat(chunks));
    expect(text).toContain('Version 2, effective from');
    expect(text).toContain('Contents Plus');

    // A month on, nothing of the change is billed again.
    await stack.skip('40 days', handle);
    await expect(billedOf()).resolves.toEqual(billed);
    expect(await SubscriptionVersion.count({ where: { subscriptionId: row.id } })).toBe(2);

    // A change quoted for this term and confirmed after the renewal is refused: it was priced for a term that has ended.
    const { renewableFrom } = await handle.query(subscriptionStateQuery);
    const late = await quote(row, addMonths(row.startDate!, 11), { holderPhone: '+4915112345678' });
    await stack.skip(Date.parse(renewableFrom!) - Number(await env.currentTimeMs()) + DAY_MS, handle);
    const termZeroRun = (await handle.describe()).runId;
    const renewed = await handle.executeUpdate(renewSubscriptionUpdate, { args: [as(holder)] });
    expect(renewed).toMatchObject({ status: 'active', renewalCount: 1 });
    // The renewal is in progress (409 to a change) until the next term's run takes over.
    await waitUntil(async () => (await handle.describe()).runId !== termZeroRun, 'the renewed term’s run');
    // The renewed term is the changed policy's: the plus plan's premium, twelve instalments of 20.00.
    await waitUntil(async () => (await Invoice.count({ where: { subscriptionId: row.id, term: 1 } })) === 12, 'the renewed term billed');
    const renewedTerm = await Invoice.findAll({ where: { subscriptionId: row.id, term: 1 } });
    expect(renewedTerm.map((invoice) => invoice.amountMinor)).toEqual(Array(12).fill(2_000));
    await expect(row.reload()).resolves.toMatchObject({ planId: plus.id, premium: '240.00', coverageAmount: '90000.00' });
    expect(await refusal(confirm(handle, late))).toBe('Conflict');
    await expect(late.reload()).resolves.toMatchObject({ status: 'quoted' });
    await expect(billedOf()).resolves.toEqual(billed);

    // Back to the basic plan two months into the renewed term: credited once on its day, version 3 printed with that term's period.
    const downgradeDate = addMonths(String(row.endDate), -10);
    const downgrade = await quote(row, downgradeDate, { planId: basic.id });
    expect(downgrade.premiumDeltaMinor).toBeLessThan(0);
    await confirm(handle, downgrade);
    await stack.skip(Date.parse(`${downgradeDate}T00:00:00Z`) - Number(await env.currentTimeMs()) + DAY_MS / 2, handle);
    await waitUntil(async () => (await downgrade.reload()).status === 'applied', 'the downgrade applied on its day');
    const termOneTotal = async () =>
      (await Invoice.findAll({ where: { subscriptionId: row.id, term: 1, status: ['open', 'paid'] } })).reduce(
        (t, i) => t + i.amountMinor,
        0,
      );
    expect(await termOneTotal()).toBe(24_000 + downgrade.premiumDeltaMinor);
    await stack.skip('40 days', handle);
    expect(await termOneTotal()).toBe(24_000 + downgrade.premiumDeltaMinor);
    const third = await SubscriptionVersion.findOne({ where: { subscriptionId: row.id, number: 3 }, rejectOnEmpty: true });
    expect([String(third.effectiveFrom), third.planId]).toEqual([downgradeDate, basic.id]);
    const thirdSchedule = await PolicyDocument.findOne({ where: { versionId: third.id }, rejectOnEmpty: true });
    const thirdChunks: Buffer[] = [];
    for await (const chunk of await localDocumentStore(documentsDir).read(thirdSchedule.storageKey)) thirdChunks.push(chunk as Buffer);
    const thirdText = await pdfText(Buffer.concat(thirdChunks));
    const day = (d: string) =>
      new Intl.DateTimeFormat('en', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).format(
        new Date(`${d}T00:00:00Z`),
      );
    expect(thirdText).toContain('Version 3, effective from');
    expect(thirdText).toContain(`${day(addMonths(String(row.endDate), -12))} to ${day(String(row.endDate))}`);
    expect(thirdText).toContain('Contents Basic');
    await stack.terminate(handle);
  });

  it('applies a cut dated three weeks back at once, in force from its day, its return premium credited once', async () => {
    const { handle, row } = await startActivePolicy(env.client, TASK_QUEUE, plus, holder);
    await stack.skip('40 days', handle);
    const effectiveDate = new Date(Date.parse(`${await serverDay()}T00:00:00Z`) - 21 * DAY_MS).toISOString().slice(0, 10);
    const cut = await quote(row, effectiveDate, { planId: basic.id });
    expect(cut.premiumDeltaMinor).toBeLessThan(0);
    expect((await confirm(handle, cut)).scheduledChange).toBeUndefined();
    await expect(cut.reload()).resolves.toMatchObject({ status: 'applied' });
    await expect(row.reload()).resolves.toMatchObject({ planId: basic.id, premium: '120.00', coverageAmount: '50000.00' });
    const versions = await SubscriptionVersion.findAll({ where: { subscriptionId: row.id }, order: [['number', 'ASC']] });
    expect(versions.map((v) => [v.number, String(v.effectiveFrom), v.planId])).toEqual([
      [1, row.startDate, plus.id],
      [2, effectiveDate, basic.id],
    ]);
    const owed = async () =>
      (await Invoice.findAll({ where: { subscriptionId: row.id, status: ['open', 'paid'] } })).reduce((t, i) => t + i.amountMinor, 0);
    expect(await owed()).toBe(24_000 + cut.premiumDeltaMinor);
    await stack.skip('40 days', handle);
    expect(await owed()).toBe(24_000 + cut.premiumDeltaMinor);
    expect(await SubscriptionVersion.count({ where: { subscriptionId: row.id } })).toBe(2);
    await stack.terminate(handle);
  });

  /** The server's day: the time-skipping clock runs ahead of the wall clock once a test has skipped. */
  async function serverDay(): Promise<string> {
    return (await env.currentTimeMs().then((ms) => new Date(ms))).toISOString().slice(0, 10);
  }
});
