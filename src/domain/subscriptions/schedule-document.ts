/**
 * The policy schedule (docs/subscriptions.md, Documents): one PDF per version of a policy, in the
 * holder's language, kept in the document store with a `policy_documents` row. A stored schedule
 * is never rendered again, so it keeps saying what the version said when it was made.
 *
 * What it shows: the holder, the policy number, the period of insurance of the version's term,
 * the insured property, the plan, the sum insured, the deductible (none unless bound from a quote),
 * the premium and the instalments of the period as billed (the premium the term started with, plus
 * what each change of the term up to this version bills or credits, as priced), the version's
 * number and effective date, and for a change what it moved and its premium effect. A policy bound
 * from a quote (docs/quotes.md, Binding) shows its risk's deductible, and the breakdown of the quote
 * the version was priced from (the one bound, or its risk's after its property moved) for as long as
 * the version keeps that quote's plan and premium.
 *
 * The text is written in DejaVu Sans and, for what it lacks, Noto Sans JP, SC or KR (./schedule-writing.ts),
 * each PDF embedding the subset of glyphs it uses; Hebrew and Arabic are set right to left. A
 * character no face has (Thai...) is written as its compatible form where a face has that, else as
 * `?`: the holder still gets a document. Schedules made before the font came were written in PDF's
 * standard Helvetica (Windows-1252 only), those made before the Noto faces with `?` for what DejaVu
 * Sans lacks and Hebrew or Arabic words in reverse order; they keep saying what they said.
 */
import crypto from 'node:crypto';
import PDFDocument from 'pdfkit';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { PropertyAddress } from '../../contracts/subscription';
import type { BreakdownLine } from '../../contracts/quote';
import { Plan, PolicyDocument, Quote, Subscription, SubscriptionChange, SubscriptionVersion, User } from '../../models';
import { documentKey, type DocumentStore } from '../../services/documents';
import { mailContextOf } from '../../services/notifications/context';
import { addMonths, instalmentsOf, type BillingFrequency } from '../../shared/instalments';
import { minorUnitDigits, toMinorUnits } from '../../shared/money';
import type { Locale } from '../../shared/notification-settings';
import { sha256Of } from '../claims/document-content';
import { movedRiskQuoteId } from '../quotes/re-rating';
import { SCHEDULE_TEXTS } from './schedule-texts';
import { baseFace, lineHeightFor, lineTop, printable, writeText } from './schedule-writing';

export const SCHEDULE_CONTENT_TYPE = 'application/pdf';

/** One line of the period's instalments: billed by the premium of the period, or by a change (`changeFrom`). */
export interface ScheduleInstalment {
  dueDate: string;
  amountMinor: number;
  /** The effective date of the change that bills or credits it; absent for the period's own premium. */
  changeFrom?: string;
}

/** Everything a schedule says, read from the rows (`scheduleFacts`); dates 'YYYY-MM-DD', amounts decimal strings. */
export interface ScheduleFacts {
  locale: Locale;
  insurer: string;
  holderName: string;
  policyNumber: string;
  planName: string;
  currency: string;
  coverageAmount: string;
  premium: string;
  billingFrequency: BillingFrequency;
  period: { start: string; end: string };
  propertyAddress: PropertyAddress | null;
  version: { number: number; effectiveFrom: string; createdOn: string };
  instalments: ScheduleInstalment[];
  /** Absent for version 1, the policy as issued. */
  change?: { fields: string[]; premiumBefore: string; premiumAfter: string; deltaMinor: number };
  /** The risk's deductible of a policy bound from a quote; absent: none. */
  deductible?: string;
  /** How the quote priced the premium, step by step; absent unless the version has the quoted plan and premium. */
  breakdown?: BreakdownLine[];
}

