/**
 * Recording quotes (docs/quotes.md, Quotes; docs/performance.md, Quotes): a quote's row and, for a
 * signed-in requester, its `quoteIssued` mail in the outbox, in one statement, so both or neither
 * commit without a transaction held open over round trips.
 *
 * The quotes priced in the same turn of the event loop are recorded by one statement, one row each.
 * Under load, a third of the API's busy time on quotes went to sending each one's statement (the
 * socket write, with the wake-up of the server it causes) and much of PostgreSQL's to committing it;
 * a statement for several quotes pays that once. A quote priced alone waits for nobody: the
 * statement leaves at the end of the turn (`setImmediate`, no timer). Each quote is answered with
 * its own outcome: a row PostgreSQL refuses makes the others of its statement be recorded one by
 * one, so one quote never fails another. With tracing on, the statement's span is in the trace of
 * the request that opened the turn.
 */
import crypto from 'node:crypto';
import {
  DatabaseError,
  QueryTypes,
  UniqueConstraintError,
  type Attributes,
  type CreationAttributes,
  type Sequelize,
  type Transaction,
} from 'sequelize';
import { Quote } from '../../models';
import { instanceOf, runPrepared, type Bound } from '../../models/prepared-statement';
import { DEFAULT_TENANT_SETTINGS } from '../../shared/tenant-settings';
import { QUOTE_MAIL_KIND, quoteMailMessage } from './quote-mail';

/**
 * A quote to record: its validity follows from the tenant's settings, read by the statement that
 * writes it. The statement writes every JSON column from the values (no column default applies).
 */
export type NewQuote = Omit<CreationAttributes<Quote>, 'validUntil'> &
  Pick<Attributes<Quote>, 'id' | 'createdAt' | 'breakdown' | 'instalments' | 'referralReasons'>;

/**
 * The quotes of `$1`…`$19` (arrays, one element per quote) and, for those with a requester, their
 * mails. The validity is the tenant's `quoteValidityDays` from `created_at`, read in the same
 * statement (tenant_settings keeps only what differs from the defaults; `$20` is the default), as
 * days of 24 hours whatever the session's time zone. A quote whose id is taken (a repeated
 * Idempotency-Key) is not written, nor its mail, and is missing from the answer.
 */
const INSERT_QUOTES = `WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::jsonb[], $8::text[],
                         $9::bigint[], $10::jsonb[], $11::jsonb[], $12::jsonb[], $13::timestamptz[], $14::uuid[], $15::text[], $16::jsonb[],
                         $17::text[], $18::integer[], $19::uuid[])
      AS i (id, tenant_id, plan_id, rating_version_id, requested_by_id, status, risk, currency,
            premium_minor, breakdown, instalments, referral_reasons, created_at, mail_id, mail_workflow_id, mail_payload,
            billing_frequency, duration_months, policyholder_id)),
  quote AS (
    INSERT INTO quotes (id, tenant_id, plan_id, rating_version_id, requested_by_id, policyholder_id, status, risk, currency, premium_minor,
                        breakdown, instalments, billing_frequency, duration_months, referral_reasons, valid_until, created_at, updated_at)
    SELECT i.id, i.tenant_id, i.plan_id, i.rating_version_id, i.requested_by_id, i.policyholder_id, i.status, i.risk, i.currency, i.premium_minor,
           i.breakdown, i.instalments, i.billing_frequency, i.duration_months, i.referral_reasons,
           i.created_at + make_interval(secs => 86400 * COALESCE(
             (SELECT (s."values"->>'quoteValidityDays')::int FROM tenant_settings s WHERE s.tenant_id = i.tenant_id), $20)),
           i.created_at, i.created_at
    FROM input i
    ON CONFLICT (id) DO NOTHING
    RETURNING id, requested_by_id, valid_until),
  mail AS (
    INSERT INTO outbox_messages (id, kind, workflow_id, payload, attempts, created_at, updated_at)
    SELECT i.mail_id, $21, i.mail_workflow_id, i.mail_payload, 0, i.created_at, i.created_at
    FROM input i JOIN quote q ON q.id = i.id
    WHERE q.requested_by_id IS NOT NULL)
  SELECT id, valid_until AS "validUntil" FROM quote`;

/** The statement's values: one array per column, in the order of `unnest`'s. */
function boundOf(quotes: NewQuote[]): Bound[] {
  const column = <T>(valueOf: (quote: NewQuote) => T) => quotes.map(valueOf);
  const json = (valueOf: (quote: NewQuote) => unknown) => column((quote) => JSON.stringify(valueOf(quote)));
  // node-postgres writes an array as PostgreSQL's array literal; `Bound` names scalars only.
  const arrays: unknown[] = [
    column((quote) => quote.id),
    column((quote) => quote.tenantId),
    column((quote) => quote.planId),
    column((quote) => quote.ratingVersionId ?? null),
    column((quote) => quote.requestedById ?? null),
    column((quote) => quote.status),
    json((quote) => quote.risk),
    column((quote) => quote.currency),
    column((quote) => quote.premiumMinor),
    json((quote) => quote.breakdown),
    json((quote) => quote.instalments),
    json((quote) => quote.referralReasons),
    column((quote) => quote.createdAt.toISOString()),
    column(() => crypto.randomUUID()),
    column((quote) => quoteMailMessage(quote.id).workflowId),
    json((quote) => quoteMailMessage(quote.id).payload),
    column((quote) => quote.billingFrequency ?? null),
    column((quote) => quote.durationMonths ?? null),
    column((quote) => quote.policyholderId ?? null),
  ];
  return [...(arrays as Bound[]), DEFAULT_TENANT_SETTINGS.quoteValidityDays, QUOTE_MAIL_KIND];
}

