/**
 * Claim payments as the bank credit-transfer file banks take: ISO 20022 `pain.001.001.09`
 * (CustomerCreditTransferInitiationV09), one payment instruction per batch, one transaction per
 * transfer (docs/claim-money.md, Payment files). Pure: no database, no clock, no I/O.
 *
 * `creditTransferProblems` lists what a bank would refuse (IBAN checksum, BIC format, lengths, the
 * SEPA character set, amounts); `pain001Xml` refuses a batch that has any and otherwise writes the
 * file. Amounts are integer minor units throughout (src/shared/money.ts), so the control sums are
 * exact.
 *
 * Text: identifiers (message and end-to-end IDs) are never changed, only refused when they leave
 * the SEPA character set; names and remittance text are transliterated to it (accents dropped,
 * ß → ss, & → +, typographic quotes and dashes to their plain forms, runs of white space to one
 * space) and refused when a character is still outside it. XML escaping is xmlbuilder2's.
 */
import type * as IbanTools from 'ibantools' with { 'resolution-mode': 'import' };
import { create } from 'xmlbuilder2';
import { isCalendarDay } from '../../shared/calendar-day';
import { DAY_MS, utcDay } from '../../shared/time';
import { CURRENCY_PATTERN, formatMinorUnits, minorUnitDigits, toMinorUnits } from '../../shared/money';

// ibantools 4 is an ES module with a CommonJS build (its "require" export), which loads synchronously.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ibanTools = require('ibantools') as typeof IbanTools;
const { electronicFormatIBAN, extractIBAN, isSEPACountry, isValidBIC, validateIBAN, ValidationErrorsIBAN } = ibanTools;

export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

/** An account holder: the insurer paying (debtor) or the payee (creditor). */
export interface Party {
  /** At most 70 characters once in the SEPA character set. */
  name: string;
  /** Spaces and lower case are accepted; the file carries the electronic format. */
  iban: string;
  /** The account's bank; without one the debtor's agent is written as NOTPROVIDED, a creditor's left out. */
  bic?: string | null;
}

export interface CreditTransfer {
  /** The payment's own reference, returned on the payee's statement: 1–35 SEPA characters, unique in the batch. */
  endToEndId: string;
  /** A decimal string ("1250.00"): more than 0, at most the currency's minor-unit decimals, at most 999999999.99. */
  amount: string;
  /** ISO 4217 code. */
  currency: string;
  creditor: Party;
  /** Unstructured remittance text, 1–140 characters once in the SEPA character set. */
  remittance: string;
}

export interface CreditTransferBatch {
  /** The file's ID (GrpHdr/MsgId), also its one PmtInf/PmtInfId: 1–35 SEPA characters. */
  messageId: string;
  createdAt: Date;
  /** Who sends the file (GrpHdr/InitgPty/Nm), at most 70 characters. */
  initiatingParty: string;
  debtor: Party;
  /** yyyy-MM-dd */
  requestedExecutionDate: string;
  transfers: CreditTransfer[];
}

/** One refusal, `field` named as in the batch (`transfers[1].creditor.iban`). */
export interface CreditTransferProblem {
  field: string;
  message: string;
}