function formatters(locale: Locale, currency: string) {
  const dayFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' });
  const digits = minorUnitDigits(currency);
  const moneyFormat = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return {
    day: (date: string) => dayFormat.format(new Date(`${date}T00:00:00Z`)),
    // The nearest double of a whole number of minor units over 10^digits rounds back to those
    // digits. The narrow and non-breaking spaces Intl puts beside the symbol are written as plain ones.
    money: (minor: number) => moneyFormat.format(minor / 10 ** digits).replace(/[\u00a0\u202f]/g, ' '),
  };
}

function addressLines(address: PropertyAddress): string[] {
  return [address.line1, address.line2, `${address.postalCode} ${address.city}`, address.region, address.country].filter(
    (line): line is string => Boolean(line),
  );
}

/** The schedule as PDF bytes. */
export function renderSchedule(facts: ScheduleFacts): Promise<Buffer> {
  const texts = SCHEDULE_TEXTS[facts.locale];
  const { day, money } = formatters(facts.locale, facts.currency);
  const minor = (amount: string) => toMinorUnits(amount, facts.currency) ?? 0;
  // A breakdown line's amount is signed: a deductible's credit takes money off ("-65.34").
  const signedMinor = (amount: string) => (amount.startsWith('-') ? -minor(amount.slice(1)) : minor(amount));
  // The document information is not drawn with a font: pdfkit writes it as UTF-16, any character as it is.
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `${texts.title} ${facts.policyNumber}`, Author: facts.insurer } });
  const [REGULAR, BOLD] = [baseFace(doc, 'regular'), baseFace(doc, 'bold')];
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  // A bold label and its value on one line, the value wrapping in its own column (pdfkit's
  // `continued` text loses a value written after a table's positioned cells).
  const field = (label: string, value: string) => writeText(doc, value, { x: left, y: doc.y, width, label: `${label}: ` });
  // A heading with the first line under it (`under`: that line's height): on the next page when both do not fit on this
  // one. Left at a page's foot, a heading headed nothing there (the lines under it moved on alone).
  const heading = (text: string, under: number) => {
    doc.moveDown().font(BOLD);
    lineTop(doc, doc.y, doc.currentLineHeight(true) + under);
    doc.text(text);
  };
  const fieldHeight = (label: string, value: string) => lineHeightFor(doc, [`${label}: `, value]);

  doc.fontSize(18);
  writeText(doc, `${texts.title} ${facts.policyNumber}`, { x: left, y: doc.y, width, weight: 'bold' });
  doc.fontSize(11);
  writeText(doc, texts.versionLine(facts.version.number, day(facts.version.effectiveFrom)), { x: left, y: doc.y, width });
  doc.moveDown();
  field(texts.policyholder, facts.holderName);
  field(texts.policyNumber, facts.policyNumber);
  field(texts.period, texts.periodRange(day(facts.period.start), day(facts.period.end)));
  field(texts.propertyAddress, facts.propertyAddress ? addressLines(facts.propertyAddress).join(', ') : texts.noAddress);
  field(texts.plan, facts.planName);
  field(texts.sumInsured, money(minor(facts.coverageAmount)));
  field(texts.deductible, facts.deductible ? money(minor(facts.deductible)) : texts.noDeductible);
  field(texts.premium, `${money(minor(facts.premium))}, ${texts.perTerm(facts.billingFrequency)}`);

  // Kept with the columns' names and the first instalment.
  heading(texts.instalments, lineHeightFor(doc, []) * (facts.instalments.length > 0 ? 2 : 1));
  const columns = { due: left, amount: left + 90, what: left + 230 };
  const line = (due: string, amount: string, what: string, font = REGULAR) => {
    // Three cells on one line: each starts at the line's top (on the next page if the line does not
    // fit: pdfkit would move each cell on alone), the next line below the tallest.
    const y = lineTop(doc, doc.y, doc.font(font).currentLineHeight(true));
    const bottoms = [
      doc.font(font).text(due, columns.due, y).y,
      doc.text(amount, columns.amount, y, { width: 120, align: 'right' }).y,
      doc.text(printable(what), columns.what, y).y,
    ];
    doc.x = left;
    doc.y = Math.max(...bottoms);
  };
  line(texts.dueDate, texts.amount, '', BOLD);
  for (const instalment of facts.instalments) {
    const what = instalment.changeFrom ? texts.changeFrom(day(instalment.changeFrom)) : texts.asIssued;
    line(day(instalment.dueDate), money(instalment.amountMinor), what);
  }

  if (facts.breakdown) {
    const steps = facts.breakdown.map((step) => [texts.breakdownStep(step.label, step.factor), money(signedMinor(step.amount))] as const);
    heading(texts.breakdownHeading, steps.length > 0 ? fieldHeight(...steps[0]) : 0);
    for (const step of steps) field(...step);
  }

  if (facts.change) {
    const { fields, premiumBefore, premiumAfter, deltaMinor } = facts.change;
    const changed = [texts.changedFields, fields.map((name) => texts.fieldNames[name] ?? name).join(', ')] as const;
    heading(texts.changeHeading, fieldHeight(...changed));
    field(...changed);
    field(texts.premiumBefore, money(minor(premiumBefore)));
    field(texts.premiumAfter, money(minor(premiumAfter)));
    if (deltaMinor > 0) field(texts.additionalPremium, money(deltaMinor));
    else if (deltaMinor < 0) field(texts.returnPremium, money(-deltaMinor));
    else doc.font(REGULAR).text(texts.noPremiumEffect);
  }

  doc.moveDown(2).fontSize(9);
  writeText(doc, texts.issuedBy(facts.insurer, day(facts.version.createdOn)), { x: left, y: doc.y, width });
  doc.end();
  return done;
}

