/**
 * The links that let an address outside the tenant's staff receive a saved report
 * (docs/reports.md, Who receives a report): minted in the transaction that saves the
 * definition's recipients, mailed once it has committed, and followed on a public route. Until
 * its link is followed an address receives nothing of the report; the delivery skips it and
 * records that it did.
 */
import type { Transaction } from 'sequelize';
import type { Config } from '../../config';
import { Tenant, User, type ReportDefinition } from '../../models';
import { mailContextOf, type MailContext } from '../../services/notifications/context';
import { confirmRecipient, mintRecipientLinks } from './recipient-links';
import { audited } from '../audited';
import { accountMail, expiryOf, type AccountMail, mailAfterAnswer } from '../identity/account-mails';
import { withMailedToken } from '../identity/commands';
import type { CommandDeps, PublicCommand } from '../command';

/** How long a recipient's link works: long enough for someone outside the company to read their mail. */
export const RECIPIENT_LINK_TTL_MS = 3 * 24 * 60 * 60 * 1000;

export function recipientLinkMail(
  config: Config,
  link: { email: string; token: string },
  report: { name: string; kind: string; companyName: string; addedBy: string },
  context: MailContext,
): Promise<AccountMail> {
  const values = {
    addedBy: report.addedBy,
    companyName: report.companyName,
    kind: report.kind,
    reportName: report.name,
    days: RECIPIENT_LINK_TTL_MS / 86_400_000,
    expiresAt: expiryOf(RECIPIENT_LINK_TTL_MS),
  };
  return accountMail(config, link.email, 'reportRecipientLink', values, context, link.token);
}

/**
 * Mints, in the transaction that saved the definition, the links its pending recipients need;
 * answers a function that mails them, to call once the transaction has committed.
 */
export async function linkRecipients(
  definition: ReportDefinition,
  savedById: string,
  transaction: Transaction,
  deps: Pick<CommandDeps, 'config' | 'logger' | 'auditSource' | 'mailer'>,
): Promise<() => void> {
  const links = await mintRecipientLinks(definition, RECIPIENT_LINK_TTL_MS, transaction);
  if (links.length === 0) return () => undefined;
  // The recipient is outside the tenant, so has no language of their own: the tenant's default.
  const [savedBy, tenant, context] = await Promise.all([
    User.findByPk(savedById, { attributes: ['fullName'], transaction }),
    Tenant.findByPk(definition.tenantId, { attributes: ['name'], transaction }),
    mailContextOf(definition.tenantId),
  ]);
  const report = { name: definition.name, kind: definition.kind, companyName: tenant?.name ?? '', addedBy: savedBy?.fullName ?? 'Someone' };
  return () =>
    mailAfterAnswer(
      deps,
      links.map((link) => () => recipientLinkMail(deps.config, link, report, context)),
    );
}

/** Follows a recipient's link (public: the address's owner has no account): the address receives the report from its next delivery on. */
export const confirmReportRecipient: PublicCommand<{ token: string }, { email: string; reportName: string }> = ({ token }, deps) =>
  withMailedToken(() =>
    audited(
      deps,
      (transaction) => confirmRecipient(token, transaction),
      ({ definition, confirmation }) => ({
        tenantId: definition.tenantId,
        action: 'report_definition.recipient_confirm',
        entityType: 'report_definition',
        entityId: definition.id,
        after: { email: confirmation.email },
      }),
    ).then(({ definition, confirmation }) => ({ email: confirmation.email, reportName: definition.name })),
  );
