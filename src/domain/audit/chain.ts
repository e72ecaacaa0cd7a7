/**
 * The audit trail's hash chains, checked from outside the database (docs/audit.md, Tamper
 * evidence). The database links each event as it is inserted (migration 0059); this module
 * recomputes each hash from the row's content on its own, in the canonical form below, so a
 * verification does not trust the database's function that made it.
 *
 * The canonical form of an event is the JSON array (no spaces) of these strings or nulls, in
 * this order: the version tag, previous_hash, id, tenant_id, chain_position, occurred_at (UTC,
 * microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`), actor_type, actor_id, actor_created_by, action,
 * entity_type, entity_id, changes (PostgreSQL's text of the jsonb, itself a string), request_id,
 * workflow_id, run_id, dedupe_key, category, client_address, user_agent, reason. Its hash is the
 * SHA-256 of its UTF-8 bytes, in lower-case hex. Every value is text, so no number or key order
 * can be written two ways. `occurrences` and `last_occurred_at` are left out: a counted row's
 * count may grow after it is chained.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { unprocessable } from '../../shared/errors';

/** What the first event of a chain links to. */
export const GENESIS_HASH = '0'.repeat(64);
const CANONICAL_VERSION = 'insurflow-audit-1';

/**
 * The columns of an event as its canonical form takes them, all as text (so order by the table's
 * own `audit_events.chain_position`, not this list's text of it).
 */
export const CHAIN_COLUMNS = `previous_hash, id::text AS id, tenant_id::text AS tenant_id, chain_position::text AS chain_position,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at, actor_type, actor_id,
  actor_created_by::text AS actor_created_by, action, entity_type, entity_id, changes::text AS changes, request_id,
  workflow_id, run_id, dedupe_key, category, client_address, user_agent, reason, hash`;

const CANONICAL_FIELDS = [
  'previous_hash',
  'id',
  'tenant_id',
  'chain_position',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_created_by',
  'action',
  'entity_type',
  'entity_id',
  'changes',
  'request_id',
  'workflow_id',
  'run_id',
  'dedupe_key',
  'category',
  'client_address',
  'user_agent',
  'reason',
] as const;

export type ChainRow = Record<(typeof CANONICAL_FIELDS)[number] | 'hash', string | null> & { id: string; chain_position: string };

export const canonicalOf = (row: ChainRow): string => JSON.stringify([CANONICAL_VERSION, ...CANONICAL_FIELDS.map((field) => row[field])]);

export const hashOf = (row: ChainRow): string => crypto.createHash('sha256').update(canonicalOf(row), 'utf8').digest('hex');

/** Why verification stopped at an event: its content is not what its hash was taken over, or it does not follow the event before it. */
export type ChainBreak = 'content_changed' | 'link_broken';

export type ChainVerification =
  | { ok: true; checked: number; head: string | null }
  | { ok: false; checked: number; firstBroken: { id: string; createdAt: string; reason: ChainBreak } };

/** The longest span one verification covers: a year, leap day included. */
export const VERIFY_MAX_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A span a caller of the API may have verified: forward, at most VERIFY_MAX_DAYS, so one request's work is bounded (422 otherwise). */
export function assertVerifiableSpan(from: Date, to: Date): void {
  if (to < from || to.getTime() - from.getTime() > VERIFY_MAX_DAYS * DAY_MS)
    throw unprocessable(`The span must run forward from from, at most ${VERIFY_MAX_DAYS} days`, [
      { field: 'query.to', message: `must be between from and ${VERIFY_MAX_DAYS} days after it` },
    ]);
}
/** Rows read per query: memory stays bounded whatever the span holds. */
const VERIFY_BATCH = 1_000;

/** A tenant's chain, or the platform's (no tenant); as SQL over `audit_events` with the replacement `tenantId`. */
const chainOf = (tenantId: string | null) => (tenantId === null ? 'tenant_id IS NULL' : 'tenant_id = :tenantId');

/** The chain's head as it stood before `asOf` (its last event then) and its length, or null while it had none. */
export async function chainHead(
  sequelize: Sequelize,
  tenantId: string | null,
  asOf: Date,
): Promise<{ hash: string; count: number } | null> {
  const [head] = await sequelize.query<{ hash: string; chain_position: string }>(
    `SELECT hash, chain_position FROM audit_events WHERE ${chainOf(tenantId)} AND occurred_at < :asOf ORDER BY chain_position DESC LIMIT 1`,
    { type: QueryTypes.SELECT, replacements: { tenantId, asOf } },
  );
  return head ? { hash: head.hash, count: Number(head.chain_position) } : null;
}

/**
 * Recomputes the chain over the events that occurred in [from, to): from the first of them in
 * chain order to the last, each event's hash over its content and its link to the event before
 * it (the first one's included, read from before the span). A missing event (a gap in the
 * positions) breaks the link of the one after it. `checked` counts the events found sound.
 */
export async function verifyChain(sequelize: Sequelize, tenantId: string | null, from: Date, to: Date): Promise<ChainVerification> {
  const chain = chainOf(tenantId);
  const [span] = await sequelize.query<{ first: string | null; last: string | null }>(
    `SELECT min(chain_position)::text AS first, max(chain_position)::text AS last FROM audit_events
      WHERE ${chain} AND occurred_at >= :from AND occurred_at < :to`,
    { type: QueryTypes.SELECT, replacements: { tenantId, from, to } },
  );
  if (span.first === null || span.last === null) return { ok: true, checked: 0, head: null };
  let expectedPosition = BigInt(span.first);
  const before = await sequelize.query<{ hash: string }>(`SELECT hash FROM audit_events WHERE ${chain} AND chain_position = :position`, {
    type: QueryTypes.SELECT,
    replacements: { tenantId, position: String(expectedPosition - 1n) },
  });
  let previousHash: string | null = expectedPosition === 1n ? GENESIS_HASH : (before[0]?.hash ?? null);
  let checked = 0;
  for (;;) {
    const rows = await sequelize.query<ChainRow>(
      `SELECT ${CHAIN_COLUMNS} FROM audit_events
        WHERE ${chain} AND chain_position >= :after AND chain_position <= :last
        ORDER BY audit_events.chain_position LIMIT :limit`,
      { type: QueryTypes.SELECT, replacements: { tenantId, after: String(expectedPosition), last: span.last, limit: VERIFY_BATCH } },
    );
    for (const row of rows) {
      const broken = hashOf(row) !== row.hash ? 'content_changed' : null;
      const unlinked = BigInt(row.chain_position) !== expectedPosition || row.previous_hash !== previousHash ? 'link_broken' : null;
      const reason = broken ?? unlinked;
      if (reason) return { ok: false, checked, firstBroken: { id: row.id, createdAt: row.occurred_at!, reason } };
      checked += 1;
      previousHash = row.hash;
      expectedPosition = BigInt(row.chain_position) + 1n;
    }
    if (rows.length < VERIFY_BATCH) return { ok: true, checked, head: previousHash };
  }
}
