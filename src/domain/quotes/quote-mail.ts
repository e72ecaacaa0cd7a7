/**
 * The mail a signed-in requester gets with their quote (`quoteIssued`, docs/notifications.md): its
 * premium, each line of its breakdown with the amount it added, how long it is valid and a link to
 * it in the API. The API only hands it to the outbox, in the statement that records the quote
 * (./request.ts); the worker renders and sends it (src/activities/outbox-mails.ts), so neither
 * rendering nor a mail server that is slow or down costs the request anything, and the mail is
 * sent once the quote has committed, whatever crashes in between.
 */
import { Plan, Quote, User } from '../../models';
import type { MailPayload } from '../../models/outbox-message';
import { mailContextOf } from '../../services/notifications/context';
import type { Locale } from '../../shared/notification-settings';
import { formatMinorUnits, minorUnitDigits } from '../../shared/money';

/** The outbox's kind for a mail: delivered by the worker, not by the API's relay to Temporal. */
export const QUOTE_MAIL_KIND = 'mail';

/** The outbox message of a quote's mail; its key is also the mail's notification key, so it is sent at most once. */
export function quoteMailMessage(quoteId: string): { workflowId: string; payload: MailPayload } {
  return { workflowId: `quote-issued-${quoteId}`, payload: { mail: 'quoteIssued', quoteId } };
}

/** A quote in the API, as a mail writes it (text: the holder uses an app or the API, there is no page of it). */
export const quoteUrl = (apiPublicUrl: string, quoteId: string) => new URL(`/api/v1/quotes/${quoteId}`, apiPublicUrl).toString();

/**
 * The breakdown as the mail's lines, "label (× factor): amount currency", each amount written with
 * the recipient's language's decimal separator. The decimal string keeps its digits as they are
 * (the currency's): no float in between.
 */
export function breakdownLines(quote: Pick<Quote, 'breakdown' | 'currency'>, locale: Locale): string {
  const separator = new Intl.NumberFormat(locale).formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.';
  return quote.breakdown
    .map((line) => {
      const factor = line.factor !== undefined && line.step !== 'base' ? ` (× ${line.factor})` : '';
      return `${line.label}${factor}: ${line.amount.replace('.', separator)} ${quote.currency}`;
    })
    .join('\n');
}

/** A quote's mail as the worker sends it: to its requester, in their language. */
export interface QuoteIssuedMail {
  tenantId: string;
  requestedById: string;
  values: {
    planName: string;
    quoteId: string;
    referred: 'yes' | 'no';
    amount: number;
    decimals: string;
    currency: string;
    validUntil: Date;
    breakdown: string;
    quoteUrl: string;
  };
}

/**
 * The mail of quote `quoteId`, read when it is sent; null when there is nobody to mail: the quote
 * is gone (its tenant offboarded, its requester's records deleted) or was a visitor's; or nothing to
 * say: its referral has ended (accepted, declined or lapsed) before the mail went, and the
 * referral's own mail has told the requester the outcome and the price, so "with an underwriter"
 * or the accepted price again would come after it.
 */
export async function quoteIssuedMail(quoteId: string, apiPublicUrl: string): Promise<QuoteIssuedMail | null> {
  const quote = await Quote.findByPk(quoteId);
  if (!quote?.requestedById) return null;
  if (quote.referralReasons.length > 0 && quote.status !== 'referred') return null;
  const [plan, user] = await Promise.all([
    Plan.findByPk(quote.planId, { paranoid: false, attributes: ['name'], rejectOnEmpty: true }),
    User.findByPk(quote.requestedById, { attributes: ['locale'] }),
  ]);
  if (!user) return null;
  // The language the mail is rendered in: the recipient's, else the tenant's (as the sender picks it).
  const { locale } = await mailContextOf(quote.tenantId, user.locale);
  return {
    tenantId: quote.tenantId,
    requestedById: quote.requestedById,
    values: {
      planName: plan.name,
      quoteId: quote.id,
      referred: quote.status === 'referred' ? 'yes' : 'no',
      amount: Number(formatMinorUnits(quote.premiumMinor, quote.currency)),
      decimals: String(minorUnitDigits(quote.currency)),
      currency: quote.currency,
      validUntil: quote.validUntil,
      breakdown: breakdownLines(quote, locale),
      quoteUrl: quoteUrl(apiPublicUrl, quote.id),
    },
  };
}
