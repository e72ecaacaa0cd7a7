/**
 * One activity family, two channels (docs/architecture.md, Notifications). Each send is recorded under a unique
 * idempotency key (workflow ID + purpose) and claimed for one attempt at a time under a lease, so a
 * retried or duplicated activity does not send the same message twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import { fn, literal, Op, type CreationAttributes } from 'sequelize';
import { Notification, Subscription, Tenant, TenantSettings, User } from '../models';
import type { NotificationChannel, NotificationStatus } from '../models/notification';
import { claimSlaBreaches, notificationsFailed, notificationsSent } from '../observability/business-metrics';
import { inClientSpan } from '../observability/spans';
import { NOTIFICATION_LEASE_MS } from '../shared/notification-timing';
import { minorUnitDigits } from '../shared/money';
import type { Role } from '../shared/roles';
import type { EmailAttachment } from '../services/mailer';
import { owedOnPolicy } from '../domain/premiums/payments';
import { erasedRecipients } from '../domain/privacy/erasure';
import { mailContextOf } from '../services/notifications/context';
import { renderNotification, type CallToAction } from '../services/notifications/render';
import { isLocale, type Locale, type NotificationType } from '../shared/notification-settings';
import { postSignedWebhook } from '../services/webhook';
import type { ActivityDeps } from './deps';

/** The statuses of a notification recorded and never to be sent. */
type WithheldStatus = Extract<NotificationStatus, 'suppressed' | 'recipient_erased'>;
const WITHHELD: ReadonlySet<NotificationStatus> = new Set<WithheldStatus>(['suppressed', 'recipient_erased']);

/** The failure type of an attempt that found another attempt sending the same notification. */
export const NOTIFICATION_LEASE_HELD = 'NotificationLeaseHeld';

export interface EmailRecipients {
  emails?: string[];
  userIds?: string[];
  /** Every active user with one of these roles in the tenant (platform admins: tenantId null). */
  roles?: readonly Role[];
}

/**
 * A mail rendered from its template (docs/notifications.md): the caller passes the values, never
 * sentences, and each recipient reads it in their own language with the tenant's branding. A date
 * is passed as its ISO string (an instant's `toISOString()`, or a calendar date `YYYY-MM-DD`).
 */
export interface EmailTemplate {
  type: NotificationType;
  /** A Date only from an activity: a workflow's input reaches its activity as JSON, so a workflow passes numbers and strings. */
  values: Record<string, string | number | Date>;
  /**
   * The link of a template with an action and the single-use token in it, built by the caller (an
   * acknowledgement's signed link): the layout places both, and the token is kept out of the
   * notification row as a secret.
   */
  callToAction?: CallToAction;
}

/**
 * A template to render, or a subject and text as written: activity tasks that runs scheduled before
 * their mails were templates carry those (tests/fixtures/histories hold such runs), and a task in
 * flight at a deploy is still sent. No code of ours writes one (tests/structure/mail-texts.test.ts).
 */
type EmailContent =
  { subject: string; text: string; template?: undefined } | { template: EmailTemplate; subject?: undefined; text?: undefined };

export type SendEmailInput = EmailContent & {
  idempotencyKey: string;
  tenantId: string | null;
  to: EmailRecipients;
  /** Sent with the message, not recorded with it (a scheduled report's CSV is built again on a retry). */
  attachments?: EmailAttachment[];
  /** The escalation of a claim's missed deadline this e-mail carries: counted as an SLA breach once sent. */
  slaBreach?: string;
  /**
   * What the text carries that works as a key (a mailed link's token): the mail has it, the
   * notification row keeps the text with each one replaced by `[token]`, so reading the table
   * gives no way to act in the recipient's name.
   */
  secrets?: string[];
};

/** The text as the notification row keeps it: without the secrets the mail carries. */
const recordedText = (text: string, secrets: string[] = []) => secrets.reduce((kept, secret) => kept.split(secret).join('[token]'), text);

export interface SendTenantWebhookInput {
  idempotencyKey: string;
  tenantId: string;
  event: string;
  data: object;
}