/**
 * A quote as recorded, as plain values: what was written, and its validity as PostgreSQL computed
 * it. Not a model instance: building one cost the API about a tenth of its CPU a quote (its setters
 * and copies of every field), only for the answer to read the fields back.
 */
export type RecordedQuote = Attributes<Quote>;

function recorded(values: NewQuote, validUntil: Date | string): RecordedQuote {
  return {
    ratingVersionId: null,
    requestedById: null,
    policyholderId: null,
    loading: null,
    decisionNote: null,
    decidedById: null,
    decidedAt: null,
    referralDueAt: null,
    subscriptionId: null,
    billingFrequency: null,
    durationMonths: null,
    ...values,
    validUntil: new Date(validUntil),
    updatedAt: values.createdAt,
  };
}

/** A quote whose id is taken, as Sequelize reports a duplicate key. */
const duplicate = (id: string) =>
  new UniqueConstraintError({ message: `quote ${id} exists`, fields: { id }, parent: new Error(`quote ${id} exists`) as never });

/** Writes `quotes` in one statement: autocommitted, as a prepared statement, or in `transaction`. Their validity by id. */
async function insertQuotes(sequelize: Sequelize, quotes: NewQuote[], transaction?: Transaction): Promise<Map<string, Date | string>> {
  const bind = boundOf(quotes);
  const rows = transaction
    ? await sequelize.query<{ id: string; validUntil: Date | string }>(INSERT_QUOTES, { bind, type: QueryTypes.SELECT, transaction })
    : await runPrepared<{ id: string; validUntil: Date | string }>(sequelize, INSERT_QUOTES, bind, 'write');
  return new Map(rows.map((row) => [row.id, row.validUntil]));
}

/** Records one quote in `transaction` (a referred quote, with the start of its run). A taken id is a UniqueConstraintError. */
export async function recordQuoteIn(sequelize: Sequelize, values: NewQuote, transaction: Transaction): Promise<Quote> {
  const validUntil = (await insertQuotes(sequelize, [values], transaction)).get(values.id);
  if (validUntil === undefined) throw duplicate(values.id);
  // An instance: the referral's run is opened with it.
  return instanceOf(Quote, recorded(values, validUntil));
}

interface Waiting {
  values: NewQuote;
  resolve: (quote: RecordedQuote) => void;
  reject: (err: unknown) => void;
}

/** The quotes of this turn of the event loop not yet sent, per database. */
const waitingFor = new Map<Sequelize, Waiting[]>();

/**
 * Records a quote with the others priced in this turn of the event loop (autocommitted). A taken id
 * (a repeated Idempotency-Key) is a UniqueConstraintError; any other failure is the statement's.
 */
export function recordQuote(sequelize: Sequelize, values: NewQuote): Promise<RecordedQuote> {
  return new Promise((resolve, reject) => {
    let waiting = waitingFor.get(sequelize);
    if (!waiting) {
      const turn: Waiting[] = [];
      waitingFor.set(sequelize, turn);
      setImmediate(() => {
        waitingFor.delete(sequelize);
        void send(sequelize, turn);
      });
      waiting = turn;
    }
    waiting.push({ values, resolve, reject });
  });
}

/** A statement PostgreSQL refused for what one of its rows holds (SQLSTATE classes 22 and 23), not for being unreachable. */
function refusedRow(err: unknown): boolean {
  const code = err instanceof DatabaseError ? (err.original as { code?: string }).code : undefined;
  return code !== undefined && /^2[23]/.test(code);
}

async function send(sequelize: Sequelize, waiting: Waiting[]): Promise<void> {
  let written: Map<string, Date | string>;
  try {
    written = await insertQuotes(
      sequelize,
      waiting.map((quote) => quote.values),
    );
  } catch (err) {
    if (waiting.length > 1 && refusedRow(err)) {
      // Which row it was is not said: each alone, so that only its own request fails.
      await Promise.all(waiting.map((quote) => send(sequelize, [quote])));
    } else {
      for (const quote of waiting) quote.reject(err);
    }
    return;
  }
  for (const { values, resolve, reject } of waiting) {
    const validUntil = written.get(values.id);
    if (validUntil === undefined) reject(duplicate(values.id));
    else resolve(recorded(values, validUntil));
  }
}
