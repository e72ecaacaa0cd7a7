/**
 * The quote referral run on the time-skipping server, with its real activities against a fresh
 * PostgreSQL database and a real SMTP sink (docs/quotes.md, Referral): an underwriter accepts with a
 * loading (the quote is priced again, higher) or declines with a note, and two business days with
 * nobody deciding take seconds to lapse it. The requester is mailed each outcome.
 */
import crypto from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AuditEvent, Notification, type Plan, type RatingVersion, type Tenant, type User } from '../../src/models';
import {
  acceptQuoteReferralUpdate,
  declineQuoteReferralUpdate,
  quoteReferralRun,
  type QuoteReferralWorkflow,
  quoteReferralStateQuery,
} from '../../src/contracts/quote-referral';
import { DAY_MS } from '../../src/shared/time';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { buildQuote, buildRatingVersion } from '../support/quote-rows';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf } from '../support/waiting';

describe('quote referral workflow (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let tenant: Tenant;
  let holder: User;
  let underwriter: User;
  let agent: User;
  let plan: Plan;
  let version: RatingVersion;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    underwriter = await buildUser({ tenantId: tenant.id, role: 'underwriter' });
    agent = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR', billingFrequency: 'quarterly' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    version = await buildRatingVersion(plan, admin.id);
  });
  afterAll(() => stack?.close());

  /** A quote of 475.20 EUR referred for its sum insured, and its run started as the outbox starts it, due in two days. */
  async function referOn(taskQueue: string, requestedBy: User = holder) {
    const quote = await buildQuote(plan, {
      status: 'referred',
      ratingVersionId: version.id,
      requestedById: requestedBy.id,
      referralReasons: ['Sum insured above 250,000.00'],
    });
    const dueAt = new Date((await env.currentTimeMs()) + 2 * DAY_MS).toISOString();
    const handle = await env.client.workflow.start<QuoteReferralWorkflow>(quoteReferralRun.type, {
      taskQueue,
      workflowId: quoteReferralRun.id(quote.id),
      args: [{ tenantId: tenant.id, quoteId: quote.id, requestedById: requestedBy.id, dueAt }],
    });
    return { quote, handle };
  }

  async function withWorker(body: (refer: (requestedBy?: User) => ReturnType<typeof referOn>) => Promise<void>): Promise<void> {
    const taskQueue = `quote-referral-${crypto.randomUUID()}`;
    await stack.startWorker(taskQueue);
    await body((requestedBy) => referOn(taskQueue, requestedBy));
  }

  const as = (user: User) => ({ userId: user.id, role: user.role });
  const mailTo = (user: User, subject: string) => smtp.waitFor((m) => m.to.includes(user.email) && m.subject === subject);
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (err) => (err instanceof WorkflowUpdateFailedError ? err.cause : err),
    );

  it('accepted with a loading of 0.15: refusals first, then quoted at 546.48 with the loading line, the holder mailed once', async () => {
    await withWorker(async (refer) => {
      const { quote, handle } = await refer();
      const accept = (user: User, loading?: string) =>
        failureOf(handle.executeUpdate(acceptQuoteReferralUpdate, { args: [{ ...as(user), loading }] }));
      expect(await accept(holder)).toMatchObject({ type: 'Forbidden' });
      expect(await accept(agent)).toMatchObject({ type: 'Forbidden' });
      expect(await accept(underwriter, '1.5')).toMatchObject({ type: 'Validation' });
      expect(await quote.reload()).toMatchObject({ status: 'referred', premiumMinor: 47520, decidedById: null });

      const accepted = await handle.executeUpdate(acceptQuoteReferralUpdate, {
        args: [{ ...as(underwriter), loading: '0.15', note: 'Old wiring: loaded' }],
      });
      expect(accepted).toEqual({ status: 'accepted', underwriterId: underwriter.id });
      await quote.reload();
      // 475.20 × 1.15 = 546.48: the loading's line adds 71.28; the quarterly instalments add up to it.
      expect(quote).toMatchObject({ status: 'quoted', premiumMinor: 54648, loading: '0.1500', decidedById: underwriter.id });
      expect(quote.decisionNote).toBe('Old wiring: loaded');
      expect(quote.breakdown.at(-1)).toMatchObject({ step: 'loading', factor: '1.15', amount: '71.28' });
      expect(quote.instalments.map((i) => i.amountMinor)).toEqual([13662, 13662, 13662, 13662]);
      expect(quote.validUntil.getTime()).toBeGreaterThan(Date.now() + 29 * DAY_MS);
      expect(await accept(underwriter)).toMatchObject({ type: 'Conflict' });
      expect(await resultOf(handle)).toBe('accepted');

      const mail = await mailTo(holder, 'Your quote is accepted: 546.48 EUR');
      expect(mail.text).toContain(`/api/v1/quotes/${quote.id}`);

      // A retried attempt of either activity changes and sends nothing more.
      await stack.activities.recordQuoteReferralOutcome({
        quoteId: quote.id,
        outcome: 'declined',
        underwriterId: underwriter.id,
        note: 'late',
      });
      expect((await quote.reload()).status).toBe('quoted');
      const again = await stack.activities.notifyQuoteReferral({
        quoteId: quote.id,
        message: 'accepted',
        idempotencyKey: `${quoteReferralRun.id(quote.id)}:accepted`,
      });
      expect(again?.status).toBe('already_sent');
      expect(smtp.messages.filter((m) => m.subject === 'Your quote is accepted: 546.48 EUR' && m.to.includes(holder.email))).toHaveLength(
        1,
      );
      expect(await AuditEvent.count({ where: { entityId: quote.id, action: 'quote.referral_accept' } })).toBe(1);
      await recordHistory(handle, 'quoteReferralWorkflow');
    });
  });

  it('an underwriter may not decide the quote they asked for; another one declines it with a note the requester is told', async () => {
    await withWorker(async (refer) => {
      const asker = await buildUser({ tenantId: tenant.id, role: 'underwriter' });
      const { quote, handle } = await refer(asker);
      expect(await failureOf(handle.executeUpdate(acceptQuoteReferralUpdate, { args: [as(asker)] }))).toMatchObject({ type: 'Forbidden' });
      expect(
        await failureOf(handle.executeUpdate(declineQuoteReferralUpdate, { args: [{ ...as(underwriter), reason: ' ' }] })),
      ).toMatchObject({ type: 'Validation' });

      const declined = await handle.executeUpdate(declineQuoteReferralUpdate, {
        args: [{ ...as(underwriter), reason: 'Too close to the river' }],
      });
      expect(declined).toEqual({ status: 'declined', underwriterId: underwriter.id });
      expect(await quote.reload()).toMatchObject({
        status: 'declined',
        premiumMinor: 47520,
        decidedById: underwriter.id,
        decisionNote: 'Too close to the river',
      });
      expect(await resultOf(handle)).toBe('declined');
      const mail = await mailTo(asker, 'Your quote was declined');
      expect(mail.text).toContain('Too close to the river');
    });
  });

  it('nobody decides within two days: the quote lapses and its requester is told', async () => {
    await withWorker(async (refer) => {
      const { quote, handle } = await refer();
      await stack.skip('47 hours', handle);
      expect(await handle.query(quoteReferralStateQuery)).toEqual({ status: 'referred', underwriterId: null });
      expect((await quote.reload()).status).toBe('referred');

      expect(await resultOf(handle)).toBe('lapsed');
      expect(await quote.reload()).toMatchObject({ status: 'lapsed', decidedById: null });
      await mailTo(holder, 'Your quote could not be decided in time');
      expect(await Notification.count({ where: { idempotencyKey: `${quoteReferralRun.id(quote.id)}:lapsed` } })).toBe(1);
      await recordHistory(handle, 'quoteReferralWorkflow-lapse');
    });
  });
});