/**
 * The renewal count of the term a version belongs to: version 1 is the first term's, a change's is
 * the term it was priced for, a re-rated renewal's (no change, not 1) the term that begins on its
 * effective date.
 */
function termOf(version: SubscriptionVersion, rows: Pick<PolicyRows, 'subscription' | 'changes'>): number {
  if (version.changeId) return rows.changes.get(version.changeId)?.term ?? 0;
  if (version.number === 1) return 0;
  const { renewalCount } = rows.subscription;
  for (let term = renewalCount; term > 0; term -= 1) if (termBounds(rows.subscription, term).start === version.effectiveFrom) return term;
  return 0;
}

/** A version a re-rated renewal wrote: it begins its term, billed at its premium. */
const isRenewal = (version: SubscriptionVersion) => !version.changeId && version.number > 1;

/**
 * Term `term`'s first day and the day after its last, counted back from the row's current end date
 * as src/models/invoice.ts `termStartOf` does (a renewal keeps the start date and moves the end date
 * on by the plan's duration).
 */
function termBounds(subscription: Subscription, term: number): { start: string; end: string } {
  const { startDate, endDate, renewalCount, durationMonths } = subscription;
  const later = renewalCount - term;
  return {
    start: term === 0 ? startDate! : addMonths(endDate!, -(later + 1) * durationMonths),
    end: addMonths(endDate!, -later * durationMonths),
  };
}

interface PolicyRows {
  subscription: Subscription;
  /** The quotes the policy is priced from, by id: the one it was bound from and its risk's after each move; none for fixed terms. */
  quotes: Map<string, Quote>;
  holderName: string;
  versions: SubscriptionVersion[];
  changes: Map<string, SubscriptionChange>;
  plans: Map<string, Plan>;
}

/** The order a change's fields are named in (JSONB keeps its keys in an order of its own); any other after them. */
const FIELD_ORDER = ['planId', 'coverageAmount', 'premium', 'propertyAddress', 'holderPhone'];
const rank = (field: string) => (FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length);

/** What the version's change moved. */
const changedFields = (version: SubscriptionVersion) =>
  Object.keys(version.fieldChanges).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

/**
 * The quote `version` was priced from: the risk recorded by the latest change up to it that moved the
 * policy's property (movedRiskQuoteId), else the quote the policy was bound from; null for fixed terms.
 */
