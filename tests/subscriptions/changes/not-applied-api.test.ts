/**
 * A confirmed policy change the run cannot carry out on its effective date (docs/subscriptions.md,
 * Policy changes): the real API on the time-skipping server, the subscription's run with its real
 * activities. The change is quoted and confirmed over HTTP and held for a later day; before that day
 * the policy's premium moves outside the run, so on its day the change no longer fits the policy.
 * It ends `not_applied` with the reason, leaves the inbox, and a withdrawal says why it cannot be
 * withdrawn; nothing was applied or billed, and the policy takes a new change.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { createSubscriptionChangeActivities } from '../../../src/activities/subscription-changes';
import { createApp } from '../../../src/api/app';
import type { Config } from '../../../src/config';
import { createLogger } from '../../../src/config/logger';
import { subscriptionStateQuery } from '../../../src/contracts/subscription';
import { AuditEvent, Invoice, Notification, type Plan, SubscriptionChange, SubscriptionVersion, type User } from '../../../src/models';
import { localDocumentStore } from '../../../src/services/documents/local-store';
import { createSmtpMailer } from '../../../src/services/mailer';
import { addMonths } from '../../../src/shared/instalments';
import { bearer, buildCategory, buildPlan, buildTenant, buildUser } from '../../support/factories';
import { testConfig } from '../../support/config';
import { startTimeSkippingStack, type TimeSkippingStack } from '../../support/time-skipping-stack';
import { recordHistory } from '../../support/histories';
import { startActivePolicy } from '../../support/policy-runs';
import { waitUntil } from '../../support/waiting';

const TASK_QUEUE = 'policy-change-not-applied';

describe('a scheduled policy change that no longer fits the policy on its day (API, time-skipping)', () => {
  let stack: TimeSkippingStack;
  let documentsDir: string;
  let api: ReturnType<typeof supertest.agent>;
  let config: Config;
  let closeApp: () => Promise<void>;
  let holder: User;
  let admin: User;
  let basic: Plan;
  let plus: Plan;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-change-not-applied-'));
    const documents = localDocumentStore(documentsDir);
    await stack.startWorker(TASK_QUEUE, createSubscriptionChangeActivities({ ...stack.deps, documents }));
    config = testConfig({ databaseUrl: stack.db.url, smtpPort: stack.smtp.port, taskQueue: TASK_QUEUE });
    const mailer = createSmtpMailer(config.smtp);
    const app = createApp({
      config,
      sequelize: stack.db.sequelize,
      temporal: stack.env.client,
      logger: createLogger('silent', 'test'),
      documents,
      mailer,
    });
    const server = app.listen(0, '127.0.0.1');
    api = supertest.agent(server);
    closeApp = async () => {
      await new Promise((resolve) => server.close(resolve));
      mailer.close();
    };
    const tenant = await buildTenant();
    [holder, admin] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'en' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
    ]);
    const category = await buildCategory({ tenantId: tenant.id, name: 'Contents' });
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR', durationMonths: 12 };
    basic = await buildPlan({ ...terms, name: 'Contents Basic', premium: '120.00', coverageAmount: '50000.00' });
    plus = await buildPlan({ ...terms, name: 'Contents Plus', premium: '240.00', coverageAmount: '90000.00' });
  });

  afterAll(async () => {
    await closeApp?.();
    await stack?.close();
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  const changes = (id: string, rest = '') => `/api/v1/subscriptions/${id}/changes${rest}`;

  /**
   * The holder's policy with a change to the plus plan confirmed for a month after its start; then
   * the policy moves on outside the run (a repair by hand: the change was priced from 120.00), and
   * the run reaches the change's day.
   */
  async function changeThatNoLongerFits(policyholder: User) {
    const { handle, row } = await startActivePolicy(stack.env.client, TASK_QUEUE, basic, policyholder);
    const effectiveDate = addMonths(row.startDate!, 1);
    const asHolder = bearer(config, policyholder);
    const quoted = await api.post(changes(row.id)).set('Authorization', asHolder).send({ effectiveDate, planId: plus.id }).expect(201);
    const confirmed = await api
      .post(changes(row.id, `/${quoted.body.id}/apply`))
      .set('Authorization', asHolder)
      .expect(200);
    expect(confirmed.body).toMatchObject({ status: 'scheduled', notAppliedReason: null });
    const invoicesBefore = await Invoice.count({ where: { subscriptionId: row.id } });
    await stack.db.sequelize.query(`UPDATE subscriptions SET premium = '150.00' WHERE id = :id`, { replacements: { id: row.id } });
    await stack.skip('40 days', handle);
    await waitUntil(async () => (await SubscriptionChange.findByPk(quoted.body.id))?.status !== 'scheduled', 'the run deciding the change');
    return { handle, row, effectiveDate, asHolder, quoted, invoicesBefore };
  }

  it('ends it not_applied with the reason: GET says so, withdrawing is 409 naming it, nothing applied or billed, a new change is taken', async () => {
    const { handle, row, effectiveDate, asHolder, quoted, invoicesBefore } = await changeThatNoLongerFits(holder);

    const read = await api
      .get(changes(row.id, `/${quoted.body.id}`))
      .set('Authorization', asHolder)
      .expect(200);
    expect(read.body).toMatchObject({
      status: 'not_applied',
      notAppliedReason: 'the change was priced for a premium of 120.00, the policy is at 150.00',
      appliedAt: null,
    });
    expect(new Date(read.body.notAppliedAt).toISOString().slice(0, 10)).toBe(effectiveDate);
    const withdrawn = await api
      .post(changes(row.id, `/${quoted.body.id}/withdraw`))
      .set('Authorization', asHolder)
      .expect(409);
    expect(withdrawn.body.error.message).toBe(
      'The change was not applied on its effective date: the change was priced for a premium of 120.00, the policy is at 150.00; ask for a new quote',
    );
    // The holder who asked for the change hears of it, once, in their language: it was not made, why, and what to do.
    const mail = await stack.smtp.waitFor(
      (m) => m.to.includes(holder.email.toLowerCase()) && m.subject === 'Your Contents Basic subscription was not changed',
    );
    expect(mail.text).toContain(row.id);
    expect(mail.text).toContain('the change was priced for a premium of 120.00 EUR, the policy is at 150.00 EUR');
    expect(mail.text).toContain(`GET /api/v1/subscriptions/${row.id}/changes/${quoted.body.id}`);
    expect(mail.text).toContain('Nothing was changed or billed');
    expect(await Notification.count({ where: { idempotencyKey: `${handle.workflowId}:change-not-applied:${quoted.body.id}` } })).toBe(1);
    const asAdmin = bearer(config, admin);
    const inbox = await api.get('/api/v1/me/tasks').set('Authorization', asAdmin).expect(200);
    expect(JSON.stringify(inbox.body)).not.toContain(quoted.body.id);

    await expect(row.reload()).resolves.toMatchObject({ planId: basic.id, premium: '150.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: row.id } })).toBe(1);
    expect(await Invoice.count({ where: { subscriptionId: row.id } })).toBe(invoicesBefore);
    const events = await AuditEvent.findAll({ where: { entityId: quoted.body.id, action: 'subscription.change_not_applied' } });
    expect(events.map((event) => event.changes)).toEqual([
      {
        status: { before: 'scheduled', after: 'not_applied' },
        reason: { before: null, after: 'the change was priced for a premium of 120.00, the policy is at 150.00' },
        effectiveDate: { before: null, after: effectiveDate },
      },
    ]);

    // The run holds nothing: the policy takes the next change.
    expect((await handle.query(subscriptionStateQuery)).scheduledChange).toBeUndefined();
    const phone = await api
      .post(changes(row.id))
      .set('Authorization', asHolder)
      .send({ effectiveDate: addMonths(row.startDate!, 3), holderPhone: '+4915112345678' })
      .expect(201);
    expect(phone.body.status).toBe('scheduled');
    await recordHistory(handle, 'subscriptionWorkflow-policy-change-not-applied');
    await stack.terminate(handle);
  });

  it('tells a German-speaking holder why in German: the premium it was priced for and the policy’s, in German numbers', async () => {
    const germanHolder = await buildUser({ tenantId: holder.tenantId!, role: 'policyholder', locale: 'de' });
    const { handle, row } = await changeThatNoLongerFits(germanHolder);
    const mail = await stack.smtp.waitFor(
      (m) => m.to.includes(germanHolder.email.toLowerCase()) && m.subject === 'Ihr Vertrag zum Tarif Contents Basic wurde nicht geändert',
    );
    expect(mail.text).toContain(
      `wurde nicht vorgenommen: Der Vertrag hat sich geändert, seit die Änderung berechnet wurde (berechnet für einen Beitrag von 120,00 EUR, der Vertrag steht jetzt bei 150,00 EUR).`,
    );
    expect(mail.text).not.toMatch(/priced|policy is at/);
    // What GET answers and the audit keeps stays the English reason the API has always given.
    expect(await SubscriptionChange.findOne({ where: { subscriptionId: row.id } })).toMatchObject({
      status: 'not_applied',
      notAppliedReason: 'the change was priced for a premium of 120.00, the policy is at 150.00',
    });
    await stack.terminate(handle);
  });
});
