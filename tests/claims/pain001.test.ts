/**
 * Claim payment files (docs/claim-money.md, Payment files): pain001Xml's documents validate against
 * the ISO 20022 pain.001.001.09 schema, checked by xmllint (libxml2 compiled to WebAssembly, the
 * xmllint-wasm package), and a document that breaks the schema is reported invalid by the same
 * check. The schema comes from the tool cache (PyPI's sepaxml wheel, scripts/local/pain001-xsd.ts).
 * Pure: no PostgreSQL, no Temporal.
 */
import fs from 'node:fs';
import { create } from 'xmlbuilder2';
import { validateXML } from 'xmllint-wasm';
import { resolvePain001Xsd } from '../../scripts/local/pain001-xsd';
import {
  creditTransferProblems,
  CreditTransferBatchInvalid,
  PAIN001_NAMESPACE,
  pain001Xml,
  sepaText,
  type CreditTransfer,
  type CreditTransferBatch,
} from '../../src/domain/claims/pain001';

let schema: string;
beforeAll(() => {
  schema = fs.readFileSync(resolvePain001Xsd(), 'utf8');
}, 300_000);

const validate = (xml: string) =>
  validateXML({ xml: [{ fileName: 'payment.xml', contents: xml }], schema: [{ fileName: 'pain.001.001.09.xsd', contents: schema }] });

const withBic: CreditTransfer = {
  endToEndId: 'CLM-2026-000123-1',
  amount: '1250.00',
  currency: 'EUR',
  creditor: { name: 'Zoë Müller & Söhne', iban: 'FR14 2004 1010 0505 0001 3M02 606', bic: 'BNPAFRPPXXX' },
  remittance: 'Claim CLM-2026-000123, water damage',
};
const withoutBic: CreditTransfer = {
  endToEndId: 'CLM-2026-000124-1',
  amount: '500.5',
  currency: 'EUR',
  creditor: { name: 'Jan de Vries', iban: 'NL91ABNA0417164300' },
  remittance: 'Claim CLM-2026-000124',
};

