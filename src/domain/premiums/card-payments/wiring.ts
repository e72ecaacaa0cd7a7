/**
 * The seam between the payment provider and the invoice model (docs/premiums.md, Payment
 * provider): the one place the invoices' lookup and their payment, failure, refund and dispute
 * commands are handed to the webhook dispatcher (./invoice-events.ts): `findInvoice` finds and
 * locks the invoice, `findRefundInvoice` names the invoice of a refund's event, `onPaymentSucceeded`
 * applies the payment, `onRefunded` settles refunds, `onDisputed` audits the dispute, `onRefundUpdated`
 * records a refund failed at the provider.
 */
import type { Config } from '../../../config';
import type { Logger } from '../../../config/logger';
import { createPaymentProvider, type PaymentProvider } from '../../../services/payment-provider';
import { createPaymentEventHandler, type PaymentEventHandler, type PaymentEventWiring } from './events';
import { invoiceModelWiring } from './invoice-events';

export const INVOICE_MODEL_WIRING: PaymentEventWiring = invoiceModelWiring;

/** The provider and what its events do, as a process (API, tests) holds them; undefined without a configured provider. */
export interface PaymentServices {
  provider: PaymentProvider;
  handleEvent: PaymentEventHandler;
}

export function paymentServices(
  config: Pick<Config, 'stripe'>,
  logger: Logger,
  wiring: PaymentEventWiring = INVOICE_MODEL_WIRING,
): PaymentServices | undefined {
  const provider = createPaymentProvider(config, logger);
  return provider ? { provider, handleEvent: createPaymentEventHandler(wiring) } : undefined;
}
