/**
 * The compliance mails from templates (docs/notifications.md, The compliance mails): a policy's
 * notice, an acknowledgement's escalation and a review's outcome, each in its recipient's language
 * with the due date in the tenant's time zone; the notice's signed link is in the mail and not in
 * the notification row. Real PostgreSQL and a real SMTP server; the activities run as the worker
 * runs them.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createComplianceActivities } from '../../src/activities/compliance';
import { createPolicyApprovalActivities } from '../../src/activities/policy-approval';
import { createPolicyNotices } from '../../src/activities/policy-notice';
import { acknowledgementRun } from '../../src/contracts/acknowledgement';
import { Notification, TenantSettings, type Tenant } from '../../src/models';
import {
  ACKNOWLEDGE_PAGE,
  acknowledgementLinkKeyOf,
  readAcknowledgementToken,
} from '../../src/domain/compliance/acknowledgement-link-tokens';
import { buildAcknowledgement, buildCompliancePolicy, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { linkIn } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';

/** 23:30 UTC: already the next day in Berlin, so a date written in UTC would be a day early. */
const DUE = new Date('2030-03-14T23:30:00Z');

describe('compliance e-mails from templates', () => {
  const stack = testStackOfBlock();

  const inBerlin = async (tenant: Tenant) =>
    TenantSettings.update({ values: { collectPremiums: false, timeZone: 'Europe/Berlin' } }, { where: { tenantId: tenant.id } });

  async function publishedPolicy(tenant: Tenant, title: string) {
    const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const policy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title });
    const version = await buildPolicyVersion({ policyId: policy.id, status: 'published', dueAt: DUE });
    return { officer, policy, version };
  }

  it('sends each employee the notice in their language with the due day in the tenant’s zone, the link once, and no token in the row', async () => {
    const tenant = await buildTenant();
    await inBerlin(tenant);
    const { policy, version } = await publishedPolicy(tenant, 'Gifts & hospitality');
    const german = await buildUser({ tenantId: tenant.id, role: 'claims_agent', locale: 'de', fullName: 'Greta Mitarbeiterin' });
    const english = await buildUser({ tenantId: tenant.id, role: 'claims_agent', fullName: 'Ed Employee' });
    const { sendPolicyNotice } = createPolicyNotices(stack.deps);
    const named = { title: policy.title, versionNumber: version.versionNumber };

    const germanAck = await buildAcknowledgement({ versionId: version.id, employeeId: german.id });
    const englishAck = await buildAcknowledgement({ versionId: version.id, employeeId: english.id });
    await new MockActivityEnvironment().run(sendPolicyNotice, germanAck, german, named);
    await new MockActivityEnvironment().run(sendPolicyNotice, englishAck, english, named);
    // A retried activity: the row keeps it to one mail.
    await new MockActivityEnvironment({ attempt: 2 }).run(sendPolicyNotice, germanAck, german, named);

    const inGerman = await stack.smtp.waitFor((m) => m.to.includes(german.email));
    expect(inGerman.subject).toBe('Neue Richtlinie zu bestätigen: „Gifts & hospitality“ (Version 1), fällig am 15.03.2030');
    expect(inGerman.text).toContain('Guten Tag Greta Mitarbeiterin,');
    expect(inGerman.text).toContain('Bitte lesen Sie sie und bestätigen Sie sie bis zum 15.03.2030.');
    expect(inGerman.text).toContain('Öffnen Sie diesen Link, um die Richtlinie zu lesen und zu bestätigen:');
    const inEnglish = await stack.smtp.waitFor((m) => m.to.includes(english.email));
    expect(inEnglish.subject).toBe('New policy to acknowledge: "Gifts & hospitality" (version 1), due 2030-03-15');
    expect(inEnglish.text).toContain('Hello Ed Employee,');
    expect(inEnglish.text).toContain('"Gifts & hospitality" (version 1) applies to you: please read it and acknowledge it by 2030-03-15.');
    expect(inEnglish.text).toContain('Open this link to read the policy and acknowledge it:');

    const link = linkIn(inGerman, ACKNOWLEDGE_PAGE);
    const token = link.searchParams.get('token')!;
    expect(readAcknowledgementToken(acknowledgementLinkKeyOf(stack.config.jwt), token)?.acknowledgementId).toBe(germanAck.id);
    expect(inGerman.html).toContain(`href="${link.toString()}"`);
    expect(inGerman.html).toContain('Gifts &#38; hospitality');

    const row = await Notification.findOne({ where: { idempotencyKey: `${germanAck.workflowId}:notice` }, rejectOnEmpty: true });
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    // Its only recipient reads German, so the row keeps the German text.
    expect(row.subject).toBe(inGerman.subject);
    expect(row.body).not.toContain(token);
    expect(row.body).toContain(`${ACKNOWLEDGE_PAGE}?token=[token]`);
    expect(stack.smtp.messages.filter((m) => m.to.includes(german.email))).toHaveLength(1);
  });

  /** The first escalation of an overdue acknowledgement, as its run's activity carries it out. */
  const escalateToLevelOne = (acknowledgementId: string) =>
    new MockActivityEnvironment().run(createComplianceActivities(stack.deps).escalateOverdueAcknowledgement, {
      acknowledgementId,
      workflowId: acknowledgementRun.id(acknowledgementId),
      level: 1 as const,
    });

  it('tells a German manager of an overdue acknowledgement in German, the day in the tenant’s zone', async () => {
    const tenant = await buildTenant();
    await inBerlin(tenant);
    const { version } = await publishedPolicy(tenant, 'Travel');
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager', locale: 'de' });
    const employee = await buildUser({ tenantId: tenant.id, role: 'claims_agent', fullName: 'Ed Employee', managerId: manager.id });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });

    await escalateToLevelOne(ack.id);

    const mail = await stack.smtp.waitFor((m) => m.to.includes(manager.email));
    expect(mail.subject).toBe('Überfällig: Ed Employee hat „Travel“ (Version 1) nicht bestätigt');
    expect(mail.text).toContain(`Ed Employee <${employee.email}> hätte „Travel“ (Version 1) bis zum 15.03.2030 bestätigen sollen`);
    expect(mail.text).toContain('Eskalationsstufe 1.');
    expect(mail.html).toContain(`Ed Employee &#60;${employee.email}&#62;`);
  });

  it('tells the compliance officers, not a customer, of an overdue acknowledgement whose manager link names a policyholder', async () => {
    const tenant = await buildTenant();
    const { officer, version } = await publishedPolicy(tenant, 'Conflicts');
    // A link made before managers had to be staff (the API refuses it now: tests/users/managers-api.test.ts).
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const employee = await buildUser({ tenantId: tenant.id, role: 'adjuster', fullName: 'Ada Adjuster', managerId: holder.id });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });

    await escalateToLevelOne(ack.id);

    const mail = await stack.smtp.waitFor((m) => m.subject.startsWith('Overdue: Ada Adjuster'));
    expect(mail.to).toEqual([officer.email]);
    expect(stack.smtp.messages.filter((m) => m.to.includes(holder.email))).toEqual([]);
  });

  it('sends a review’s outcome in the author’s language, with the reason and the policy’s address', async () => {
    const tenant = await buildTenant();
    const author = await buildUser({ tenantId: tenant.id, role: 'compliance_officer', locale: 'de' });
    const policy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: author.id, title: 'Gifts' });
    const submittedAt = new Date().toISOString();
    const version = await buildPolicyVersion({ policyId: policy.id, submittedById: author.id, submittedAt: new Date(submittedAt) });
    const { notifyPolicyReview } = createPolicyApprovalActivities(stack.deps);

    const result = await new MockActivityEnvironment().run(notifyPolicyReview, {
      versionId: version.id,
      submittedAt,
      message: 'rejected' as const,
      reason: 'Name the gift register.',
      idempotencyKey: `compliance-mails-review-${version.id}:rejected`,
    });

    expect(result).toMatchObject({ status: 'sent', recipients: [author.email] });
    const mail = await stack.smtp.waitFor((m) => m.to.includes(author.email));
    expect(mail.subject).toBe('Änderungen erbeten: „Gifts“ (Version 1)');
    expect(mail.text).toContain('Begründung: Name the gift register.');
    expect(mail.text).toContain(`${stack.deps.apiPublicUrl}/api/v1/compliance/policies/${policy.id}`);
  });
});