function batchOf(transfers: CreditTransfer[], overrides: Partial<CreditTransferBatch> = {}): CreditTransferBatch {
  return {
    messageId: 'PAY-2026-03-02-0001',
    createdAt: new Date('2026-03-02T09:30:12.345Z'),
    initiatingParty: 'Insurflow Versicherung AG',
    debtor: { name: 'Insurflow Versicherung AG', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
    requestedExecutionDate: '2026-03-03',
    transfers,
    ...overrides,
  };
}

type Tree = { [name: string]: Tree | Tree[] | string };
/** The document parsed back, without the XML declaration. */
const parsed = (xml: string) => (create(xml).end({ format: 'object' }) as Tree).Document as Tree;
const at = (tree: Tree, ...names: string[]) => names.reduce<Tree | Tree[] | string>((node, name) => (node as Tree)[name], tree);

describe('pain.001.001.09 credit-transfer files', () => {
  it('writes two euro transfers, one with the BIC and one without, that the ISO schema accepts', async () => {
    const xml = pain001Xml(batchOf([withBic, withoutBic]));
    const result = await validate(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);

    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const document = parsed(xml);
    expect(document['@xmlns']).toBe(PAIN001_NAMESPACE);
    const header = at(document, 'CstmrCdtTrfInitn', 'GrpHdr');
    expect(header).toEqual({
      MsgId: 'PAY-2026-03-02-0001',
      CreDtTm: '2026-03-02T09:30:12Z',
      NbOfTxs: '2',
      CtrlSum: '1750.50',
      InitgPty: { Nm: 'Insurflow Versicherung AG' },
    });
    const payment = at(document, 'CstmrCdtTrfInitn', 'PmtInf') as Tree;
    expect(payment).toMatchObject({
      PmtInfId: 'PAY-2026-03-02-0001',
      PmtMtd: 'TRF',
      NbOfTxs: '2',
      CtrlSum: '1750.50',
      PmtTpInf: { SvcLvl: { Cd: 'SEPA' } },
      ReqdExctnDt: { Dt: '2026-03-03' },
      DbtrAcct: { Id: { IBAN: 'DE89370400440532013000' } },
      DbtrAgt: { FinInstnId: { BICFI: 'COBADEFFXXX' } },
      ChrgBr: 'SLEV',
    });
    const [first, second] = payment.CdtTrfTxInf as Tree[];
    expect(first).toEqual({
      PmtId: { EndToEndId: 'CLM-2026-000123-1' },
      Amt: { InstdAmt: { '@Ccy': 'EUR', '#': '1250.00' } },
      CdtrAgt: { FinInstnId: { BICFI: 'BNPAFRPPXXX' } },
      // Transliterated to the SEPA character set: diacritics dropped, & as +.
      Cdtr: { Nm: 'Zoe Muller + Sohne' },
      CdtrAcct: { Id: { IBAN: 'FR1420041010050500013M02606' } },
      RmtInf: { Ustrd: 'Claim CLM-2026-000123, water damage' },
    });
    expect(second).not.toHaveProperty('CdtrAgt');
    expect(second).toMatchObject({ Amt: { InstdAmt: { '@Ccy': 'EUR', '#': '500.50' } }, Cdtr: { Nm: 'Jan de Vries' } });
  });

  it('names the debtor agent NOTPROVIDED without a BIC, and adds cents exactly', async () => {
    const cents = (endToEndId: string, amount: string): CreditTransfer => ({ ...withoutBic, endToEndId, amount });
    const xml = pain001Xml(
      batchOf([cents('A-1', '0.10'), cents('A-2', '0.20')], { debtor: { name: 'Insurflow', iban: 'DE89370400440532013000', bic: null } }),
    );
    expect((await validate(xml)).valid).toBe(true);
    expect(at(parsed(xml), 'CstmrCdtTrfInitn', 'PmtInf', 'DbtrAgt')).toEqual({ FinInstnId: { Othr: { Id: 'NOTPROVIDED' } } });
    expect(at(parsed(xml), 'CstmrCdtTrfInitn', 'GrpHdr', 'CtrlSum')).toBe('0.30');
  });

  it('leaves out the SEPA service level when a transfer is not in euro, and sums currencies by their minor units', async () => {
    const yen: CreditTransfer = { ...withoutBic, endToEndId: 'JPY-1', amount: '1000', currency: 'JPY' };
    const xml = pain001Xml(batchOf([yen, withBic]));
    expect(await validate(xml)).toMatchObject({ valid: true, errors: [] });
    const payment = at(parsed(xml), 'CstmrCdtTrfInitn', 'PmtInf') as Tree;
    expect(payment).not.toHaveProperty('PmtTpInf');
    expect(payment).toMatchObject({ ChrgBr: 'SHAR', CtrlSum: '2250.00' });
    expect(at((payment.CdtTrfTxInf as Tree[])[0], 'Amt', 'InstdAmt')).toEqual({ '@Ccy': 'JPY', '#': '1000' });
  });

  it('reports a document that breaks the schema as invalid (the check can fail)', async () => {
    const xml = pain001Xml(batchOf([withBic, withoutBic]));
    const wrongElement = xml.replace('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>SLEV</ChrgBr><Wrong>1</Wrong>');
    expect(wrongElement).not.toBe(xml);
    const result = await validate(wrongElement);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/Wrong/);

    const tooLongId = xml.replace('<EndToEndId>CLM-2026-000123-1</EndToEndId>', `<EndToEndId>${'X'.repeat(36)}</EndToEndId>`);
    expect((await validate(tooLongId)).valid).toBe(false);
  });
});

