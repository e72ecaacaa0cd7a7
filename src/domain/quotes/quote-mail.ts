/**
 * The mail a signed-in requester gets with their quote (`quoteIssued`, docs/notifications.md): its
 * premium, each line of its breakdown with the amount it added, how long it is valid and a link to
 * it in the API. Sent after the answer (`mailAfterAnswer`): a mail server that is slow or down
 * neither delays nor undoes the quote.
 */
import type { Config } from '../../config';
import type { Quote } from '../../models';
import { User } from '../../models';
import { mailContextOf } from '../../services/notifications/context';
import type { AuthUser } from '../../shared/caller';
import type { Locale } from '../../shared/notification-settings';
import { formatMinorUnits, minorUnitDigits } from '../../shared/money';
import type { CommandDeps } from '../command';
import { accountMail, mailAfterAnswer } from '../identity/account-mails';

/** A quote in the API, as a mail writes it (text: the holder uses an app or the API, there is no page of it). */
export const quoteUrl = (config: Pick<Config, 'api'>, quoteId: string) =>
  new URL(`/api/v1/quotes/${quoteId}`, config.api.publicUrl).toString();

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

/** Mails `caller` their quote once it has committed (an API key's quote goes to the user who made the key). */
export function mailQuoteIssued(caller: AuthUser, quote: Quote, planName: string, deps: CommandDeps): void {
  mailAfterAnswer(deps, [
    async () => {
      const user = await User.findByPk(caller.id, { rejectOnEmpty: true });
      const context = await mailContextOf(quote.tenantId, user.locale);
      const values = {
        planName,
        quoteId: quote.id,
        referred: quote.status === 'referred' ? 'yes' : 'no',
        amount: Number(formatMinorUnits(quote.premiumMinor, quote.currency)),
        decimals: String(minorUnitDigits(quote.currency)),
        currency: quote.currency,
        validUntil: quote.validUntil,
        breakdown: breakdownLines(quote, context.locale),
        quoteUrl: quoteUrl(deps.config, quote.id),
      };
      return accountMail(deps.config, user.email, 'quoteIssued', values, context);
    },
  ]);
}
