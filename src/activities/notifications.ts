/**
 * One activity family, two channels (docs/architecture.md, Notifications). Each send is recorded under a unique
 * idempotency key (workflow ID + purpose) and the row is locked while sending, so a retried or
 * duplicated activity never sends the same message twice.
 */
import { Op, Transaction } from 'sequelize';
import { Notification, TenantSettings, User } from '../models';
import type { NotificationChannel } from '../models/notification';
import { notificationsFailed, notificationsSent } from '../observability/business-metrics';
import { inClientSpan } from '../observability/spans';
import type { Role } from '../shared/roles';
import { postSignedWebhook } from '../services/webhook';
import type { ActivityDeps } from './deps';

export interface EmailRecipients {
  emails?: string[];
  userIds?: string[];
  /** Every active user with one of these roles in the tenant (platform admins: tenantId null). */
  roles?: Role[];
}

export interface SendEmailInput {
  idempotencyKey: string;
  tenantId: string | null;
  to: EmailRecipients;
  subject: string;
  text: string;
}

export interface SendTenantWebhookInput {
  idempotencyKey: string;
  tenantId: string;
  event: string;
  data: object;
}

export interface NotificationResult {
  notificationId: string | null;
  status: 'sent' | 'already_sent' | 'no_recipients';
  recipients: string[];
}

export function createNotificationActivities(deps: ActivityDeps) {
  async function resolveEmails(tenantId: string | null, to: EmailRecipients): Promise<string[]> {
    const emails = new Set((to.emails ?? []).map((e) => e.toLowerCase()));
    const conditions = [];
    if (to.userIds?.length) conditions.push({ id: { [Op.in]: to.userIds } });
    if (to.roles?.length) conditions.push({ role: { [Op.in]: to.roles } });
    if (conditions.length) {
      const users = await User.findAll({ where: { tenantId, isActive: true, [Op.or]: conditions }, attributes: ['email'] });
      users.forEach((u) => emails.add(u.email));
    }
    return [...emails].sort();
  }

  /** Records the intent (once), then sends under a row lock unless an earlier attempt already did. */
  async function sendOnce(
    record: { idempotencyKey: string; tenantId: string | null; channel: NotificationChannel; recipients: string[]; subject: string; body?: string; payload?: object },
    deliver: () => Promise<void>,
  ): Promise<NotificationResult> {
    await Notification.bulkCreate([record], { ignoreDuplicates: true });
    let failure: unknown;
    const result = await deps.sequelize.transaction(async (transaction: Transaction) => {
      const row = await Notification.findOne({ where: { idempotencyKey: record.idempotencyKey }, lock: transaction.LOCK.UPDATE, transaction });
      if (!row) throw new Error(`notification ${record.idempotencyKey} vanished`);
      if (row.status === 'sent') return { notificationId: row.id, status: 'already_sent' as const, recipients: row.recipients };
      try {
        await inClientSpan(`${record.channel} send`, { 'insurflow.notification.key': record.idempotencyKey }, deliver);
        notificationsSent.inc({ channel: record.channel });
      } catch (err) {
        notificationsFailed.inc({ channel: record.channel });
        failure = err;
        await row.update({ attempts: row.attempts + 1, lastError: String(err) }, { transaction });
        return null;
      }
      await row.update({ status: 'sent', sentAt: new Date(), attempts: row.attempts + 1, lastError: null }, { transaction });
      return { notificationId: row.id, status: 'sent' as const, recipients: row.recipients };
    });
    // Thrown after the commit so the failed attempt stays recorded; Temporal retries the activity.
    if (!result) throw failure;
    return result;
  }

  return {
    async sendEmail(input: SendEmailInput): Promise<NotificationResult> {
      const recipients = await resolveEmails(input.tenantId, input.to);
      if (recipients.length === 0) {
        deps.logger.warn({ key: input.idempotencyKey }, 'email has no recipients');
        return { notificationId: null, status: 'no_recipients', recipients };
      }
      return sendOnce(
        { idempotencyKey: input.idempotencyKey, tenantId: input.tenantId, channel: 'email', recipients, subject: input.subject, body: input.text },
        () =>
          deps.mailer.send({
            to: recipients,
            subject: input.subject,
            text: input.text,
            messageId: `<${encodeURIComponent(input.idempotencyKey)}@insurflow>`,
          }),
      );
    },

    /** Posts an HMAC-signed event to the tenant's compliance webhook, when one is configured. */
    async sendTenantWebhook(input: SendTenantWebhookInput): Promise<NotificationResult> {
      const settings = await TenantSettings.findByPk(input.tenantId);
      const url = settings?.effective().complianceWebhookUrl;
      const secret = settings?.complianceWebhookSecret;
      if (!url || !secret) return { notificationId: null, status: 'no_recipients', recipients: [] };
      const body = { event: input.event, tenantId: input.tenantId, deliveryId: input.idempotencyKey, data: input.data };
      return sendOnce(
        { idempotencyKey: input.idempotencyKey, tenantId: input.tenantId, channel: 'webhook', recipients: [url], subject: input.event, payload: body },
        async () => {
          await postSignedWebhook({ url, secret, deliveryId: input.idempotencyKey, body }, deps.webhookTimeoutMs, deps.webhookGuard);
        },
      );
    },
  };
}