describe('creditTransferProblems', () => {
  const problemsOf = (transfer: Partial<CreditTransfer>) => creditTransferProblems(batchOf([{ ...withBic, ...transfer }]));

  it('finds none in a good batch', () => {
    expect(creditTransferProblems(batchOf([withBic, withoutBic]))).toEqual([]);
  });

  it.each([
    [
      'a bad IBAN checksum',
      { creditor: { ...withBic.creditor, iban: 'FR15 2004 1010 0505 0001 3M02 606' } },
      'transfers[0].creditor.iban',
      /checksum/,
    ],
    ['a malformed BIC', { creditor: { ...withBic.creditor, bic: 'BNP-FR' } }, 'transfers[0].creditor.bic', /BIC/],
    ['a 36-character end-to-end ID', { endToEndId: 'E'.repeat(36) }, 'transfers[0].endToEndId', /longer than 35/],
    ['an end-to-end ID outside the SEPA set', { endToEndId: 'CLM_1' }, 'transfers[0].endToEndId', /SEPA character set: _/],
    ['an end-to-end ID with //', { endToEndId: 'CLM//1' }, 'transfers[0].endToEndId', /\/\//],
    ['a negative amount', { amount: '-10.00' }, 'transfers[0].amount', /greater than 0/],
    ['a zero amount', { amount: '0.00' }, 'transfers[0].amount', /greater than 0/],
    ['an amount with 3 decimals', { amount: '10.005' }, 'transfers[0].amount', /at most 2 decimals/],
    ['an amount above the SEPA maximum', { amount: '1000000000.00' }, 'transfers[0].amount', /at most 999999999\.99/],
    ['a currency that is not ISO 4217', { currency: 'euro' }, 'transfers[0].currency', /ISO 4217/],
    ['a name over 70 characters', { creditor: { ...withBic.creditor, name: 'N'.repeat(71) } }, 'transfers[0].creditor.name', /70/],
    ['a name outside the Latin script', { creditor: { ...withBic.creditor, name: '李小龍' } }, 'transfers[0].creditor.name', /SEPA/],
    ['a remittance over 140 characters', { remittance: 'r'.repeat(141) }, 'transfers[0].remittance', /140/],
  ])('refuses %s', (_what, transfer, field, message) => {
    const problems = problemsOf(transfer);
    expect(problems).toEqual([{ field, message: expect.stringMatching(message) }]);
    expect(() => pain001Xml(batchOf([{ ...withBic, ...transfer }]))).toThrow(CreditTransferBatchInvalid);
  });

  it('accepts the largest amount and a 35-character end-to-end ID', () => {
    expect(problemsOf({ amount: '999999999.99', endToEndId: 'E'.repeat(35) })).toEqual([]);
  });

  it('refuses an empty batch, a repeated end-to-end ID, a bad message ID and an impossible date', () => {
    expect(creditTransferProblems(batchOf([]))).toEqual([{ field: 'transfers', message: 'must hold at least one transfer' }]);
    expect(() => pain001Xml(batchOf([]))).toThrow(/transfers must hold at least one transfer/);
    expect(creditTransferProblems(batchOf([withBic, { ...withoutBic, endToEndId: withBic.endToEndId }]))).toEqual([
      { field: 'transfers[1].endToEndId', message: 'repeats an earlier transfer' },
    ]);
    expect(
      creditTransferProblems(batchOf([withBic], { messageId: '/PAY', requestedExecutionDate: '2026-02-30', createdAt: new Date('x') })),
    ).toEqual([
      { field: 'messageId', message: "must not start or end with '/' or contain '//'" },
      { field: 'createdAt', message: 'is not a valid date and time' },
      { field: 'requestedExecutionDate', message: 'is not a date (yyyy-MM-dd)' },
    ]);
  });

  it('refuses an execution date before the file’s day or more than a year after it (createdAt 2026-03-02)', () => {
    const dated = (requestedExecutionDate: string) => creditTransferProblems(batchOf([withBic], { requestedExecutionDate }));
    expect(dated('2026-03-02')).toEqual([]);
    expect(dated('2027-03-02')).toEqual([]);
    const refused = [{ field: 'requestedExecutionDate', message: 'must be from today (2026-03-02) to 2027-03-02, at most a year ahead' }];
    expect(dated('2026-03-01')).toEqual(refused);
    expect(dated('2027-03-03')).toEqual(refused);
    expect(dated('2999-12-31')).toEqual(refused);
  });

  it('transliterates names and remittance text to the SEPA character set, and names what it cannot', () => {
    expect(sepaText('  Øresund  Straße –\n Łódź “A”  ')).toEqual({ text: 'Oresund Strasse - Lodz “A”', rejected: ['“', '”'] });
    expect(sepaText('Renée O’Brien & Co.')).toEqual({ text: "Renee O'Brien + Co.", rejected: [] });
  });
});
