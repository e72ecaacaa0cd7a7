/**
 * A payment event about a PaymentIntent other than the one Insurflow made for the invoice its
 * metadata names (payment_intents) is recorded with the outcome `other_intent` and changes nothing
 * (docs/premiums.md, Webhook).
 */
import { EVENT_OUTCOMES as EARLIER_OUTCOMES } from './0041-payment-provider';
import type { MigrationFn } from './helpers';

export const EVENT_OUTCOMES = [...EARLIER_OUTCOMES, 'other_intent'] as const;

// Added NOT VALID, then validated in a transaction of its own: the check reads every event with no
// lock that stops the webhook from recording new ones (docs/deploying.md, the migration check).
const outcomeCheck = (outcomes: readonly string[]) =>
  `ALTER TABLE payment_provider_events ADD CONSTRAINT payment_provider_events_outcome CHECK (outcome IN (${outcomes.map((o) => `'${o}'`).join(', ')})) NOT VALID`;
const validateCheck = 'ALTER TABLE payment_provider_events VALIDATE CONSTRAINT payment_provider_events_outcome';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE payment_provider_events DROP CONSTRAINT payment_provider_events_outcome', { transaction });
    await qi.sequelize.query(outcomeCheck(EVENT_OUTCOMES), { transaction });
  });
  await qi.sequelize.query(validateCheck);
};

/** The earlier check has no `other_intent`: such events read as `unmatched` (recorded, not applied), which they were. */
export const down: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE payment_provider_events DROP CONSTRAINT payment_provider_events_outcome', { transaction });
    await qi.sequelize.query(`UPDATE payment_provider_events SET outcome = 'unmatched' WHERE outcome = 'other_intent'`, { transaction });
    await qi.sequelize.query(outcomeCheck(EARLIER_OUTCOMES), { transaction });
  });
  await qi.sequelize.query(validateCheck);
};
