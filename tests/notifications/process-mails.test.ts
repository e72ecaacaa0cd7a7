/**
 * The onboarding, subscription and operators' e-mails from templates (docs/notifications.md): each
 * caller passes a template and its values to `sendEmail`, which renders it for each recipient in
 * their own language (their setting, else the tenant's default; without a tenant, English). Real
 * PostgreSQL and a real SMTP server; the activities run as the worker runs them.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNotificationActivities, type SendEmailInput } from '../../src/activities/notifications';
import { createOnboardingActivities } from '../../src/activities/onboarding';
import { accountMail } from '../../src/domain/identity/account-mails';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { Notification, Registration, type Subscription, TenantSettings } from '../../src/models';
import { mailContextOf } from '../../src/services/notifications/context';
import { buildPlan, buildSubscription, buildTenant, buildUser, TEST_PASSWORD_HASH } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('onboarding, subscription and operator e-mails from templates', () => {
  const stack = testStackOfBlock();

  const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A) =>
    new MockActivityEnvironment().run(activity, ...args);
  const sendEmail = (input: SendEmailInput) => run(createNotificationActivities(stack.deps).sendEmail, input);
  const germanTenant = async (values: object = {}) => {
    const tenant = await buildTenant();
    await TenantSettings.update({ values: { collectPremiums: false, defaultLocale: 'de', ...values } }, { where: { tenantId: tenant.id } });
    return tenant;
  };

  it('tells each platform admin of a registration in their own language, and its applicant in English', async () => {
    const german = await buildUser({ role: 'platform_admin', locale: 'de' });
    const english = await buildUser({ role: 'platform_admin' });
    const registration = await Registration.create({
      companyName: 'Kontor Versicherung',
      businessType: 'insurer',
      phone: '+4930123456',
      contactEmail: 'kontakt@kontor.test',
      address: 'Hauptstraße 1, Berlin',
      requestedSlug: 'kontor',
      adminEmail: 'admin@kontor.test',
      adminFullName: 'Kai Kontor',
      adminPasswordHash: TEST_PASSWORD_HASH,
      workflowId: 'onboarding-process-mails',
    });
    const { sendOnboardingEmail } = createOnboardingActivities(stack.deps);
    const ref = { registrationId: registration.id };

    await run(sendOnboardingEmail, { ...ref, idempotencyKey: 'process-mails-1:admins_reminder', message: 'admins_reminder' });
    await run(sendOnboardingEmail, { ...ref, idempotencyKey: 'process-mails-1:applicant_received', message: 'applicant_received' });

    const inGerman = await stack.smtp.waitFor((m) => m.to.includes(german.email));
    expect(inGerman.subject).toBe('Erinnerung: Registrierung wartet auf eine Entscheidung: Kontor Versicherung (kontor)');
    expect(inGerman.text).toContain('wartet seit 48 Stunden auf eine Entscheidung');
    expect(inGerman.text).toContain(`GET ${stack.deps.apiPublicUrl}/api/v1/registrations/${registration.id}`);
    const inEnglish = await stack.smtp.waitFor((m) => m.to.includes(english.email));
    expect(inEnglish.subject).toBe('Reminder: registration waiting for a decision: Kontor Versicherung (kontor)');
    expect(inEnglish.text).toContain('Kontor Versicherung (kontor) has waited 48 hours for a decision.');
    // No tenant, no account: Insurflow's mail in English.
    const received = await stack.smtp.waitFor((m) => m.to.includes('kontakt@kontor.test'));
    expect(received).toMatchObject({ subject: 'We received your registration', to: ['admin@kontor.test', 'kontakt@kontor.test'] });
    expect(received.html).toContain('is waiting for review by the Insurflow team');
  });

  it('writes a policyholder’s subscription mail in the tenant’s language, dates and amounts for the language, once per key', async () => {
    const tenant = await germanTenant();
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const englishHolder = await buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'en' });
    const policy = await buildSubscription({ policyholderId: holder.id });
    const terms = { subscriptionId: policy.id, planName: 'Hausrat Plus' };
    // As the run passes it (src/workflows/subscription/messages.ts): an invoice of 1234.50 EUR.
    const invoice = { invoiceNumber: 'INV-2030-000007', amount: 1234.5, decimals: '2', currency: 'EUR' };
    const template = { type: 'subscriptionPremiumReminder', values: { ...terms, ...invoice, dueDate: '2030-05-14' } } as const;
    const input = { idempotencyKey: 'process-mails-2:premium-reminder:inv-1', tenantId: tenant.id, to: { userIds: [holder.id] }, template };

    expect(await sendEmail(input)).toMatchObject({ status: 'sent' });
    expect(await sendEmail(input)).toMatchObject({ status: 'already_sent' });

    const mail = await stack.smtp.waitFor((m) => m.to.includes(holder.email));
    expect(mail.subject).toBe('Ihr Beitrag zum Tarif Hausrat Plus ist am 14. Mai 2030 fällig');
    expect(mail.text).toContain(
      `Die Rechnung INV-2030-000007 Ihres Vertrags ${policy.policyNumber} zum Tarif Hausrat Plus (1234,50 EUR) ist am 14. Mai 2030 fällig.`,
    );
    expect(stack.smtp.messages.filter((m) => m.to.includes(holder.email))).toHaveLength(1);
    const row = await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey }, rejectOnEmpty: true });
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });

    await sendEmail({
      ...input,
      idempotencyKey: 'process-mails-2:cancelled',
      to: { userIds: [englishHolder.id] },
      template: {
        type: 'subscriptionCancelled',
        values: { ...terms, coverageEnd: '2031-03-14', reason: 'Moved abroad', reasonGiven: 'yes' },
      },
    });
    const english = await stack.smtp.waitFor((m) => m.to.includes(englishHolder.email));
    expect(english.subject).toBe('Your Hausrat Plus subscription is cancelled');
    expect(english.text).toContain('coverage ended today instead of March 14, 2031.');
    expect(english.text).toContain('Reason given: Moved abroad');
  });

  it('tells the holder of a cancelled policy what it still owes, in their language and its currency’s decimals, and nothing when it owes nothing', async () => {
    const tenant = await germanTenant();
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const plan = await buildPlan({ tenantId: tenant.id, name: 'Hausrat Plus', currency: 'KWD', billingFrequency: 'annual' });
    // Priced to the fils, as a quote in dinars is (the plan's row keeps two decimals).
    const term = { startDate: '2030-03-14', endDate: '2031-03-14', premium: '365.125' };
    const [owing, settled] = [
      await buildSubscription({ planId: plan.id, policyholderId: holder.id, ...term }),
      await buildSubscription({ planId: plan.id, policyholderId: holder.id, ...term }),
    ];
    // The annual instalment of 365.125 KWD, open (as a cancellation after a paid claim leaves a term's unpaid instalments).
    await billCurrentTerm(stack.db.sequelize, owing.id);
    for (const policy of [owing, settled])
      await sendEmail({
        idempotencyKey: `process-mails-owed:${policy.id}:cancelled`,
        tenantId: tenant.id,
        to: { userIds: [holder.id] },
        // As the run passes it (src/workflows/subscription/messages.ts): nothing of what is owed, which the row's invoices say.
        template: {
          type: 'subscriptionCancelled',
          values: { subscriptionId: policy.id, planName: 'Hausrat Plus', coverageEnd: '2031-03-14', reason: '', reasonGiven: 'no' },
        },
      });

    const mailOf = (policy: Subscription) =>
      stack.smtp.waitFor((m) => m.to.includes(holder.email) && m.text.includes(policy.policyNumber!));
    const owed = await mailOf(owing);
    expect(owed.text).toContain('Sie schulden noch 365,125 KWD Beitrag, sofort fällig.');
    expect(owed.html).toContain('Sie schulden noch 365,125 KWD Beitrag, sofort fällig.');
    const none = await mailOf(settled);
    expect(none.text).toContain('wurde gekündigt; der Schutz endete heute');
    expect(none.text).not.toContain('schulden');
  });

  it('writes a policy’s cover and premium with as many decimals as its currency has: yen, dinars, and a mail of an older run', async () => {
    const tenant = await germanTenant();
    const english = await buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'en' });
    const german = await buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'de' });
    // Policies in yen and dinars: the mails name each by its number and write its cover in its currency (the row's).
    const policyIn = async (currency: string) =>
      buildSubscription({ planId: (await buildPlan({ tenantId: tenant.id, name: 'Hausrat Plus', currency, premium: '45000.00' })).id });
    const [yen, dinars] = [await policyIn('JPY'), await policyIn('KWD')];
    const termsOf = (policy: Subscription) => ({ subscriptionId: policy.id, planName: 'Hausrat Plus' });
    // As the run passes them (src/workflows/subscription/messages.ts): amounts in major units, the currency's `decimals`.
    const period = { startDate: '2030-03-14', endDate: '2031-03-14' };
    const activated = (policy: Subscription, coverageAmount: number, decimals?: string) => ({
      type: 'subscriptionActivated' as const,
      values: { ...termsOf(policy), coverageAmount, ...(decimals && { decimals }), ...period },
    });
    const changed = (
      policy: Subscription,
      coverageAmount: number,
      premium: number,
      amount: number,
      decimals: string,
      currency: string,
    ) => ({
      type: 'subscriptionChanged' as const,
      values: {
        ...termsOf(policy),
        version: 2,
        effectiveDate: '2030-09-14',
        coverageAmount,
        premium,
        amount,
        decimals,
        currency,
        premiumEffect: 'billed',
        scheduleUrl: '',
        scheduleGiven: 'no',
      },
    });
    const mails = {
      'jpy-activated': [english, activated(yen, 250000, '0')],
      'kwd-activated': [german, activated(dinars, 1234.5, '3')],
      'jpy-changed': [english, changed(yen, 300000, 54000, 1200, '0', 'JPY')],
      'kwd-changed': [german, changed(dinars, 90000, 240.5, 1.25, '3', 'KWD')],
      // A run started before its terms carried the currency passes no `decimals`: written with two, as before.
      'older-activated': [english, activated(yen, 250000)],
    } as const;
    const texts: Record<string, string> = {};
    for (const [purpose, [to, template]] of Object.entries(mails)) {
      const sent = await sendEmail({
        idempotencyKey: `process-mails-money:${purpose}`,
        tenantId: tenant.id,
        to: { userIds: [to.id] },
        template,
      });
      expect(sent).toMatchObject({ status: 'sent' });
      const received = await stack.smtp.waitFor((m) => m.to.includes(to.email) && !Object.values(texts).includes(m.text));
      texts[purpose] = received.text;
    }

    expect(yen.policyNumber).toMatch(/^POL-/);
    expect(texts['jpy-activated']).toContain(`Your subscription ${yen.policyNumber} to Hausrat Plus covers 250000 JPY from March 14, 2030`);
    expect(texts['kwd-activated']).toContain(
      `Ihr Vertrag ${dinars.policyNumber} zum Tarif Hausrat Plus deckt 1234,500 KWD vom 14. März 2030`,
    );
    expect(texts['jpy-changed']).toContain('it covers 300000 JPY for a premium of 54000 JPY a term.');
    expect(texts['jpy-changed']).toContain('For the rest of the term 1200 JPY more is billed');
    expect(texts['kwd-changed']).toContain('Er deckt 90000,000 KWD für einen Beitrag von 240,500 KWD je Laufzeit.');
    expect(texts['kwd-changed']).toContain('werden 1,250 KWD mehr berechnet');
    expect(texts['older-activated']).toContain(
      `Your subscription ${yen.policyNumber} to Hausrat Plus covers 250000.00 JPY from March 14, 2030`,
    );
    // The row's id is for machines: no mail shows it.
    expect(Object.values(texts).some((text) => text.includes(yen.id) || text.includes(dinars.id))).toBe(false);
  });

  it('still attaches a scheduled report’s CSV to the rendered mail, in German for a German tenant', async () => {
    const tenant = await germanTenant();
    const csv = 'claim,amount\nCLM-1,10.00\n';
    const input: SendEmailInput = {
      idempotencyKey: 'process-mails-3:report-email',
      tenantId: tenant.id,
      to: { emails: ['controller@kontor.test'] },
      template: { type: 'reportDelivery', values: { reportName: 'Offene Schäden', kind: 'claims', fileName: 'claims.csv' } },
      attachments: [{ filename: 'claims.csv', content: csv, contentType: 'text/csv; charset=utf-8' }],
    };
    expect(await sendEmail(input)).toMatchObject({ status: 'sent' });
    expect(await sendEmail(input)).toMatchObject({ status: 'already_sent' });

    const mail = await stack.smtp.waitFor((m) => m.to.includes('controller@kontor.test'));
    expect(mail.subject).toBe('Bericht: Offene Schäden');
    expect(mail.text).toContain('Der Bericht „Offene Schäden“ (claims) ist als claims.csv angehängt.');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: 'claims.csv', contentType: 'text/csv', content: csv });
    expect(stack.smtp.messages.filter((m) => m.to.includes('controller@kontor.test'))).toHaveLength(1);
  });

  it('dates an operator notice in the tenant’s time zone, for each admin’s language', async () => {
    const tenant = await germanTenant({ timeZone: 'Europe/Berlin' });
    const german = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const english = await buildUser({ tenantId: tenant.id, role: 'tenant_admin', locale: 'en' });
    // As src/workflows/audit-checkpoint.ts passes it: the day and the instant as ISO strings.
    const asOf = '2030-03-14T00:00:00.000Z';
    await sendEmail({
      idempotencyKey: `process-mails-4:audit-checkpoint`,
      tenantId: tenant.id,
      to: { roles: ['tenant_admin'] },
      template: { type: 'auditCheckpoint', values: { day: asOf.slice(0, 10), asOf, count: 2, head: 'f'.repeat(64) } },
    });
    const inGerman = await stack.smtp.waitFor((m) => m.to.includes(german.email));
    expect(inGerman.subject).toBe('Insurflow: Prüfpunkt des Audit-Protokolls vom 14. März 2030');
    expect(inGerman.text).toContain(`wie sie am 14. März 2030 um 01:00 MEZ stand: 2 Ereignisse, der Hash des letzten ${'f'.repeat(64)}.`);
    const inEnglish = await stack.smtp.waitFor((m) => m.to.includes(english.email));
    expect(inEnglish.subject).toBe('Insurflow: audit trail checkpoint 2030-03-14');
    expect(inEnglish.text).toContain(`as it stood at March 14, 2030 at 01:00 AM GMT+1: 2 events, the last one's hash ${'f'.repeat(64)}.`);
  });

  it('builds a new policyholder’s set-password link as every mailed link, in the tenant’s language', async () => {
    const tenant = await germanTenant();
    const values = {
      fullName: 'Zoë Neumann',
      policyNumber: 'POL-2030-000009',
      hours: 72,
      expiresAt: new Date(),
      forgotPasswordUrl: 'https://x.test/f',
    };
    const token = 'a'.repeat(43);
    const mail = await accountMail(
      stack.config,
      'zoe@kontor.test',
      'policyholderSetPassword',
      values,
      await mailContextOf(tenant.id),
      token,
    );
    expect(mail.subject).toBe('Ihre Versicherungspolice: Legen Sie Ihr Insurflow-Passwort fest');
    expect(mail.text).toContain('Ihr Versicherer hat die Police POL-2030-000009 für Sie ausgestellt');
    expect(mail.text.split('\n')).toContain(token);
    expect(mail.html).toContain(`href="${stack.config.api.publicUrl}/app/reset-password?token=${token}"`);
  });
});
