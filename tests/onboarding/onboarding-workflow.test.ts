/**
 * The onboarding workflow on the time-skipping server, with its real activities against a fresh
 * PostgreSQL database and a real SMTP sink: 48-hour reminders and 7-day expiries take seconds.
 */
import crypto from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { Category, ComplianceRequirement, Plan, Registration, Tenant, TenantSettings, User } from '../../src/models';
import { verifyPassword } from '../../src/services/passwords';
import { approveRegistrationUpdate, onboardingRun, OnboardingWorkflow, rejectRegistrationUpdate } from '../../src/contracts/onboarding';
import { buildTenant, buildUser, TEST_PASSWORD, TEST_PASSWORD_HASH } from '../support/factories';
import { recordHistory } from '../support/histories';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf } from '../support/waiting';

describe('onboarding workflow (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let activities: Activities;
  let platformAdmin: User;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp, activities } = stack);
    platformAdmin = await buildUser({ role: 'platform_admin', email: 'ops@insurflow.test' });
  });
  afterAll(() => stack?.close());

  /** A registration as POST /registrations stores it, with its onboarding run started. */
  async function submitOn(taskQueue: string, slug: string) {
    const id = crypto.randomUUID();
    const registration = await Registration.create({
      id,
      companyName: `${slug} Insurance`,
      businessType: 'property insurer',
      phone: '+1 555 0100',
      contactEmail: `contact@${slug}.test`,
      address: '1 Main Street',
      requestedSlug: slug,
      adminEmail: `admin@${slug}.test`,
      adminFullName: `${slug} Admin`,
      adminPasswordHash: TEST_PASSWORD_HASH,
      workflowId: onboardingRun.id(id),
    });
    const handle = await env.client.workflow.start<OnboardingWorkflow>(onboardingRun.type, {
      taskQueue,
      workflowId: registration.workflowId,
      args: [{ registrationId: id }],
    });
    return { registration, handle };
  }

  const asAdmin = () => ({ userId: platformAdmin.id, role: platformAdmin.role });
  const mailTo = (address: string, subject: string) => smtp.waitFor((m) => m.to.includes(address) && m.subject.startsWith(subject));

  /** Runs the test body against a worker on a task queue of its own; `submit` starts runs on that queue. */
  async function withWorker(
    body: (submit: (slug: string) => ReturnType<typeof submitOn>) => Promise<void>,
    overrides: Partial<Activities> = {},
  ): Promise<void> {
    const taskQueue = `onboarding-${crypto.randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: process.env.INSURFLOW_TEST_WORKFLOW_BUNDLE! },
      activities: { ...activities, ...overrides },
    });
    await worker.runUntil(() => body((slug) => submitOn(taskQueue, slug)));
  }

  it('approval provisions the tenant, its admin with the submitted hash, default settings and a starter catalog', async () => {
    await withWorker(async (submit) => {
      const { registration, handle } = await submit('acme');
      await mailTo('ops@insurflow.test', 'New registration: acme Insurance');
      await mailTo('contact@acme.test', 'We received your registration');

      const accepted = await handle.executeUpdate(approveRegistrationUpdate, { args: [asAdmin()] });
      expect(accepted.status).toBe('approved');
      expect(await resultOf(handle)).toBe('provisioned');

      const tenant = await Tenant.findOne({ where: { registrationId: registration.id } });
      expect(tenant).toMatchObject({ slug: 'acme', name: 'acme Insurance', status: 'active', contactEmail: 'contact@acme.test' });
      const admin = await User.findOne({ where: { email: 'admin@acme.test' } });
      expect(admin).toMatchObject({ tenantId: tenant!.id, role: 'tenant_admin', passwordHash: TEST_PASSWORD_HASH });
      expect(await verifyPassword(TEST_PASSWORD, admin!.passwordHash)).toBe(true);
      expect(await TenantSettings.count({ where: { tenantId: tenant!.id } })).toBe(1);
      expect(await Category.count({ where: { tenantId: tenant!.id } })).toBe(3);
      expect(await Plan.count({ where: { tenantId: tenant!.id, isActive: true } })).toBe(7);

      await registration.reload();
      expect(registration).toMatchObject({ status: 'provisioned', tenantId: tenant!.id, decidedById: platformAdmin.id });
      expect(registration.decidedAt).toBeInstanceOf(Date);
      const ready = await mailTo('admin@acme.test', 'Your Insurflow tenant is ready');
      expect(ready.to).toEqual(expect.arrayContaining(['contact@acme.test', 'admin@acme.test']));
      // A person is told how to sign in, not which API route to call.
      expect(ready.text).toContain('Sign in to Insurflow as admin@acme.test');
      expect(ready.text).not.toContain('POST ');
      await recordHistory(handle, 'onboarding');
    });
  });

  it('rejection records the reason and tells the applicant; a second decision and a non-admin are refused', async () => {
    await withWorker(async (submit) => {
      const { registration, handle } = await submit('beta');
      const notAdmin = handle.executeUpdate(rejectRegistrationUpdate, {
        args: [{ userId: crypto.randomUUID(), role: 'tenant_admin', reason: 'no' }],
      });
      await expect(notAdmin).rejects.toThrow(WorkflowUpdateFailedError);
      await expect(notAdmin.catch((err) => (err as WorkflowUpdateFailedError).cause)).resolves.toMatchObject({ type: 'Forbidden' });

      // Sent together: whichever the workflow accepts first wins, the other is refused before anything is recorded.
      const [reject, approve] = await Promise.allSettled([
        handle.executeUpdate(rejectRegistrationUpdate, { args: [{ ...asAdmin(), reason: 'Licence number could not be verified' }] }),
        handle.executeUpdate(approveRegistrationUpdate, { args: [asAdmin()] }),
      ]);
      const outcomes = [reject, approve];
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
      // Refused by the run's validator, or, when the winner's decision has already ended the run,
      // by the server: there is no run left to decide (the API answers both as the process's 409).
      const refusal = (err: unknown) =>
        err instanceof WorkflowNotFoundError ? 'run ended' : err instanceof WorkflowUpdateFailedError ? err.cause : err;
      expect([expect.objectContaining({ type: 'Conflict' }), 'run ended']).toContainEqual(refusal(refused.reason));

      const final = await resultOf(handle);
      await registration.reload();
      expect(registration.status).toBe(final);
      if (final === 'rejected') {
        expect(registration).toMatchObject({
          reason: 'Licence number could not be verified',
          decidedById: platformAdmin.id,
          tenantId: null,
        });
        const declined = await mailTo('contact@beta.test', 'Your registration was declined');
        expect(declined.text).toContain('Licence number could not be verified');
        expect(await Tenant.count({ where: { slug: 'beta' } })).toBe(0);
      } else {
        expect(final).toBe('provisioned');
      }
    });
  });

  it('reminds platform admins after 48 hours and expires the request at 7 days', async () => {
    await withWorker(async (submit) => {
      const { registration, handle } = await submit('gamma');
      await mailTo('ops@insurflow.test', 'New registration: gamma Insurance');

      await stack.skip('47 hours', handle);
      expect(smtp.messages.some((m) => m.subject.startsWith('Reminder: registration waiting for a decision: gamma'))).toBe(false);
      await stack.skip('2 hours', handle);
      await mailTo('ops@insurflow.test', 'Reminder: registration waiting for a decision: gamma');
      expect((await registration.reload()).status).toBe('pending');

      const startedAt = Date.now();
      expect(await resultOf(handle)).toBe('expired');
      expect(Date.now() - startedAt).toBeLessThan(30_000);
      await registration.reload();
      expect(registration).toMatchObject({ status: 'expired', decidedById: null });
      await mailTo('contact@gamma.test', 'Your registration expired');
      expect(smtp.messages.filter((m) => m.subject.startsWith('Reminder: registration waiting for a decision: gamma'))).toHaveLength(1);
    });
  });

  it('a provisioning step failing halfway compensates the earlier steps: no tenant, no user, no settings', async () => {
    const seenBeforeFailure: Array<{ tenantId?: string; users: number; settings: number }> = [];
    const failingCatalog: Partial<Activities> = {
      async provisionStarterCatalog({ registrationId }) {
        const tenant = await Tenant.findOne({ where: { registrationId } });
        seenBeforeFailure.push({
          tenantId: tenant?.id,
          users: await User.count({ where: { email: 'admin@delta.test' } }),
          settings: tenant ? await TenantSettings.count({ where: { tenantId: tenant.id } }) : 0,
        });
        throw ApplicationFailure.nonRetryable('catalog store unavailable', 'CatalogUnavailable');
      },
    };
    await withWorker(async (submit) => {
      const { registration, handle } = await submit('delta');
      await handle.executeUpdate(approveRegistrationUpdate, { args: [asAdmin()] });
      expect(await resultOf(handle)).toBe('provisioning_failed');

      expect(seenBeforeFailure).toEqual([{ tenantId: expect.any(String), users: 1, settings: 1 }]);
      expect(await Tenant.count({ where: { slug: 'delta' } })).toBe(0);
      expect(await User.count({ where: { email: 'admin@delta.test' } })).toBe(0);
      expect(await TenantSettings.count({ where: { tenantId: seenBeforeFailure[0].tenantId! } })).toBe(0);
      await registration.reload();
      expect(registration).toMatchObject({ status: 'provisioning_failed', tenantId: null });
      expect(registration.reason).toContain('starter catalog');
      await mailTo('contact@delta.test', 'Your registration was approved, but setting up your tenant failed');
      await mailTo('ops@insurflow.test', 'Provisioning failed: delta Insurance');
    }, failingCatalog);
  });

  it('an admin e-mail taken after submission fails the admin step and removes the tenant made before it', async () => {
    await withWorker(async (submit) => {
      const { registration, handle } = await submit('epsilon');
      await buildUser({ role: 'platform_admin', email: 'admin@epsilon.test' });
      await handle.executeUpdate(approveRegistrationUpdate, { args: [asAdmin()] });
      expect(await resultOf(handle)).toBe('provisioning_failed');

      expect(await Tenant.count({ where: { slug: 'epsilon' } })).toBe(0);
      expect(await User.findOne({ where: { email: 'admin@epsilon.test' } })).toMatchObject({ role: 'platform_admin' });
      expect((await registration.reload()).reason).toContain('already exists');
    });
  });

  it('an admin e-mail whose account waits for its invitation but is named in its tenant fails with that reason, not a constraint', async () => {
    await withWorker(async (submit) => {
      const { registration, handle } = await submit('zeta');
      const other = await buildTenant();
      const officer = await buildUser({ tenantId: other.id, role: 'compliance_officer' });
      const invitee = await buildUser({ tenantId: other.id, role: 'claims_manager', email: 'admin@zeta.test', emailVerifiedAt: null });
      // Named as an owner before naming an invitee was refused (src/domain/users/named-accounts.ts).
      await ComplianceRequirement.create({
        tenantId: other.id,
        title: 'Legacy',
        frameworkRef: 'ISO',
        ownerId: invitee.id,
        dueAt: new Date('2027-01-30T00:00:00Z'),
        createdById: officer.id,
      });
      await handle.executeUpdate(approveRegistrationUpdate, { args: [asAdmin()] });
      expect(await resultOf(handle)).toBe('provisioning_failed');

      expect(await Tenant.count({ where: { slug: 'zeta' } })).toBe(0);
      expect(await User.findByPk(invitee.id)).toMatchObject({ tenantId: other.id, emailVerifiedAt: null });
      const { reason } = await registration.reload();
      expect(reason).toContain('An earlier account waiting for this address is still named in its tenant');
      expect(reason).not.toMatch(/constraint|violates/);
    });
  });
});