function quoteOf(rows: Pick<PolicyRows, 'subscription' | 'quotes' | 'versions'>, version: SubscriptionVersion): Quote | null {
  const moved = rows.versions
    .filter((v) => v.number <= version.number && v.changeId && rows.quotes.has(movedRiskQuoteId(v.changeId)))
    .at(-1);
  if (moved) return rows.quotes.get(movedRiskQuoteId(moved.changeId!))!;
  return [...rows.quotes.values()].find((quote) => quote.subscriptionId === rows.subscription.id) ?? null;
}

/** What the schedule of `version` says, from the policy's rows. */
function scheduleFacts(rows: PolicyRows, version: SubscriptionVersion, locale: Locale, insurer: string): ScheduleFacts {
  const { subscription, versions, changes, plans } = rows;
  const term = termOf(version, rows);
  const period = termBounds(subscription, term);
  // The term was billed at the premium in force when it began: its re-rated renewal's, else the last version of an earlier term.
  const base = versions.filter((v) => v.number === 1 || termOf(v, rows) < term || (isRenewal(v) && termOf(v, rows) === term)).at(-1)!;
  const billed = instalmentsOf({
    premiumMinor: toMinorUnits(base.premium, base.currency) ?? 0,
    frequency: subscription.billingFrequency!,
    termStart: period.start,
    durationMonths: subscription.durationMonths,
  });
  const changedSince = versions.filter((v) => v.number > base.number && v.number <= version.number && termOf(v, rows) === term);
  const instalments: ScheduleInstalment[] = [
    ...billed.map(({ dueDate, amountMinor }) => ({ dueDate, amountMinor })),
    ...changedSince.flatMap((v) =>
      (changes.get(v.changeId!)?.instalments ?? []).map(({ dueDate, amountMinor }) => ({
        dueDate,
        amountMinor,
        changeFrom: v.effectiveFrom,
      })),
    ),
  ].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const change = version.changeId ? changes.get(version.changeId) : undefined;
  const quote = quoteOf(rows, version);
  const quoted = quote && version.planId === quote.planId && toMinorUnits(version.premium, version.currency) === quote.premiumMinor;
  return {
    locale,
    insurer,
    holderName: rows.holderName,
    policyNumber: subscription.policyNumber!,
    planName: plans.get(version.planId)?.name ?? '',
    currency: version.currency,
    coverageAmount: version.coverageAmount,
    premium: version.premium,
    billingFrequency: subscription.billingFrequency!,
    period,
    propertyAddress: version.propertyAddress,
    version: { number: version.number, effectiveFrom: version.effectiveFrom, createdOn: version.createdAt.toISOString().slice(0, 10) },
    instalments,
    ...(quote && { deductible: quote.risk.deductible }),
    ...(quoted && { breakdown: quote.breakdown }),
    ...(change && {
      change: {
        fields: changedFields(version),
        premiumBefore: change.premiumBefore,
        premiumAfter: change.premiumAfter,
        deltaMinor: version.premiumDeltaMinor,
      },
    }),
  };
}

/** The quotes a policy is priced from: the one bound to it, and each its versions' changes recorded for a moved risk. */
function quotesOf(subscription: Subscription, versions: SubscriptionVersion[]): Promise<Quote[]> {
  if (!subscription.quoteId) return Promise.resolve([]);
  const moved = versions.flatMap((version) => (version.changeId ? [movedRiskQuoteId(version.changeId)] : []));
  return Quote.findAll({ where: { [Op.or]: [{ id: moved }, { subscriptionId: subscription.id }] } });
}

/**
 * Renders and stores the schedule of every version of the subscription that has none in the
 * holder's language yet, and answers all its schedules (every language), oldest first. Idempotent
 * and safe to run concurrently: the bytes are stored under a fresh key before their row is
 * inserted (a row never points at missing bytes), and the insert does nothing when another
 * caller's row for the version came first, whose bytes then stay and ours are removed.
 */
