/**
 * The e-mails of a subscription's run (docs/subscriptions.md): for each, the template it is
 * rendered from and the values it carries. The run passes data, never sentences: the `sendEmail`
 * activity renders each in the policyholder's language with the tenant's branding and overrides
 * (docs/notifications.md, The subscription mails). Pure, so the workflow (src/workflows/subscription.ts)
 * only names them. Dates are the calendar dates (YYYY-MM-DD) the run works with.
 */
import type { EmailTemplate } from '../../activities/notifications';
import type { PremiumDue } from '../../activities/subscriptions';
import type { AppliedPolicyChange, RefusedPolicyChange } from '../../activities/subscription-changes';
import type { SubscriptionTerms } from '../../contracts/subscription';
import { minorUnitDigits } from '../../shared/money';
import type { NotificationType } from '../../shared/notification-settings';

/** One e-mail of the run, as `sendEmail` renders it. */
export type SubscriptionMail = EmailTemplate;

type Terms = Pick<SubscriptionTerms, 'subscriptionId' | 'planName'>;

const mail = (type: NotificationType, terms: Terms, values: EmailTemplate['values'] = {}): SubscriptionMail => ({
  type,
  values: { planName: terms.planName, subscriptionId: terms.subscriptionId, ...values },
});
/** The `decimals` a mail writes its amounts with: the currency's (the catalogues' `money()`). */
const decimalsOf = (currency: string) => String(minorUnitDigits(currency));
/** An instalment's invoice: its number, and its amount in its currency's major unit with as many decimals as the currency has. */
const invoice = (due: PremiumDue) => ({
  invoiceNumber: due.number,
  amount: due.amountMinor / 10 ** minorUnitDigits(due.currency),
  decimals: decimalsOf(due.currency),
  currency: due.currency,
});

export const subscriptionMessages = {
  /** Terms of a run started before they carried the currency give no `decimals`: the mail writes two (render.ts). */
  activated: (terms: Terms & Pick<SubscriptionTerms, 'coverageAmount' | 'currency'>, startDate: string, endDate: string) =>
    mail('subscriptionActivated', terms, {
      coverageAmount: Number(terms.coverageAmount),
      ...(terms.currency && { decimals: decimalsOf(terms.currency) }),
      startDate,
      endDate,
    }),
  awaitingFirstPremium: (terms: Terms, first: PremiumDue, cancelOn: string) =>
    mail('subscriptionAwaitingFirstPremium', terms, { ...invoice(first), cancelOn }),
  cancelledForNonPayment: (terms: Terms) => mail('subscriptionCancelledForNonPayment', terms),
  lapsed: (terms: Terms, due: PremiumDue, lapsedOn: string, cancelOn: string) =>
    mail('subscriptionLapsed', terms, { ...invoice(due), lapsedOn, dueDate: due.dueDate, cancelOn }),
  reinstated: (terms: Terms, lapsedOn: string | null) => mail('subscriptionReinstated', terms, { lapsedOn: lapsedOn ?? '' }),
  cancelled: (terms: Terms, coverageEnd: string, reason: string | undefined) =>
    mail('subscriptionCancelled', terms, { coverageEnd, reason: reason ?? '', reasonGiven: reason ? 'yes' : 'no' }),
  renewed: (terms: Terms, endDate: string) => mail('subscriptionRenewed', terms, { endDate }),
  premiumReminder: (terms: Terms, due: PremiumDue) => mail('subscriptionPremiumReminder', terms, { ...invoice(due), dueDate: due.dueDate }),
  renewalReminder: (terms: Terms & Pick<SubscriptionTerms, 'durationMonths'>, endDate: string) =>
    mail('subscriptionRenewalReminder', terms, { endDate, months: terms.durationMonths }),
  expired: (terms: Terms, endDate: string) => mail('subscriptionExpired', terms, { endDate }),
  /**
   * A confirmed policy change not made on its day: why, as facts the holder's language words (the
   * English `reason`, as GET answers it, where an activity of older code gave only that), and where to read the change.
   */
  changeNotApplied: (terms: Terms, changeId: string, effectiveDate: string, { reason, refusal }: RefusedPolicyChange) =>
    mail('subscriptionChangeNotApplied', terms, {
      changeId,
      effectiveDate,
      reason,
      ...(refusal?.why === 'premium'
        ? {
            ...refusal,
            pricedPremium: Number(refusal.pricedPremium),
            premium: Number(refusal.premium),
            decimals: decimalsOf(refusal.currency),
          }
        : (refusal ?? { why: 'other' })),
    }),
  /** A policy change applied: the version's terms, the premium delta for the rest of the term, the version's schedule if stored. */
  changed: (terms: Terms, applied: AppliedPolicyChange, scheduleUrl: string | null) => {
    const delta = applied.premiumDeltaMinor;
    return mail('subscriptionChanged', terms, {
      version: applied.versionNumber,
      effectiveDate: applied.effectiveDate,
      coverageAmount: Number(applied.coverageAmount),
      premium: Number(applied.premium),
      amount: Math.abs(delta) / 10 ** minorUnitDigits(applied.currency),
      // The delta's, the cover's and the premium's.
      decimals: decimalsOf(applied.currency),
      currency: applied.currency,
      premiumEffect: delta > 0 ? 'billed' : delta < 0 ? 'returned' : 'none',
      scheduleUrl: scheduleUrl ?? '',
      scheduleGiven: scheduleUrl ? 'yes' : 'no',
    });
  },
};
