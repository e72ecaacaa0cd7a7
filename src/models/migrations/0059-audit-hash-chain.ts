/**
 * The audit trail as hash chains (docs/audit.md, Tamper evidence): one chain per tenant, and one
 * for the platform's own events (no tenant). Each event carries its place in its chain
 * (`chain_position`, from 1), the hash of the event before it (`previous_hash`, the genesis value
 * of 64 zeros for the first) and its own `hash`: the SHA-256, in hex, of the UTF-8 text of
 * `audit_event_canonical`.
 *
 * A trigger links every new row, whichever statement inserts it (recordAudit, the subscription's
 * single-statement insert, the counted sign-in failures' upsert). It runs as the inserting
 * transaction commits (a deferred constraint trigger), takes a transaction-scoped advisory lock
 * keyed by the tenant, reads the chain's last row and seals the new one (its position, the previous
 * hash and its own): the chain cannot fork. Taken at commit, after every other lock of the
 * transaction, the lock is held only for the commit: taken at the insert, it made a transaction
 * that audits first and then locks a row wait for one that locked the row and then audits, and the
 * other way round (a deadlock). Reading the last row needs a snapshot taken after the lock, which
 * only READ COMMITTED gives; another isolation level is refused rather than risk a fork. Sealing is
 * the one UPDATE the append-only trigger lets through: chain columns still empty, nothing else
 * changed.
 *
 * Existing rows are chained here in `id` order per tenant, with the append-only trigger off for
 * the backfill only, inside this migration's transaction, and on again before it commits.
 */
import { DataTypes } from 'sequelize';
import { type MigrationFn, inOneTransaction } from './helpers';
import { auditAppendOnly } from './audit-append-only';

/** The first key of the advisory locks of the chains: their own space, apart from any other lock's. */
const CHAIN_LOCK_CLASS = 20590;

const CANONICAL = `CREATE FUNCTION audit_event_canonical(e audit_events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT '[' || array_to_string(ARRAY[
    to_json('insurflow-audit-1'::text)::text,
    to_json(e.previous_hash)::text,
    to_json(e.id::text)::text,
    to_json(e.tenant_id::text)::text,
    to_json(e.chain_position::text)::text,
    to_json(to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text,
    to_json(e.actor_type)::text,
    to_json(e.actor_id)::text,
    to_json(e.actor_created_by::text)::text,
    to_json(e.action)::text,
    to_json(e.entity_type)::text,
    to_json(e.entity_id)::text,
    to_json(e.changes::text)::text,
    to_json(e.request_id)::text,
    to_json(e.workflow_id)::text,
    to_json(e.run_id)::text,
    to_json(e.dedupe_key)::text,
    to_json(e.category)::text,
    to_json(e.client_address)::text,
    to_json(e.user_agent)::text,
    to_json(e.reason)::text
  ], ',', 'null') || ']'
$$`;

const HASH = `CREATE FUNCTION audit_event_hash(e audit_events) RETURNS varchar LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(audit_event_canonical(e), 'UTF8')), 'hex')
$$`;

const LINK = `CREATE FUNCTION audit_events_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    last_event record;
    sealed audit_events;
  BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
      RAISE EXCEPTION 'audit events are chained in READ COMMITTED transactions only';
    END IF;
    PERFORM pg_advisory_xact_lock(${CHAIN_LOCK_CLASS}, hashtext(coalesce(NEW.tenant_id::text, 'platform')));
    IF NEW.tenant_id IS NULL THEN
      SELECT chain_position, hash INTO last_event FROM audit_events
        WHERE tenant_id IS NULL AND chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1;
    ELSE
      SELECT chain_position, hash INTO last_event FROM audit_events
        WHERE tenant_id = NEW.tenant_id AND chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1;
    END IF;
    sealed := NEW;
    sealed.chain_position := coalesce(last_event.chain_position, 0) + 1;
    sealed.previous_hash := coalesce(last_event.hash, repeat('0', 64));
    sealed.hash := audit_event_hash(sealed);
    UPDATE audit_events SET chain_position = sealed.chain_position, previous_hash = sealed.previous_hash, hash = sealed.hash
      WHERE id = NEW.id;
    RETURN NULL;
  END $$`;

/** Every existing row in its chain, in id order, as the trigger would have linked it. */
const BACKFILL = `DO $$
  DECLARE
    e audit_events;
    chain uuid;
    started boolean := false;
    last_hash varchar(64);
    last_position bigint;
  BEGIN
    FOR e IN SELECT * FROM audit_events ORDER BY tenant_id NULLS FIRST, id LOOP
      IF NOT started OR e.tenant_id IS DISTINCT FROM chain THEN
        started := true;
        chain := e.tenant_id;
        last_hash := repeat('0', 64);
        last_position := 0;
      END IF;
      e.chain_position := last_position + 1;
      e.previous_hash := last_hash;
      e.hash := audit_event_hash(e);
      UPDATE audit_events SET chain_position = e.chain_position, previous_hash = e.previous_hash, hash = e.hash WHERE id = e.id;
      last_position := e.chain_position;
      last_hash := e.hash;
    END LOOP;
  END $$`;

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    // Writers wait for the backfill rather than insert rows it would not chain.
    await sql('LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE');
    await qi.addColumn('audit_events', 'chain_position', { type: DataTypes.BIGINT }, { transaction });
    await qi.addColumn('audit_events', 'previous_hash', { type: DataTypes.STRING(64) }, { transaction });
    await qi.addColumn('audit_events', 'hash', { type: DataTypes.STRING(64) }, { transaction });
    await sql(CANONICAL);
    await sql(HASH);
    await sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change');
    await sql(BACKFILL);
    await sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change');
    // The chain's order for verification and for the trigger's look-up of the last row; unique, so
    // no two rows of a tenant share a place. The chain columns stay nullable: a row is sealed as its
    // transaction commits, so no committed row is without them.
    await sql('CREATE UNIQUE INDEX audit_events_chain ON audit_events (tenant_id, chain_position)');
    await sql(auditAppendOnly(true));
    await sql(LINK);
    await sql(`CREATE CONSTRAINT TRIGGER audit_events_chain_link AFTER INSERT ON audit_events
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_events_chain_link()`);
  });
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    await sql('DROP TRIGGER audit_events_chain_link ON audit_events');
    await sql('DROP FUNCTION audit_events_chain_link()');
    await sql(auditAppendOnly(false));
    await sql('DROP INDEX audit_events_chain');
    await sql('DROP FUNCTION audit_event_hash(audit_events)');
    await sql('DROP FUNCTION audit_event_canonical(audit_events)');
    for (const column of ['hash', 'previous_hash', 'chain_position']) await qi.removeColumn('audit_events', column, { transaction });
  });
};