export async function ensureScheduleDocuments(
  sequelize: Sequelize,
  store: DocumentStore,
  subscriptionId: string,
): Promise<PolicyDocument[]> {
  const subscription = await Subscription.findByPk(subscriptionId, { rejectOnEmpty: true });
  const holder = await User.findByPk(subscription.policyholderId, { rejectOnEmpty: true });
  const context = await mailContextOf(subscription.tenantId, holder.locale);
  const [versions, stored] = await Promise.all([
    SubscriptionVersion.findAll({ where: { subscriptionId }, order: [['number', 'ASC']] }),
    PolicyDocument.findAll({ where: { subscriptionId, kind: 'schedule', language: context.locale } }),
  ]);
  const missing = versions.filter((version) => !stored.some((document) => document.versionId === version.id));
  if (missing.length > 0) {
    const changeIds = versions.flatMap((version) => (version.changeId ? [version.changeId] : []));
    const [changes, plans] = await Promise.all([
      SubscriptionChange.findAll({ where: { id: changeIds } }),
      // A plan withdrawn from the catalog still names the versions issued on it.
      Plan.findAll({ where: { id: [...new Set(versions.map((version) => version.planId))] }, paranoid: false }),
    ]);
    const rows: PolicyRows = {
      subscription,
      quotes: new Map((await quotesOf(subscription, versions)).map((quote) => [quote.id, quote])),
      holderName: holder.fullName,
      versions,
      changes: new Map(changes.map((change) => [change.id, change])),
      plans: new Map(plans.map((plan) => [plan.id, plan])),
    };
    const insurer = context.branding.name ?? '';
    for (const version of missing) {
      await storeSchedule(
        sequelize,
        store,
        version,
        context.locale,
        await renderSchedule(scheduleFacts(rows, version, context.locale, insurer)),
      );
    }
  }
  return PolicyDocument.findAll({
    where: { subscriptionId, kind: 'schedule' },
    order: [
      ['createdAt', 'ASC'],
      ['id', 'ASC'],
    ],
  });
}

/**
 * The one-off back-fill of `admin.js backfill-schedules`: the schedules of every policy with a
 * version that has none (version 1 of the policies issued before their run made it, a policy
 * whose run ran on a worker without a store), policy by policy. Answers how many policies it
 * made schedules for: run again, it finds none and makes nothing.
 */
export async function backfillScheduleDocuments(sequelize: Sequelize, store: DocumentStore): Promise<number> {
  const lacking = await sequelize.query<{ subscriptionId: string }>(
    `SELECT DISTINCT v.subscription_id AS "subscriptionId" FROM subscription_versions v
     WHERE NOT EXISTS (SELECT 1 FROM policy_documents d WHERE d.version_id = v.id AND d.kind = 'schedule')`,
    { type: QueryTypes.SELECT },
  );
  for (const { subscriptionId } of lacking) await ensureScheduleDocuments(sequelize, store, subscriptionId);
  return lacking.length;
}

async function storeSchedule(sequelize: Sequelize, store: DocumentStore, version: SubscriptionVersion, language: Locale, bytes: Buffer) {
  const id = crypto.randomUUID();
  const storageKey = documentKey(version.tenantId, id);
  const sha256 = sha256Of(bytes);
  await store.write(storageKey, { bytes, contentType: SCHEDULE_CONTENT_TYPE, sha256 });
  const inserted = await sequelize.query(
    `INSERT INTO policy_documents (id, tenant_id, subscription_id, version_id, kind, language, storage_key, content_type, size_bytes, sha256, created_at)
     VALUES (:id, :tenantId, :subscriptionId, :versionId, 'schedule', :language, :storageKey, :contentType, :sizeBytes, :sha256, now())
     ON CONFLICT (version_id, kind, language) DO NOTHING RETURNING id`,
    {
      type: QueryTypes.SELECT,
      replacements: {
        id,
        tenantId: version.tenantId,
        subscriptionId: version.subscriptionId,
        versionId: version.id,
        language,
        storageKey,
        contentType: SCHEDULE_CONTENT_TYPE,
        sizeBytes: bytes.length,
        sha256,
      },
    },
  );
  if (inserted.length === 0) await store.remove(storageKey);
}
