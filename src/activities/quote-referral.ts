/**
 * Activities of `quote-referral-<quoteId>` runs (docs/quotes.md, Referral). The outcome is written
 * only while the quote is still `referred`, so a retried attempt, or one that comes after the quote
 * was erased or decided, writes nothing; each mail is sent once under its run's key.
 */
import type { QuoteReferralMessage } from '../contracts/quote-referral';
import { priceAccepted } from '../domain/quotes/referral';
import { Quote, TenantSettings } from '../models';
import { formatMinorUnits } from '../shared/money';
import type { NotificationType } from '../shared/notification-settings';
import { DAY_MS } from '../shared/time';
import type { ActivityDeps } from './deps';
import { changeGuarded } from './guarded-change';
import { createNotificationActivities, type NotificationResult } from './notifications';

export type QuoteReferralOutcome =
  | { quoteId: string; outcome: 'accepted'; underwriterId: string; loading?: string; note?: string }
  | { quoteId: string; outcome: 'declined'; underwriterId: string; note: string }
  | { quoteId: string; outcome: 'lapsed' };

export interface QuoteReferralNotification {
  quoteId: string;
  message: QuoteReferralMessage;
  idempotencyKey: string;
}

/** Each outcome's audit action, and the requester's mail of it (docs/notifications.md), which links the quote in the API. */
const OUTCOMES = {
  accepted: { action: 'quote.referral_accept', template: 'quoteReferralAccepted' },
  declined: { action: 'quote.referral_decline', template: 'quoteReferralDeclined' },
  lapsed: { action: 'quote.referral_lapse', template: 'quoteReferralLapsed' },
} as const satisfies Record<QuoteReferralMessage, { action: string; template: NotificationType }>;

export function createQuoteReferralActivities(deps: ActivityDeps) {
  const { sendEmail } = createNotificationActivities(deps);

  /** What the outcome writes on the quote: accepted, the loaded price quoted anew; declined or lapsed, the status and why. */
  async function valuesOf(input: QuoteReferralOutcome, quote: Quote): Promise<Partial<Quote>> {
    if (input.outcome === 'lapsed') return { status: 'lapsed' };
    const decided = { decidedById: input.underwriterId, decidedAt: new Date(), decisionNote: input.note ?? null };
    if (input.outcome === 'declined') return { status: 'declined', ...decided };
    const { quoteValidityDays } = await TenantSettings.forTenant(quote.tenantId);
    return {
      status: 'quoted',
      ...decided,
      ...(await priceAccepted(quote, input.loading)),
      loading: input.loading ?? null,
      validUntil: new Date(Date.now() + quoteValidityDays * DAY_MS),
    };
  }

  return {
    async recordQuoteReferralOutcome(input: QuoteReferralOutcome): Promise<void> {
      const quote = await Quote.findOne({ where: { id: input.quoteId, status: 'referred' } });
      if (!quote) return;
      await changeGuarded(deps.sequelize, Quote, { id: quote.id, status: 'referred' }, await valuesOf(input, quote), {
        action: OUTCOMES[input.outcome].action,
        entityType: 'quote',
        actorId: input.outcome === 'lapsed' ? null : input.underwriterId,
        dedupeKey: `${quote.id}:referral`,
      });
    },

    /** The requester hears the outcome with a link to the quote; a visitor's quote has nobody to tell. */
    async notifyQuoteReferral(input: QuoteReferralNotification): Promise<NotificationResult | null> {
      const quote = await Quote.findByPk(input.quoteId);
      if (!quote?.requestedById) return null;
      const values = {
        premium: formatMinorUnits(quote.premiumMinor, quote.currency),
        currency: quote.currency,
        link: `${deps.apiPublicUrl}/api/v1/quotes/${quote.id}`,
        ...(input.message === 'accepted' && { validUntil: quote.validUntil.toISOString() }),
        ...(input.message === 'declined' && { note: quote.decisionNote ?? '' }),
      };
      return sendEmail({
        idempotencyKey: input.idempotencyKey,
        tenantId: quote.tenantId,
        to: { userIds: [quote.requestedById] },
        template: { type: OUTCOMES[input.message].template, values },
      });
    },
  };
}