export interface NotificationResult {
  notificationId: string | null;
  /** `suppressed`: recorded and not sent, its tenant being suspended or its recipients erased (the row's status says which). */
  status: 'sent' | 'already_sent' | 'no_recipients' | 'suppressed';
  recipients: string[];
}

export function createNotificationActivities(deps: ActivityDeps) {
  /**
   * Each recipient's address and own language (null: an address without an account of the tenant,
   * or no setting); an address given as such reads in the language of the tenant's account with it.
   */
  async function resolveRecipients(tenantId: string | null, to: EmailRecipients): Promise<Map<string, string | null>> {
    const recipients = new Map<string, string | null>((to.emails ?? []).map((e) => [e.toLowerCase(), null]));
    const conditions = [];
    if (recipients.size) conditions.push({ email: { [Op.in]: [...recipients.keys()] } });
    if (to.userIds?.length) conditions.push({ id: { [Op.in]: to.userIds } });
    if (to.roles?.length) conditions.push({ role: { [Op.in]: to.roles } });
    if (conditions.length) {
      const users = await User.findAll({ where: { tenantId, isActive: true, [Op.or]: conditions }, attributes: ['email', 'locale'] });
      users.forEach((u) => recipients.set(u.email, u.locale));
    }
    return new Map([...recipients].sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * A subscription's mail names the policy as its holder knows it (its number, not the row's id)
   * and writes the cover in its currency: the run knows neither for every policy (the number is
   * given on insert, runs started before their terms carried the currency), the row does.
   */
  async function withPolicyFacts(tenantId: string | null, values: EmailTemplate['values']): Promise<EmailTemplate['values']> {
    if (tenantId === null || typeof values.subscriptionId !== 'string') return values;
    const policy = await Subscription.findOne({ where: { id: values.subscriptionId, tenantId }, attributes: ['policyNumber', 'currency'] });
    // Filled on insert: a row has both. No row (a caller's mistake) leaves the render to refuse the mail for the missing value.
    if (!policy?.policyNumber || !policy.currency) return values;
    return { policyNumber: policy.policyNumber, currency: policy.currency, ...values };
  }

  /**
   * A cancellation's mail says what the policy still owes, if anything (docs/premiums.md, Refunds: after a paid claim
   * the term's unpaid instalments stay owed, due on the cancellation day): its invoices say it, the run does not know it.
   */
  async function withBalanceOwed(type: NotificationType, tenantId: string | null, values: EmailTemplate['values']) {
    const { subscriptionId, currency } = values;
    if (type !== 'subscriptionCancelled' || tenantId === null || typeof subscriptionId !== 'string' || typeof currency !== 'string')
      return values;
    const owedMinor = await owedOnPolicy(deps.sequelize, tenantId, subscriptionId);
    const digits = minorUnitDigits(currency);
    return { ...values, owing: owedMinor > 0 ? 'yes' : 'no', owed: owedMinor / 10 ** digits, decimals: String(digits) };
  }

  /**
   * The mails of one notification: one per language among its recipients, each rendered from the
   * template in that language; the tenant's default language first, as the notification row keeps it.
   */
  async function renderedMails(
    input: SendEmailInput,
    recipients: Map<string, string | null>,
  ): Promise<{ to: string[]; subject: string; text: string; html?: string }[]> {
    if (!input.template) return [{ to: [...recipients.keys()], subject: input.subject, text: input.text }];
    const { type, callToAction } = input.template;
    const [context, values] = await Promise.all([
      mailContextOf(input.tenantId),
      withPolicyFacts(input.tenantId, input.template.values).then((facts) => withBalanceOwed(type, input.tenantId, facts)),
    ]);
    const byLocale = new Map<Locale, string[]>([[context.locale, []]]);
    for (const [email, own] of recipients) {
      const locale = isLocale(own) ? own : context.locale;
      byLocale.set(locale, [...(byLocale.get(locale) ?? []), email]);
    }
    const groups = [...byLocale].filter(([, to]) => to.length > 0);
    // The values are the template's by the caller's contract (src/workflows/*/messages.ts); a missing one fails the render.
    return Promise.all(
      groups.map(async ([locale, to]) => ({
        to,
        ...(await renderNotification(type, values as never, { ...context, locale }, callToAction)),
      })),
    );
  }

  /**
   * Claims the row for this attempt (status `sending` until the lease ends) in one statement: a
   * row never claimed, one whose last attempt failed, or one whose lease ran out (its attempt
   * died) is taken; a sent one, or one another attempt holds, is not.
   */
  async function claim(idempotencyKey: string): Promise<Notification | undefined> {
    const [, claimed] = await Notification.update(
      {
        status: 'sending',
        leaseUntil: literal(`now() + interval '${NOTIFICATION_LEASE_MS} milliseconds'`),
        attempts: literal('attempts + 1'),
      },
      {
        where: {
          idempotencyKey,
          [Op.or]: [{ status: { [Op.in]: ['pending', 'failed'] } }, { status: 'sending', leaseUntil: { [Op.lt]: fn('now') } }],
        },
        returning: true,
      },
    );
    return claimed[0];
  }

  /**
   * Records the intent (once), claims it, delivers with no transaction open (a mail server that
   * never answers holds no database connection), then records the outcome. A delivery whose
   * outcome is not recorded (the worker dies in between) is made again once the lease has run
   * out, with the same Message-ID or delivery ID: at least once, and as good as once to a
   * receiver that drops duplicates.
   */
  async function sendOnce(
    record: {
      idempotencyKey: string;
      tenantId: string | null;
      channel: NotificationChannel;
      recipients: string[];
      subject: string;
      body?: string;
      payload?: object;
    },
    deliver: () => Promise<void>,
  ): Promise<NotificationResult> {
    await Notification.bulkCreate([record], { ignoreDuplicates: true });
    const row = await claim(record.idempotencyKey);
    if (!row) {
      const current = await Notification.findOne({ where: { idempotencyKey: record.idempotencyKey } });
      if (!current) throw new Error(`notification ${record.idempotencyKey} vanished`);
      if (current.status === 'sent') return { notificationId: current.id, status: 'already_sent', recipients: current.recipients };
      // Withheld (its tenant suspended, its recipients erased): never sent later, even once the tenant is back or the erasure blocked.
      if (WITHHELD.has(current.status)) return { notificationId: current.id, status: 'suppressed', recipients: current.recipients };
      // Retryable: by the next attempt the holder has sent it, or failed, or its lease has run out.
      throw ApplicationFailure.retryable(`notification ${record.idempotencyKey} is being sent by another attempt`, NOTIFICATION_LEASE_HELD);
    }
    try {
      await inClientSpan(`${record.channel} send`, { 'insurflow.notification.key': record.idempotencyKey }, deliver);
    } catch (err) {
      notificationsFailed.inc({ channel: record.channel });
      // Only while this attempt still holds the row: one that took it over must not be released.
      await Notification.update(
        { status: 'failed', leaseUntil: null, lastError: String(err) },
        { where: { id: row.id, status: 'sending', attempts: row.attempts } },
      );
      throw err;
    }
    notificationsSent.inc({ channel: record.channel });
    await Notification.update(
      { status: 'sent', sentAt: new Date(), leaseUntil: null, lastError: null },
      { where: { id: row.id, status: { [Op.ne]: 'sent' } } },
    );
    return { notificationId: row.id, status: 'sent', recipients: row.recipients };
  }

  /**
   * Records an e-mail as withheld instead of sending it: `suppressed`, its tenant suspended
   * (docs/onboarding.md, Suspending a tenant), or `recipient_erased` (docs/privacy.md, Nothing is sent
   * to an erased person). Dropped, not deferred, since a reminder sent after the fact would mislead.
   * A row already sent stays as it is; one that failed earlier is withheld too.
   */
  async function withhold(record: CreationAttributes<Notification>, status: WithheldStatus): Promise<NotificationResult> {
    await Notification.bulkCreate([{ ...record, status }], { ignoreDuplicates: true });
    await Notification.update(
      { status, leaseUntil: null },
      { where: { idempotencyKey: record.idempotencyKey, status: { [Op.in]: ['pending', 'failed'] } } },
    );
    const row = await Notification.findOne({ where: { idempotencyKey: record.idempotencyKey } });
    if (!row) throw new Error(`notification ${record.idempotencyKey} vanished`);
    return { notificationId: row.id, status: row.status === 'sent' ? 'already_sent' : 'suppressed', recipients: row.recipients };
  }

  const tenantSuspended = async (tenantId: string | null) =>
    tenantId !== null && (await Tenant.count({ where: { id: tenantId, status: 'suspended' } })) > 0;

  return {
    async sendEmail(input: SendEmailInput): Promise<NotificationResult> {
      const addressed = await resolveRecipients(input.tenantId, input.to);
      // Checked as it is sent, not when the run meant it: an erasure accepted since then means nothing more goes to that person.
      const erased = await erasedRecipients(input.tenantId, { userIds: input.to.userIds ?? [], emails: [...addressed.keys()] });
      erased.emails.forEach((email) => addressed.delete(email));
      const recipients = [...addressed.keys()];
      const anyErased = erased.emails.length > 0 || erased.erasureIds.length > 0;
      if (recipients.length === 0 && anyErased) {
        // Nothing of the person in the row (the text may hold their name): the erasures say whom it was for.
        const record = { idempotencyKey: input.idempotencyKey, tenantId: input.tenantId, channel: 'email' as const, recipients };
        const subject = input.template ? input.template.type : input.subject;
        return withhold({ ...record, subject, body: null, payload: { erasureIds: erased.erasureIds } }, 'recipient_erased');
      }
      if (recipients.length === 0) {
        deps.logger.warn({ key: input.idempotencyKey }, 'email has no recipients');
        return { notificationId: null, status: 'no_recipients', recipients };
      }
      if (anyErased) deps.logger.info({ key: input.idempotencyKey, erasureIds: erased.erasureIds }, 'email not sent to erased recipients');
      const mails = await renderedMails(input, addressed);
      const record = {
        idempotencyKey: input.idempotencyKey,
        tenantId: input.tenantId,
        channel: 'email' as const,
        recipients,
        subject: mails[0].subject,
        body: recordedText(mails[0].text, [
          ...(input.secrets ?? []),
          ...(input.template?.callToAction ? [input.template.callToAction.token] : []),
        ]),
      };
      if (await tenantSuspended(input.tenantId)) return withhold(record, 'suppressed');
      const messageId = `<${encodeURIComponent(input.idempotencyKey)}@insurflow>`;
      const result = await sendOnce(record, async () => {
        // One mail per language; a retry sends each again with its own Message-ID, which receivers deduplicate.
        for (const [index, mail] of mails.entries()) {
          await deps.mailer.send({
            ...mail,
            attachments: input.attachments,
            messageId: index === 0 ? messageId : messageId.replace('@', `.${index}@`),
          });
        }
      });
      if (result.status === 'sent' && input.slaBreach) claimSlaBreaches.inc({ escalation: input.slaBreach });
      return result;
    },

    /** Posts an HMAC-signed event to the tenant's compliance webhook, when one is configured. */
    async sendTenantWebhook(input: SendTenantWebhookInput): Promise<NotificationResult> {
      const settings = await TenantSettings.findByPk(input.tenantId);
      const url = settings?.effective().complianceWebhookUrl;
      const secret = settings?.complianceWebhookSecret;
      if (!url || !secret) return { notificationId: null, status: 'no_recipients', recipients: [] };
      const body = { event: input.event, tenantId: input.tenantId, deliveryId: input.idempotencyKey, data: input.data };
      return sendOnce(
        {
          idempotencyKey: input.idempotencyKey,
          tenantId: input.tenantId,
          channel: 'webhook',
          recipients: [url],
          subject: input.event,
          payload: body,
        },
        async () => {
          await postSignedWebhook({ url, secret, deliveryId: input.idempotencyKey, body }, deps.webhookTimeoutMs, deps.webhookGuard);
        },
      );
    },
  };
}
