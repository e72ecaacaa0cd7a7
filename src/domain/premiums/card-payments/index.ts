/** The payment provider's side of premiums: its events and the invoices' PaymentIntents (docs/premiums.md, Payment provider). */
export * from './events';
export * from './intents';
export * from './wiring';