/** The batch does not make a file a bank would take: `problems` says why. */
export class CreditTransferBatchInvalid extends Error {
  constructor(readonly problems: CreditTransferProblem[]) {
    super(`The credit-transfer batch is invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.name = 'CreditTransferBatchInvalid';
  }
}

/** The largest amount of one SEPA credit transfer, in hundredths. */
const MAX_AMOUNT_HUNDREDTHS = 99_999_999_999n;
const NAME_MAX = 70;
const REMITTANCE_MAX = 140;
const IDENTIFIER_MAX = 35;

/** The SEPA (EPC) Latin character set: a–z, A–Z, 0–9, space and / - ? : ( ) . , ' + */
const SEPA_CHARACTER = /[a-zA-Z0-9/\-?:().,'+ ]/;
const NOT_SEPA_CHARACTER = /[^a-zA-Z0-9/\-?:().,'+ ]/gu;

/** Letters and signs that Unicode decomposition does not bring into the set. */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  Æ: 'AE',
  æ: 'ae',
  Œ: 'OE',
  œ: 'oe',
  Ø: 'O',
  ø: 'o',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ð: 'D',
  ð: 'd',
  Þ: 'TH',
  þ: 'th',
  ı: 'i',
  '&': '+',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '´': "'",
  '`': "'",
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
};

/**
 * Free text in the SEPA character set: diacritics dropped (é → e, Ä → A), the letters of
 * TRANSLITERATIONS spelled out, white space collapsed and trimmed. `rejected` lists the characters
 * that are still outside the set (nothing is dropped silently).
 */
export function sepaText(text: string): { text: string; rejected: string[] } {
  const spelled = [...text.normalize('NFC')].map((char) => TRANSLITERATIONS[char] ?? char).join('');
  const plain = spelled.normalize('NFD').replace(/\p{M}/gu, '').replace(/\s+/gu, ' ').trim();
  const rejected = [...new Set(plain.match(NOT_SEPA_CHARACTER) ?? [])];
  return { text: plain, rejected };
}

/** Problems of a reference (MsgId, EndToEndId): kept as given, so only refused. */
function identifierProblems(field: string, value: string): CreditTransferProblem[] {
  if (!value) return [{ field, message: 'is required' }];
  const problems: CreditTransferProblem[] = [];
  if (value.length > IDENTIFIER_MAX) problems.push({ field, message: `is longer than ${IDENTIFIER_MAX} characters` });
  const outside = [...new Set([...value].filter((char) => !SEPA_CHARACTER.test(char)))];
  if (outside.length) problems.push({ field, message: `has characters outside the SEPA character set: ${outside.join(' ')}` });
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//')) {
    problems.push({ field, message: "must not start or end with '/' or contain '//'" });
  }
  return problems;
}

function textProblems(field: string, value: string, max: number): CreditTransferProblem[] {
  const { text, rejected } = sepaText(value);
  if (!text) return [{ field, message: 'is required' }];
  const problems: CreditTransferProblem[] = [];
  if (text.length > max) problems.push({ field, message: `is longer than ${max} characters` });
  if (rejected.length) problems.push({ field, message: `has characters outside the SEPA character set: ${rejected.join(' ')}` });
  return problems;
}

const normalisedIban = (iban: string): string => electronicFormatIBAN(iban) ?? '';
const normalisedBic = (bic: string): string => bic.replace(/\s+/gu, '').toUpperCase();

/** The account as the file carries it: the IBAN in electronic format, the BIC without spaces and upper case. */
export const electronicParty = (party: Party): Required<Party> => ({
  name: party.name,
  iban: normalisedIban(party.iban),
  bic: party.bic == null ? null : normalisedBic(party.bic),
});

/** What a bank would refuse of an account holder (name, IBAN, BIC); `field` prefixes each problem's field. */
export function partyProblems(field: string, party: Party): CreditTransferProblem[] {
  const problems = textProblems(`${field}.name`, party.name, NAME_MAX);
  const iban = validateIBAN(normalisedIban(party.iban));
  if (!iban.valid) {
    const why = iban.errorCodes.includes(ValidationErrorsIBAN.WrongIBANChecksum) ? ' (wrong checksum)' : '';
    problems.push({ field: `${field}.iban`, message: `is not a valid IBAN${why}` });
  }
  if (party.bic != null && !isValidBIC(normalisedBic(party.bic))) problems.push({ field: `${field}.bic`, message: 'is not a valid BIC' });
  return problems;
}

/** The amount in minor units, or why it is refused. */
function parseAmount(amount: string, currency: string): { minor: number } | { problem: string } {
  const digits = minorUnitDigits(currency);
  if (/^\s*-/.test(amount)) return { problem: 'must be greater than 0' };
  const minor = toMinorUnits(amount, currency);
  if (minor === null) return { problem: `must be a decimal number with at most ${digits} decimals for ${currency}` };
  if (minor <= 0) return { problem: 'must be greater than 0' };
  if (BigInt(minor) * 100n > MAX_AMOUNT_HUNDREDTHS * 10n ** BigInt(digits)) return { problem: 'must be at most 999999999.99' };
  return { minor };
}

/** How far ahead a bank takes a requested execution date: SEPA credit transfers accept one up to a year ahead. */
const EXECUTION_DAYS_AHEAD = 365;

/**
 * A requested execution date a bank refuses, judged from the day the file is made (UTC): one gone by
 * (banks refuse a past date), or more than EXECUTION_DAYS_AHEAD days later.
 */
function executionDateProblems(requested: string, createdAt: Date): CreditTransferProblem[] {
  if (!(createdAt instanceof Date) || Number.isNaN(createdAt.getTime())) return [];
  const today = utcDay(createdAt);
  const latest = utcDay(createdAt.getTime() + EXECUTION_DAYS_AHEAD * DAY_MS);
  if (requested >= today && requested <= latest) return [];
  return [{ field: 'requestedExecutionDate', message: `must be from today (${today}) to ${latest}, at most a year ahead` }];
}

/** Everything in the batch that a bank (or the pain.001.001.09 schema) would refuse; empty when none. */
export function creditTransferProblems(batch: CreditTransferBatch): CreditTransferProblem[] {
  const problems: CreditTransferProblem[] = [
    ...identifierProblems('messageId', batch.messageId),
    ...textProblems('initiatingParty', batch.initiatingParty, NAME_MAX),
    ...partyProblems('debtor', batch.debtor),
  ];
  if (!(batch.createdAt instanceof Date) || Number.isNaN(batch.createdAt.getTime())) {
    problems.push({ field: 'createdAt', message: 'is not a valid date and time' });
  }
  if (!isCalendarDay(batch.requestedExecutionDate)) {
    problems.push({ field: 'requestedExecutionDate', message: 'is not a date (yyyy-MM-dd)' });
  } else {
    problems.push(...executionDateProblems(batch.requestedExecutionDate, batch.createdAt));
  }
  if (batch.transfers.length === 0) problems.push({ field: 'transfers', message: 'must hold at least one transfer' });
  const seen = new Set<string>();
  batch.transfers.forEach((transfer, index) => {
    const field = `transfers[${index}]`;
    problems.push(...identifierProblems(`${field}.endToEndId`, transfer.endToEndId));
    if (seen.has(transfer.endToEndId)) problems.push({ field: `${field}.endToEndId`, message: 'repeats an earlier transfer' });
    seen.add(transfer.endToEndId);
    if (!CURRENCY_PATTERN.test(transfer.currency)) {
      problems.push({ field: `${field}.currency`, message: 'is not an ISO 4217 code' });
    } else {
      const amount = parseAmount(transfer.amount, transfer.currency);
      if ('problem' in amount) problems.push({ field: `${field}.amount`, message: amount.problem });
    }
    problems.push(...partyProblems(`${field}.creditor`, transfer.creditor));
    problems.push(...textProblems(`${field}.remittance`, transfer.remittance, REMITTANCE_MAX));
  });
  return problems;
}

/** The sum of amounts in (possibly) several currencies, as a decimal string with the largest minor unit among them. */
function controlSum(amounts: { minor: number; currency: string }[]): string {
  const scale = Math.max(...amounts.map((a) => minorUnitDigits(a.currency)));
  const total = amounts.reduce((sum, a) => sum + BigInt(a.minor) * 10n ** BigInt(scale - minorUnitDigits(a.currency)), 0n);
  if (scale === 0) return total.toString();
  const text = total.toString().padStart(scale + 1, '0');
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}

const ibanCountry = (iban: string): string => extractIBAN(iban).countryCode ?? '';
const seconds = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;
const agent = (bic: string) => ({ FinInstnId: { BICFI: normalisedBic(bic) } });
const account = (iban: string) => ({ Id: { IBAN: normalisedIban(iban) } });

/**
 * The batch as a pain.001.001.09 document (UTF-8 XML). Throws CreditTransferBatchInvalid when
 * creditTransferProblems finds anything. SEPA (PmtTpInf/SvcLvl/Cd SEPA, charges SLEV) when every
 * transfer is in euro and every account is in a SEPA country; otherwise no service level and
 * charges shared (SHAR).
 */
export function pain001Xml(batch: CreditTransferBatch): string {
  const problems = creditTransferProblems(batch);
  if (problems.length) throw new CreditTransferBatchInvalid(problems);

  const transfers = batch.transfers.map((transfer) => {
    const amount = parseAmount(transfer.amount, transfer.currency);
    if (!('minor' in amount)) throw new Error('unreachable: the amount was checked');
    return { ...transfer, minor: amount.minor };
  });
  const count = String(transfers.length);
  const sum = controlSum(transfers);
  const ibans = [batch.debtor.iban, ...transfers.map((t) => t.creditor.iban)].map(normalisedIban);
  const sepa = transfers.every((t) => t.currency === 'EUR') && ibans.every((iban) => isSEPACountry(ibanCountry(iban)));

  const document = {
    Document: {
      '@xmlns': PAIN001_NAMESPACE,
      CstmrCdtTrfInitn: {
        GrpHdr: {
          MsgId: batch.messageId,
          CreDtTm: seconds(batch.createdAt),
          NbOfTxs: count,
          CtrlSum: sum,
          InitgPty: { Nm: sepaText(batch.initiatingParty).text },
        },
        PmtInf: {
          PmtInfId: batch.messageId,
          PmtMtd: 'TRF',
          NbOfTxs: count,
          CtrlSum: sum,
          ...(sepa && { PmtTpInf: { SvcLvl: { Cd: 'SEPA' } } }),
          ReqdExctnDt: { Dt: batch.requestedExecutionDate },
          Dbtr: { Nm: sepaText(batch.debtor.name).text },
          DbtrAcct: account(batch.debtor.iban),
          DbtrAgt: batch.debtor.bic ? agent(batch.debtor.bic) : { FinInstnId: { Othr: { Id: 'NOTPROVIDED' } } },
          ChrgBr: sepa ? 'SLEV' : 'SHAR',
          CdtTrfTxInf: transfers.map((transfer) => ({
            PmtId: { EndToEndId: transfer.endToEndId },
            Amt: { InstdAmt: { '@Ccy': transfer.currency, '#': formatMinorUnits(transfer.minor, transfer.currency) } },
            ...(transfer.creditor.bic && { CdtrAgt: agent(transfer.creditor.bic) }),
            Cdtr: { Nm: sepaText(transfer.creditor.name).text },
            CdtrAcct: account(transfer.creditor.iban),
            RmtInf: { Ustrd: sepaText(transfer.remittance).text },
          })),
        },
      },
    },
  };
  return create({ version: '1.0', encoding: 'UTF-8' }, document).end({ prettyPrint: true });
}
