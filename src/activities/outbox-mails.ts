/**
 * The mails handed to the outbox (kind `mail`, src/models/outbox-message.ts): a quote's and a
 * difference in the books (src/domain/ledger/reconciliation-mail.ts), sent by the worker: it takes the due ones in batches under a lease (several workers never take the same),
 * renders each and sends it as every notification is sent (`sendEmail`: recorded under the
 * message's key, so a message taken again after a crash is not mailed twice), then marks it
 * delivered. A failure backs off as the API's relay does for Temporal (src/services/outbox.ts).
 * The account mails the API failed to send (src/domain/identity/account-mails.ts) are sent as it
 * rendered them, opened from their seal, under their key as Message-ID.
 * Mails are the worker's so that the API spends nothing on rendering or on a mail server per
 * request (docs/performance.md, Quotes).
 */
import { QueryTypes } from 'sequelize';
import { QUOTE_MAIL_KIND, quoteIssuedMail } from '../domain/quotes/quote-mail';
import { ledgerDifferenceMail } from '../domain/ledger/reconciliation-mail';
import { mailAccount, openAccountMail, OUTBOX_MAIL_LEASE_MS } from '../domain/identity/account-mails';
import { OutboxMessage } from '../models';
import type { AccountMailPayload, MailPayload } from '../models/outbox-message';
import type { ActivityDeps } from './deps';
import { createNotificationActivities, type EmailRecipients, type EmailTemplate } from './notifications';
import { startPollingLoop, type PollingLoop } from '../services/polling-loop';

/** Mails taken at once; a full batch sent means more are likely due, and the next follows at once. */
const BATCH = 100;
/** Sent side by side: a mail server's round trip, not the CPU, is what one mail waits for. */
const CONCURRENCY = 8;
/** How long a batch is held before another worker may take what it did not send. */
const LEASE_SECONDS = OUTBOX_MAIL_LEASE_MS / 1000;
const MAX_BACKOFF_MS = 30_000;

interface DueMail {
  id: string;
  workflow_id: string;
  payload: MailPayload;
  attempts: number;
}

/** Takes the due mails, oldest first, for one attempt each: only one worker at a time (the lease), none already sent or backing off. */
function takeDue(deps: ActivityDeps): Promise<DueMail[]> {
  return deps.sequelize.query<DueMail>(
    `UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => :lease), updated_at = now()
     WHERE id IN (SELECT id FROM outbox_messages
                  WHERE kind = :kind AND delivered_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                  ORDER BY created_at LIMIT :batch FOR UPDATE SKIP LOCKED)
     RETURNING id, workflow_id, payload, attempts`,
    { replacements: { kind: QUOTE_MAIL_KIND, lease: LEASE_SECONDS, batch: BATCH }, type: QueryTypes.SELECT },
  );
}

/** What a message's mail is, read as it is sent: its tenant, recipients and template; null when there is nobody to mail. */
async function mailOf(
  deps: ActivityDeps,
  payload: Exclude<MailPayload, AccountMailPayload>,
): Promise<{ tenantId: string; to: EmailRecipients; template: EmailTemplate } | null> {
  if (payload.mail === 'ledgerDifference') {
    const mail = await ledgerDifferenceMail(deps.sequelize, payload.incidentId);
    return mail && { tenantId: mail.tenantId, to: { roles: mail.roles }, template: { type: 'ledgerDifference', values: mail.values } };
  }
  const mail = await quoteIssuedMail(payload.quoteId, deps.apiPublicUrl);
  return mail && { tenantId: mail.tenantId, to: { userIds: [mail.requestedById] }, template: { type: 'quoteIssued', values: mail.values } };
}

/** Sends the due mails once; answers how many were taken. */
export async function sendDueMails(deps: ActivityDeps): Promise<number> {
  const due = await takeDue(deps);
  const { sendEmail } = createNotificationActivities(deps);
  const send = async (message: DueMail) => {
    try {
      if (message.payload.mail === 'account') {
        const mail = openAccountMail(deps.sealing, message.workflow_id, message.payload);
        // Sealed under a JWT_SECRET since replaced: nobody can read it any more; the requester asks again.
        if (mail) await mailAccount(deps.mailer, message.workflow_id, mail);
        else deps.logger.error({ outboxMessageId: message.id }, 'an account mail could not be opened; it is dropped');
      } else {
        // Nobody to mail (the quote, its requester or the incident is gone): delivered, with nothing sent.
        const mail = await mailOf(deps, message.payload);
        if (mail) await sendEmail({ idempotencyKey: message.workflow_id, ...mail });
      }
      await OutboxMessage.update({ deliveredAt: new Date(), nextAttemptAt: null, lastError: null }, { where: { id: message.id } });
    } catch (err) {
      const backoffMs = Math.min(1000 * 2 ** Math.min(message.attempts, 5), MAX_BACKOFF_MS);
      // Best effort: without it the lease simply runs out and the mail is taken again a little later.
      await OutboxMessage.update(
        { nextAttemptAt: new Date(Date.now() + backoffMs), lastError: String((err as Error).message).slice(0, 2000) },
        { where: { id: message.id } },
      ).catch(() => undefined);
      deps.logger.warn({ err, outboxMessageId: message.id, key: message.workflow_id }, 'outbox mail failed; it is tried again');
    }
  };
  const queue = [...due];
  const drain = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) await send(message);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, drain));
  return due.length;
}

/** Sends the outbox's mails every `intervalMs` until stopped; a database outage only delays them. */
export function startOutboxMails(deps: ActivityDeps, intervalMs = 500): PollingLoop {
  return startPollingLoop(
    async () => (await sendDueMails(deps)) >= BATCH,
    (err) => deps.logger.warn({ err }, 'outbox mails could not be read'),
    intervalMs,
  );
}
