/**
 * A payment event whose money is in another currency than the invoice it names is recorded with the
 * outcome `currency_mismatch` and changes nothing (docs/premiums.md, Webhook): it was recorded `applied`.
 */
import { EVENT_OUTCOMES as EARLIER_OUTCOMES } from './0077-payment-event-other-intent';
import type { MigrationFn } from './helpers';

export const EVENT_OUTCOMES = [...EARLIER_OUTCOMES, 'currency_mismatch'] as const;

// Added NOT VALID, then validated in a transaction of its own, as 0077 does: the check reads every event
// with no lock that stops the webhook from recording new ones (docs/deploying.md, the migration check).
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

/** The earlier check has no `currency_mismatch`: such events read as `unmatched` (recorded, not applied), which they were. */
export const down: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE payment_provider_events DROP CONSTRAINT payment_provider_events_outcome', { transaction });
    await qi.sequelize.query(`UPDATE payment_provider_events SET outcome = 'unmatched' WHERE outcome = 'currency_mismatch'`, {
      transaction,
    });
    await qi.sequelize.query(outcomeCheck(EARLIER_OUTCOMES), { transaction });
  });
  await qi.sequelize.query(validateCheck);
};
