/**
 * The one PaymentIntent of an invoice. The provider gets an idempotency key derived from the
 * invoice (one intent however often or concurrently it is asked), and Insurflow keeps the intent's
 * id beyond the 24 hours Stripe keeps a key (payment_intents, unique per invoice). An invoice's
 * amount can change after its intent was made (a policy change's return premium taken off it):
 * the card is charged the intent's amount, so the kept intent is changed to the invoice's first.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { PaymentIntentRecord } from '../../../models';
import type { PaymentIntentRequest, PaymentProvider, ProviderPaymentIntent } from '../../../services/payment-provider';

export async function paymentIntentForInvoice(
  request: PaymentIntentRequest,
  deps: { sequelize: Sequelize; provider: PaymentProvider },
): Promise<ProviderPaymentIntent> {
  const kept = await PaymentIntentRecord.findOne({ where: { invoiceId: request.invoiceId } });
  if (kept && Number(kept.amountMinor) === request.amountMinor) return deps.provider.retrievePaymentIntent(kept.providerIntentId);
  if (kept) {
    const intent = await deps.provider.updatePaymentIntentAmount(kept.providerIntentId, request.amountMinor);
    await kept.update({ amountMinor: request.amountMinor });
    return intent;
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
  return stored && stored.providerIntentId !== intent.id ? deps.provider.retrievePaymentIntent(stored.providerIntentId) : intent;
}
