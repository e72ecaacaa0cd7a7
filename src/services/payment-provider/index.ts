/** The payment provider behind its one interface (docs/premiums.md, Payment provider). */
import type { Config } from '../../config';
import type { Logger } from '../../config/logger';
import type { PaymentProvider } from './provider';
import { createStripeProvider } from './stripe-provider';

export * from './provider';
export { createStripeProvider, METADATA as STRIPE_METADATA, STRIPE_API_VERSION } from './stripe-provider';
export { toStripeAmount } from './stripe-amounts';

/** The configured provider, or undefined when none is (no payments are taken); it logs its outages to `logger`. */
export function createPaymentProvider(config: Pick<Config, 'stripe'>, logger: Logger): PaymentProvider | undefined {
  return config.stripe ? createStripeProvider(config.stripe, logger) : undefined;
}
