/**
 * The payment provider's side of premiums (docs/premiums.md, Payment provider).
 *
 * `payment_provider_events`: every verified webhook event, once (unique provider + event id), so a
 * replay changes nothing; with the invoice and tenant its metadata named (not trusted: no foreign
 * keys, an unknown or another tenant's invoice is recorded and ignored) and what became of it.
 *
 * `payment_intents`: the one PaymentIntent of an invoice (unique invoice_id), kept because the
 * provider's idempotency key lasts 24 hours and stripe-mock keeps nothing. Its client secret is
 * not stored: it is read from the provider when the payer asks for it.
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, uuidPrimaryKey, type MigrationFn } from './helpers';

export const EVENT_OUTCOMES = ['applied', 'unmatched', 'no_invoice', 'unknown_invoice', 'other_tenant', 'ignored_type'] as const;

export const up: MigrationFn = async (qi) => {
  await qi.createTable('payment_provider_events', {
    id: uuidPrimaryKey,
    provider: { type: DataTypes.STRING(20), allowNull: false },
    event_id: { type: DataTypes.STRING(255), allowNull: false },
    type: { type: DataTypes.STRING(100), allowNull: false },
    object_id: { type: DataTypes.STRING(255) },
    invoice_id: { type: DataTypes.UUID },
    tenant_id: { type: DataTypes.UUID },
    payload: { type: DataTypes.JSONB, allowNull: false },
    received_at: { type: DataTypes.DATE, allowNull: false },
    processed_at: { type: DataTypes.DATE },
    outcome: { type: DataTypes.STRING(30) },
  });
  await qi.addIndex('payment_provider_events', ['provider', 'event_id'], { unique: true, name: 'payment_provider_events_event' });
  await qi.addIndex('payment_provider_events', ['invoice_id'], { name: 'payment_provider_events_invoice' });
  const outcomes = EVENT_OUTCOMES.map((outcome) => `'${outcome}'`).join(', ');
  await qi.sequelize.query(
    `ALTER TABLE payment_provider_events ADD CONSTRAINT payment_provider_events_outcome CHECK (outcome IN (${outcomes}))`,
  );

  await qi.createTable('payment_intents', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    invoice_id: { type: DataTypes.UUID, allowNull: false, unique: true },
    provider: { type: DataTypes.STRING(20), allowNull: false },
    provider_intent_id: { type: DataTypes.STRING(255), allowNull: false },
    amount_minor: { type: DataTypes.BIGINT, allowNull: false },
    currency: { type: DataTypes.CHAR(3), allowNull: false },
    ...timestamps,
  });
  // Not unique: stripe-mock answers every create with the same fixture id (Stripe's ids are unique anyway).
  await qi.addIndex('payment_intents', ['provider', 'provider_intent_id'], { name: 'payment_intents_provider_intent' });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('payment_intents');
  await qi.dropTable('payment_provider_events');
};
