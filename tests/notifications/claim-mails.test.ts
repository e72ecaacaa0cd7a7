/**
 * The claim run's e-mails from templates (docs/notifications.md): the run passes a template and
 * its values to `sendEmail`, which renders it for each recipient in their own language (their
 * setting, else the tenant's default) with the tenant's overrides. Real PostgreSQL and a real
 * SMTP server; the activity runs as the worker runs it.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNotificationActivities, type EmailTemplate, type SendEmailInput } from '../../src/activities/notifications';
import { Notification, TenantSettings } from '../../src/models';
import { buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('claim e-mails from templates', () => {
  const stack = testStackOfBlock();

  const send = (input: SendEmailInput) => new MockActivityEnvironment().run(createNotificationActivities(stack.deps).sendEmail, input);
  const templated = (idempotencyKey: string, tenantId: string, to: SendEmailInput['to'], template: EmailTemplate): SendEmailInput => ({
    idempotencyKey,
    tenantId,
    to,
    template,
  });

  it('sends an escalation to each manager in their own language, and records it in the tenant’s', async () => {
    const tenant = await buildTenant();
    const german = await buildUser({ tenantId: tenant.id, role: 'claims_manager', locale: 'de' });
    const english = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    // As the claim's run passes it (src/workflows/claim/messages.ts) for an escalation counted in working hours.
    const escalation = {
      type: 'claimUnassignedEscalation',
      values: { claimNumber: 'CLM-2030-000001', hours: 24, working: 'yes' },
    } as const;

    const result = await send(templated('claim-mails-1:unassigned-escalation', tenant.id, { roles: ['claims_manager'] }, escalation));

    expect(result).toMatchObject({ status: 'sent', recipients: [german.email, english.email].sort() });
    const inGerman = await stack.smtp.waitFor((m) => m.to.includes(german.email));
    expect(inGerman).toMatchObject({ to: [german.email], subject: 'Schaden CLM-2030-000001 ist noch niemandem zugewiesen' });
    expect(inGerman.text).toContain('wartet seit 24 Arbeitsstunden auf eine Sachbearbeitung');
    expect(inGerman.html).toContain('24 Arbeitsstunden');
    const inEnglish = await stack.smtp.waitFor((m) => m.to.includes(english.email));
    expect(inEnglish).toMatchObject({ to: [english.email], subject: 'Claim CLM-2030-000001 is still unassigned' });
    expect(inEnglish.text).toContain('has waited 24 working hours for a handler');
    expect(inEnglish.messageId).not.toEqual(inGerman.messageId);
    const row = await Notification.findOne({ where: { idempotencyKey: 'claim-mails-1:unassigned-escalation' }, rejectOnEmpty: true });
    expect(row).toMatchObject({ status: 'sent', subject: 'Claim CLM-2030-000001 is still unassigned' });
  });

  it('writes amounts for the language, follows the tenant’s default, and sends once per key', async () => {
    const tenant = await buildTenant();
    await TenantSettings.update({ values: { collectPremiums: false, defaultLocale: 'de' } }, { where: { tenantId: tenant.id } });
    const claimant = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    // As a run passes it whose payment was recorded before it carried its currency: no `decimals`, so two.
    const cleared = {
      type: 'claimPaymentCleared',
      values: { claimNumber: 'CLM-2030-000002', amount: 2000, reference: 'PAY-CLM-2030-000002-1' },
    } as const;
    const input = templated('claim-mails-2:payment-cleared', tenant.id, { userIds: [claimant.id] }, cleared);

    expect(await send(input)).toMatchObject({ status: 'sent' });
    expect(await send(input)).toMatchObject({ status: 'already_sent' });

    const mail = await stack.smtp.waitFor((m) => m.to.includes(claimant.email));
    expect(mail.subject).toBe('Eine Zahlung zu Schaden CLM-2030-000002 ist ausgezahlt');
    expect(mail.text).toContain('Wir haben 2000,00 zu Schaden CLM-2030-000002 gezahlt (Referenz PAY-CLM-2030-000002-1).');
    const row = await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey }, rejectOnEmpty: true });
    expect(row.attempts).toBe(1);
    expect(stack.smtp.messages.filter((m) => m.to.includes(claimant.email))).toHaveLength(1);
  });

  it('writes a payment with as many decimals as its currency has: yen in English, dinars in German', async () => {
    const tenant = await buildTenant();
    const english = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const german = await buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'de' });
    // As the claim's run passes them (src/workflows/claim/messages.ts): the amount and its currency's `decimals`.
    const payment = (type: 'claimPaymentApproved' | 'claimPaymentReturned', amount: number, decimals: string) =>
      ({ type, values: { claimNumber: 'CLM-2030-000005', amount, decimals, reference: 'PAY-CLM-2030-000005-1' } }) as const;

    await send(templated('claim-mails-5:approved', tenant.id, { userIds: [english.id] }, payment('claimPaymentApproved', 250000, '0')));
    await send(templated('claim-mails-5:returned', tenant.id, { userIds: [german.id] }, payment('claimPaymentReturned', 1234.5, '3')));

    const yen = await stack.smtp.waitFor((m) => m.to.includes(english.email));
    expect(yen.text).toContain('We approved a payment of 250000 on claim CLM-2030-000005 (reference PAY-CLM-2030-000005-1)');
    const dinars = await stack.smtp.waitFor((m) => m.to.includes(german.email));
    expect(dinars.text).toContain('Die Bank hat die Zahlung von 1234,500 zu Schaden CLM-2030-000005 zurückgegeben');
  });

  it('takes the tenant’s own subject and escapes a denial reason in the HTML', async () => {
    const tenant = await buildTenant();
    await TenantSettings.update(
      {
        values: {
          collectPremiums: false,
          notificationOverrides: { claimDenied: { en: { subject: 'Acme: your claim {claimNumber} was not accepted' } } },
        },
      },
      { where: { tenantId: tenant.id } },
    );
    const claimant = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const reason = '<b>No cover</b> for wear & tear';
    const denied = { type: 'claimDenied', values: { claimNumber: 'CLM-2030-000003', reason, reasonGiven: 'yes' } } as const;

    await send(templated('claim-mails-3:denied', tenant.id, { userIds: [claimant.id] }, denied));

    const mail = await stack.smtp.waitFor((m) => m.to.includes(claimant.email));
    expect(mail.subject).toBe('Acme: your claim CLM-2030-000003 was not accepted');
    expect(mail.text).toContain(`Claim CLM-2030-000003 was denied: ${reason}.`);
    expect(mail.html).not.toContain('<b>No cover</b>');
    expect(mail.html).toContain('&#60;b&#62;No cover&#60;/b&#62;');
  });

  it('still sends the text an older run passed instead of a template', async () => {
    const tenant = await buildTenant();
    const claimant = await buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'de' });
    await send({
      idempotencyKey: 'claim-mails-4:paid',
      tenantId: tenant.id,
      to: { userIds: [claimant.id] },
      subject: 'Claim CLM-2030-000004 is paid',
      text: 'We paid 10.00 for claim CLM-2030-000004 (reference PAY-CLM-2030-000004).',
    });
    const mail = await stack.smtp.waitFor((m) => m.to.includes(claimant.email));
    expect(mail).toMatchObject({ subject: 'Claim CLM-2030-000004 is paid', html: '' });
    expect(await Notification.findOne({ where: { idempotencyKey: 'claim-mails-4:paid' } })).toMatchObject({ status: 'sent' });
  });
});
