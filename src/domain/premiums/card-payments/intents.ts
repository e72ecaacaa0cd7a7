/**
 * The one PaymentIntent of an invoice. The provider gets an idempotency key derived from the
 * invoice (one intent however often or concurrently it is asked), and Insurflow keeps the intent's
 * id beyond the 24 hours Stripe keeps a key (payment_intents, unique per invoice). What an invoice
 * owes can change after its intent was made (a policy change's return premium taken off it, a
 * payment by hand on part of it): the card is charged the intent's amount, so the kept intent is
 * changed to the amount asked first. The intent charges the amount asked (what the invoice still
 * owes) rounded up to the step the provider charges in (`cardChargeMinor`); the excess is credit,
 * as any card payment beyond what an invoice owes.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { PaymentIntentRecord } from '../../../models';
import type { PaymentIntentRequest, PaymentProvider, ProviderPaymentIntent } from '../../../services/payment-provider';

/**
 * What the card is charged for `amountMinor`: that amount, rounded up to the step the provider
 * charges `currency` in (Stripe takes KWD, BHD, JOD, OMR and TND in tens of fils, so an instalment
 * of 1000.087 KWD is charged 1000.090 and 0.003 is kept as the holder's credit). Rounded up, the
 * card payment always settles its invoice (docs/premiums.md, Amounts at Stripe).
 */
export function cardChargeMinor(amountMinor: number, currency: string, provider: PaymentProvider): number {
  const step = provider.amountStepMinor(currency);
  const rest = amountMinor % step;
  return rest === 0 ? amountMinor : amountMinor + step - rest;
}

/** The invoice's intent, charging `cardChargeMinor` of the request's amount (the answer's `amountMinor`). */
export async function paymentIntentForInvoice(
  invoiceRequest: PaymentIntentRequest,
  deps: { sequelize: Sequelize; provider: PaymentProvider },
): Promise<ProviderPaymentIntent & { amountMinor: number }> {
  const request = { ...invoiceRequest, amountMinor: cardChargeMinor(invoiceRequest.amountMinor, invoiceRequest.currency, deps.provider) };
  const charging = (intent: ProviderPaymentIntent) => ({ ...intent, amountMinor: request.amountMinor });
  const kept = await PaymentIntentRecord.findOne({ where: { invoiceId: request.invoiceId } });
  if (kept && Number(kept.amountMinor) === request.amountMinor)
    return charging(await deps.provider.retrievePaymentIntent(kept.providerIntentId));
  if (kept) {
    const intent = await deps.provider.updatePaymentIntentAmount(kept.providerIntentId, request.amountMinor, request.currency);
    await kept.update({ amountMinor: request.amountMinor });
    return charging(intent);
  }
  // Nothing is written before the provider answers: an outage (503) leaves no row behind.
  const intent = await deps.provider.createPaymentIntent(request);
  await deps.sequelize.query(
    `INSERT INTO payment_intents (tenant_id, invoice_id, provider, provider_intent_id, amount_minor, currency)
     VALUES (:tenantId, :invoiceId, :provider, :intentId, :amountMinor, :currency)
     ON CONFLICT (invoice_id) DO NOTHING`,
    {
      type: QueryTypes.INSERT,
      replacements: {
        tenantId: request.tenantId,
        invoiceId: request.invoiceId,
        provider: deps.provider.name,
        intentId: intent.id,
        amountMinor: request.amountMinor,
        currency: request.currency.toUpperCase(),
      },
    },
  );
  // A concurrent caller may have stored its intent first (the same one within the key's 24 hours).
  const stored = await PaymentIntentRecord.findOne({ where: { invoiceId: request.invoiceId } });
  return charging(
    stored && stored.providerIntentId !== intent.id ? await deps.provider.retrievePaymentIntent(stored.providerIntentId) : intent,
  );
}
