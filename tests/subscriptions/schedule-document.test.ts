/**
 * The policy schedule on real rows (PostgreSQL, a local document store): each version's PDF says
 * the figures of that version in the holder's language, read back with pdftotext and drawn with
 * pdftoppm; storing is idempotent under concurrent callers. The change's rows are written here as
 * the run's carrying out leaves them (a version 2 with its change), the run itself is not under test.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PolicyDocument, Subscription, SubscriptionChange, SubscriptionVersion, type Plan, type User } from '../../src/models';
import { ensureScheduleDocuments, renderSchedule, type ScheduleFacts } from '../../src/domain/subscriptions/schedule-document';
import { recordRenewalVersion } from '../../src/domain/subscriptions/versions';
import { localDocumentStore } from '../../src/services/documents/local-store';
import type { DocumentStore } from '../../src/services/documents';
import type { PropertyAddress } from '../../src/contracts/subscription';
import { buildCategory, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { describeNeeding } from '../support/required-tool';
import { drawnPage, pdfFonts, pdfText, pdfWords, popplerTool } from '../support/poppler';
import { buildQuote, RISK } from '../support/quote-rows';

const address = { line1: 'Hauptstraße 5', postalCode: '10115', city: 'Berlin', country: 'DE' };

async function readAll(store: DocumentStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describeNeeding(popplerTool(), 'policy schedule documents', () => {
  let db: TestDatabase;
  let dir: string;
  let store: DocumentStore;
  let basic: Plan;
  let better: Plan;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'insurflow-schedules-'));
    store = localDocumentStore(dir);
    tenantId = (await buildTenant({ name: 'Rheinland Versicherung' })).id;
    const category = await buildCategory({ tenantId });
    const terms = { categoryId: category.id, currency: 'EUR', billingFrequency: 'quarterly' as const, durationMonths: 12 };
    basic = await buildPlan({ ...terms, name: 'Hausrat Basis', coverageAmount: '100000.00', premium: '1200.00' });
    better = await buildPlan({ ...terms, name: 'Hausrat Plus', coverageAmount: '150000.00', premium: '1500.00' });
  });
  afterAll(async () => {
    store?.close();
    await db?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** A policy as its run leaves it: inserted pending, then dated (which writes version 1), from 15 Jan 2026 for a year. */
  async function issuedPolicy(holder: User, propertyAddress: PropertyAddress = address): Promise<Subscription> {
    const pending = await buildSubscription({ planId: basic.id, policyholderId: holder.id, status: 'pending', propertyAddress });
    await pending.update({ status: 'active', startDate: '2026-01-15', endDate: '2027-01-15' });
    return pending;
  }

  /** Version 2 as carrying out a change leaves it: the better plan from 15 Jul 2026, 148.77 more for the rest of the term. */
  async function changedToBetterPlan(subscription: Subscription, holder: User): Promise<SubscriptionVersion> {
    const change = await SubscriptionChange.create({
      tenantId,
      subscriptionId: subscription.id,
      status: 'applied',
      term: 0,
      effectiveDate: '2026-07-15',
      requested: { planId: better.id },
      premiumBefore: '1200.00',
      premiumAfter: '1500.00',
      premiumDeltaMinor: 14877,
      currency: 'EUR',
      instalments: [
        { dueDate: '2026-07-15', amountMinor: 7439 },
        { dueDate: '2026-10-15', amountMinor: 7438 },
      ],
      requestedById: holder.id,
      confirmedById: holder.id,
    });
    return SubscriptionVersion.create({
      tenantId,
      subscriptionId: subscription.id,
      number: 2,
      effectiveFrom: '2026-07-15',
      planId: better.id,
      coverageAmount: '150000.00',
      premium: '1500.00',
      currency: 'EUR',
      propertyAddress: address,
      changeId: change.id,
      fieldChanges: {
        planId: { before: basic.id, after: better.id },
        coverageAmount: { before: '100000.00', after: '150000.00' },
        premium: { before: '1200.00', after: '1500.00' },
      },
      premiumDeltaMinor: 14877,
      changedById: holder.id,
    });
  }

  it("version 1 and a change's version 2 in German: the figures of each, the instalments as billed, a page with ink on it", async () => {
    const holder = await buildUser({ tenantId, role: 'policyholder', fullName: 'Jürgen Groß', locale: 'de' });
    const subscription = await issuedPolicy(holder);
    const version2 = await changedToBetterPlan(subscription, holder);

    const documents = await ensureScheduleDocuments(db.sequelize, store, subscription.id);
    const version1 = await SubscriptionVersion.findOne({ where: { subscriptionId: subscription.id, number: 1 }, rejectOnEmpty: true });
    expect(documents.map((d) => [d.versionId, d.kind, d.language, d.contentType])).toEqual(
      expect.arrayContaining([
        [version1.id, 'schedule', 'de', 'application/pdf'],
        [version2.id, 'schedule', 'de', 'application/pdf'],
      ]),
    );
    expect(documents).toHaveLength(2);
    const pdfOf = async (versionId: string) => {
      const document = documents.find((d) => d.versionId === versionId)!;
      const bytes = await readAll(store, document.storageKey);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(bytes.length).toBe(document.sizeBytes);
      return bytes;
    };

    const first = await pdfText(await pdfOf(version1.id));
    expect(first).toContain(`Versicherungsschein ${subscription.policyNumber}`);
    expect(first).toContain('Fassung 1, gültig ab 15.01.2026');
    expect(first).toContain('Versicherungsnehmer: Jürgen Groß');
    expect(first).toContain('Versicherungszeitraum: 15.01.2026 bis 15.01.2027');
    expect(first).toContain('Versichertes Objekt: Hauptstraße 5, 10115 Berlin, DE');
    expect(first).toContain('Tarif: Hausrat Basis');
    expect(first).toContain('Versicherungssumme: 100.000,00 €');
    expect(first).toContain('Selbstbehalt: keiner');
    expect(first).toContain('Beitrag für den Zeitraum: 1.200,00 €, zahlbar in vierteljährlichen Raten');
    for (const due of ['15.01.2026', '15.04.2026', '15.07.2026', '15.10.2026'])
      expect(first).toContain(`${due} 300,00 € Beitrag des Zeitraums`);
    expect(first).not.toContain('Änderung');
    expect(first).toContain('Ausgestellt von Rheinland Versicherung');

    const second = await pdfText(await pdfOf(version2.id));
    expect(second).toContain('Fassung 2, gültig ab 15.07.2026');
    expect(second).toContain('Tarif: Hausrat Plus');
    expect(second).toContain('Versicherungssumme: 150.000,00 €');
    expect(second).toContain('Beitrag für den Zeitraum: 1.500,00 €');
    // The term was billed at the old premium; the change adds its share of the rest of the term.
    expect(second).toContain('15.04.2026 300,00 € Beitrag des Zeitraums');
    expect(second).toContain('15.07.2026 74,39 € Änderung gültig ab 15.07.2026');
    expect(second).toContain('15.10.2026 74,38 € Änderung gültig ab 15.07.2026');
    expect(second).toContain('Geändert: Tarif, Versicherungssumme, Beitrag');
    expect(second).toContain('Beitrag vor der Änderung: 1.200,00 €');
    expect(second).toContain('Beitrag nach der Änderung: 1.500,00 €');
    expect(second).toContain('Mehrbeitrag für den Rest des Zeitraums: 148,77 €');

    const { png, inkShare } = await drawnPage(await pdfOf(version2.id));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Text on an A4 page covers a few per cent of it; a blank page has none.
    expect(inkShare).toBeGreaterThan(0.005);
  });

  /** The text of the schedule of a new policy of a holder named `fullName`, read with pdftotext, and its bytes. */
  async function scheduleOf(fullName: string, locale: 'de' | 'en', propertyAddress?: PropertyAddress) {
    const holder = await buildUser({ tenantId, role: 'policyholder', fullName, locale });
    const subscription = await issuedPolicy(holder, propertyAddress);
    const [document] = await ensureScheduleDocuments(db.sequelize, store, subscription.id);
    const pdf = await readAll(store, document.storageKey);
    return { subscription, document, pdf, text: await pdfText(pdf) };
  }

  it('in English for a holder who reads English, with the name as written', async () => {
    const { subscription, document, text } = await scheduleOf('Zoë Őrs-Łąk', 'en');
    expect(document.language).toBe('en');
    expect(text).toContain(`Policy schedule ${subscription.policyNumber}`);
    expect(text).toContain('Version 1, effective from 01/15/2026');
    expect(text).toContain('Policyholder: Zoë Őrs-Łąk');
    expect(text).toContain('Sum insured: €100,000.00');
    expect(text).toContain('Deductible: none');
    expect(text).toContain('Premium for the period: €1,200.00, payable in quarterly instalments');
    expect(text).toContain('10/15/2026 €300.00 premium of the period');
  });

  it('a holder named in Polish, Czech, Greek or Cyrillic letters: the schedule says the exact name, drawn on the page', async () => {
    // Helvetica, the font before DejaVu Sans, wrote these as "?ukasz Dvorák", "????? ????????????" and "??????? ??????????".
    const names = ['Łukasz Dvořák-Żółć', 'Ελένη Παπαδοπούλου', 'Дмитрий Шостакович'];
    for (const name of names) {
      const { text, pdf } = await scheduleOf(name, 'de');
      expect(text).toContain(`Versicherungsnehmer: ${name}`);
      expect((await drawnPage(pdf)).inkShare).toBeGreaterThan(0.005);
    }
    // A name typed as letters and combining accents (decomposed) is written as the letters themselves.
    const { text } = await scheduleOf('Dvořák'.normalize('NFD'), 'de');
    expect(text).toContain('Versicherungsnehmer: Dvořák');
  });

  it('every printable ASCII and Latin-1 character reads back as written, also after a schedule whose letters are drawn from others', async () => {
    // DejaVu Sans draws ž as z and a caron, ü as u and ¨, ç as c and ¸: such a schedule once left z, ¨ and ¸ without text in every later one.
    // In English, whose words have no z: ž comes before any z of the process (as it may in a worker's first schedule).
    const first = await scheduleOf('Žaneta Žižková-Müller, Çelik', 'en');
    expect(first.text).toContain('Policyholder: Žaneta Žižková-Müller, Çelik');
    // Every character from `from` to `to` but the soft hyphen (drawn only where a line breaks), in words of 16 that a line holds.
    const charactersFrom = (from: number, to: number) =>
      String.fromCharCode(...Array.from({ length: to - from + 1 }, (_, offset) => from + offset))
        .replace('\u00ad', '')
        .replace(/.{16}(?=.)/g, '$& ');
    const name = `${charactersFrom(0x21, 0x7e)} Jürgen Groß`;
    const written = {
      line1: '12 Pizza Plaza quiz',
      line2: charactersFrom(0xa1, 0xff), // From ¡: the no-break space reads as a space.
      postalCode: '75011',
      city: 'Zaragoza',
      country: 'ES',
    };
    for (const locale of ['en', 'de'] as const) {
      const { text } = await scheduleOf(name, locale, written);
      // The fields wrap (pdfkit may break a line between ¤ and ¥ as well as at a space): compared without white space.
      const solid = (read: string) => read.replace(/\s+/g, '');
      expect(solid(text)).toContain(solid(`${locale === 'en' ? 'Policyholder' : 'Versicherungsnehmer'}: ${name}`));
      const property = locale === 'en' ? 'Insured property' : 'Versichertes Objekt';
      expect(solid(text)).toContain(solid(`${property}: ${written.line1}, ${written.line2}, 75011 Zaragoza, ES`));
      expect(text).toContain(`${property}: 12 Pizza Plaza quiz, `);
      if (locale === 'de') expect(text).toContain('zahlbar in vierteljährlichen Raten');
    }
  });

  it('a holder named and living in Chinese, Japanese or Korean: the schedule says the name and address as written, in embedded fonts', async () => {
    // DejaVu Sans has none of these: they were written as ??? before the Noto Sans faces came.
    const holders = [
      { name: '王小明', address: { line1: '朝阳区建国路88号', postalCode: '100022', city: '北京市', country: 'CN' } },
      // 陈 is simplified Chinese only: a face for Japanese lacks it.
      { name: '陈伟', address: { line1: '浦东新区世纪大道100号', postalCode: '200120', city: '上海市', country: 'CN' } },
      { name: '山田 太郎', address: { line1: '神南1-2-3 ハイツ渋谷', postalCode: '150-0041', city: '東京都渋谷区', country: 'JP' } },
      { name: '김민수', address: { line1: '테헤란로 152', postalCode: '06236', city: '서울특별시 강남구', country: 'KR' } },
    ];
    for (const { name, address: written } of holders) {
      const { pdf, text, subscription } = await scheduleOf(name, 'en', written);
      expect(text).toContain(`Policyholder: ${name}`);
      expect(text).toContain(`Insured property: ${written.line1}, ${written.postalCode} ${written.city}, ${written.country}`);
      expect(text).toContain(`Policy schedule ${subscription.policyNumber}`);
      expect(text).toContain('10/15/2026 €300.00 premium of the period');
      const fonts = await pdfFonts(pdf);
      expect(fonts.length).toBeGreaterThan(2);
      expect(fonts.filter((font) => !font.embedded)).toEqual([]);
      expect((await drawnPage(pdf)).inkShare).toBeGreaterThan(0.005);
    }
  });

  it('a holder named and living in Arabic or Hebrew: pdftotext reads the words in the order they were written', async () => {
    // pdfkit set each word right to left but the words of a line left to right: pdftotext read "الله عبد محمد".
    // pdftotext reads a correctly set line (a browser's PDF) in logical order, marking embedded runs with
    // directional formatting characters, which are left out here.
    const holders = [
      {
        name: 'محمد عبد الله',
        words: ['شارع الملك فهد', 'الرياض'],
        address: { line1: 'شارع الملك فهد', postalCode: '12271', city: 'الرياض', country: 'SA' },
      },
      {
        name: 'דוד כהן',
        words: ['רחוב הרצל', 'תל אביב'],
        address: { line1: 'רחוב הרצל 5', postalCode: '6100000', city: 'תל אביב', country: 'IL' },
      },
    ];
    for (const { name, words, address: written } of holders) {
      const { pdf, text } = await scheduleOf(name, 'en', written);
      const logical = text.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
      expect(logical).toContain(name);
      for (const phrase of words) expect(logical).toContain(phrase);
      expect(logical).toContain('Policyholder:');
      expect((await pdfFonts(pdf)).filter((font) => !font.embedded)).toEqual([]);
    }
  });

  /** The words of the PDF whose box reaches past the page's margins of 56 points (pdftotext reads no word drawn off the page). */
  async function wordsOutsideMargins(pdf: Buffer) {
    const { pages, words } = await pdfWords(pdf);
    // A glyph's box may reach a point past its line.
    return words.filter(({ page, xMin, yMin, xMax, yMax }) => {
      const { width, height } = pages[page - 1];
      return xMin < 55 || yMin < 55 || xMax > width - 55 || yMax > height - 55;
    });
  }

  /**
   * The schedule of a holder living at an address with `line1` and `line2`, read with pdftotext: `part` in it `times`
   * (without white space: the lines wrap), the address's end before the plan, every field and instalment after it in
   * order, no word outside the margins.
   */
  async function expectWholeSchedule(locale: 'en' | 'de', { line1, line2 }: { line1: string; line2: string }, part: string, times: number) {
    const { pdf, text } = await scheduleOf('Amira Haddad', locale, {
      line1,
      line2,
      postalCode: '10115',
      city: 'Berlin',
      region: 'Mitte',
      country: 'DE',
    });
    const logical = text.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
    const solid = (read: string) => read.replace(/\s+/g, '');
    // Named by its line2's length.
    expect({ line2: line2.length, read: solid(logical).split(solid(part)).length - 1 }).toEqual({ line2: line2.length, read: times });
    const { fields, day, premium, issued } = {
      en: {
        fields: ['Plan: Hausrat Basis', 'Sum insured: €100,000.00', 'Deductible: none'],
        day: (month: string) => `${month}/15/2026`,
        premium: '€300.00 premium of the period',
        issued: 'Issued by Rheinland Versicherung',
      },
      de: {
        fields: ['Tarif: Hausrat Basis', 'Versicherungssumme: 100.000,00 €', 'Selbstbehalt: keiner'],
        day: (month: string) => `15.${month}.2026`,
        premium: '300,00 € Beitrag des Zeitraums',
        issued: 'Ausgestellt von Rheinland Versicherung',
      },
    }[locale];
    const lines = [...fields, ...['01', '04', '07', '10'].map((month) => `${day(month)} ${premium}`), issued];
    const at = lines.map((line) => logical.indexOf(line));
    expect(lines.filter((_, n) => at[n] < 0)).toEqual([]);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    // The address's end, before the plan. pdftotext reads a line of Arabic and Latin in an order of its own: the bidirectional
    // algorithm sets ", 10115" after Arabic to the Arabic's left, and pdftotext reads the Latin words before, among or after
    // it, at times with no space.
    const before = logical.slice(0, at[0]).match(/[A-Za-z0-9]+/g);
    expect(['10115', 'Berlin', 'Mitte', 'DE'].filter((word) => !before?.includes(word))).toEqual([]);
    expect(await wordsOutsideMargins(pdf)).toEqual([]);
  }

  // Text laid out by the schedule itself (another face, right to left) was drawn on below the page's bottom margin and off it,
  // and a word wider than the line off its right edge: pdftotext read no postal code, city, country nor "Plan:" after a long
  // Arabic line2, and 38 of 200 Ｗ. ﷺ (U+FDFA) has no glyph: it is written as its compatible form, four Arabic words.
  const blessing = (times: number) => '\ufdfa'.repeat(times);

  it("an address whose end, or a line after it, is the first page's last: each field and instalment on a page, in order", async () => {
    // Four ﷺ make a line: from 168 to 200 the address's last line, then each line after it, is in turn the first page's last.
    for (let times = 168; times <= 200; times += 4)
      await expectWholeSchedule('en', { line1: '1 Main Street', line2: blessing(times) }, 'عليه', times);
  });

  it('the longest addresses: right to left, a word of 200 full-width letters, 400 characters of words, every letter on a page', async () => {
    await expectWholeSchedule('de', { line1: '1 Main Street', line2: blessing(200) }, 'عليه', 200);
    await expectWholeSchedule('en', { line1: blessing(200), line2: blessing(200) }, 'عليه', 400);
    await expectWholeSchedule('en', { line1: '1 Main Street', line2: 'Ｗ'.repeat(200) }, 'Ｗ', 200);
    const ordinary = 'Hinterhaus links, dritter Aufgang, vierte Etage, Wohnung gegenüber dem Aufzug, Klingel beim Hausmeister, '.repeat(2);
    await expectWholeSchedule('de', { line1: ordinary.slice(0, 200), line2: ordinary.slice(0, 200) }, ordinary.slice(0, 200), 2);
  });

  it('keeps each heading with its first line: for every address length that brings a heading to a page foot, the heading moves on', async () => {
    // A schedule with all three headings: the instalments', a quoted premium's breakdown and a change's.
    const instalments = Array.from({ length: 12 }, (_, month) => ({
      dueDate: `2026-${String(month + 1).padStart(2, '0')}-15`,
      amountMinor: 12500,
    }));
    const factsWith = (line2: string): ScheduleFacts => ({
      locale: 'en',
      insurer: 'Rheinland Versicherung',
      holderName: 'Amira Haddad',
      policyNumber: 'HR-2026-000001',
      planName: 'Hausrat Plus',
      currency: 'EUR',
      coverageAmount: '150000.00',
      premium: '1500.00',
      billingFrequency: 'monthly',
      period: { start: '2026-01-15', end: '2027-01-15' },
      propertyAddress: { line1: '1 Main Street', line2, postalCode: '10115', city: 'Berlin', country: 'DE' },
      version: { number: 2, effectiveFrom: '2026-07-15', createdOn: '2026-07-01' },
      instalments: [...instalments, { dueDate: '2026-07-15', amountMinor: 7439, changeFrom: '2026-07-15' }],
      deductible: '250.00',
      breakdown: [
        { step: 'base', label: '300,000.00 at 1.20 per 1,000', amount: '1200.00' },
        { step: 'zone', label: 'Zone BER', factor: '1.25', amount: '300.00' },
      ],
      change: { fields: ['planId', 'premium'], premiumBefore: '1200.00', premiumAfter: '1500.00', deltaMinor: 7439 },
    });
    const headings = ['Instalments of the period', 'How the premium was priced', 'This version changes the policy'];
    const toppedPages = new Set<string>();
    // Four ﷺ make a line: from none to 228 the text below the address moves down a line at a time, over more than a
    // page, so each heading is in turn at the first page's or the second's foot.
    for (let times = 0; times <= 228; times += 4) {
      const { words } = await pdfWords(await renderSchedule(factsWith(blessing(times))));
      for (const heading of headings) {
        const parts = heading.split(' ');
        const at = words.findIndex((_, n) => parts.every((part, k) => words[n + k]?.text === part && words[n + k].page === words[n].page));
        expect({ times, heading, found: at >= 0 }).toEqual({ times, heading, found: true });
        const [first, next] = [words[at], words[at + parts.length]];
        // What follows the heading is on its page: a heading is never a page's last line.
        expect({ times, heading, nextOnPage: next.page === first.page }).toEqual({ times, heading, nextOnPage: true });
        if (words[at - 1].page !== first.page) toppedPages.add(heading);
      }
    }
    // The sweep did bring each heading to a page's foot: each began a page once.
    expect([...toppedPages].sort()).toEqual([...headings].sort());
    // 58 schedules written and read: about a minute on a loaded machine.
  }, 300_000);

  it('a rating option or fee with a label of 200 characters: the label wrapped on lines of its own, its amount below it, on the page', async () => {
    // Written on one line before its amount, such a label ran off the page's right edge, and its amount with it.
    const labels = ['Glasbruch an Fenstern, Türen und Wintergärten '.repeat(5).slice(0, 200).trim(), 'Ｇ'.repeat(200)];
    const holder = await buildUser({ tenantId, role: 'policyholder', locale: 'de' });
    const pending = await buildSubscription({ planId: basic.id, policyholderId: holder.id, status: 'pending', propertyAddress: address });
    const quote = await buildQuote(basic, { requestedById: holder.id, status: 'bound', subscriptionId: pending.id, premiumMinor: 45144 });
    const options = labels.map((label, n) => ({ step: 'option' as const, label, amount: `${n + 1}2.00` }));
    await quote.update({ breakdown: [...quote.breakdown, ...options] });
    await pending.update({ quoteId: quote.id, premium: '451.44', coverageAmount: RISK.sumInsured });
    await pending.update({ status: 'active', startDate: '2026-01-15', endDate: '2027-01-15' });

    const [document] = await ensureScheduleDocuments(db.sequelize, store, pending.id);
    const pdf = await readAll(store, document.storageKey);
    const solid = (await pdfText(pdf)).replace(/\s+/g, '');
    expect(solid).toContain(`${labels[0]}:12,00€`.replace(/\s+/g, ''));
    expect(solid).toContain(`${labels[1]}:22,00€`);
    expect(solid).toContain('Ausgestelltvon');
    expect(await wordsOutsideMargins(pdf)).toEqual([]);
  });

  it('a name with characters no face has still gets a whole schedule: those as ? or their plain form, the rest as written', async () => {
    // Thai is in none of the faces; mathematical bold letters have their plain ones; a line break has nothing to draw.
    const { subscription, pdf, text } = await scheduleOf('สมชาย 𝐌𝐚𝐫𝐢𝐨\nΝίκος Łoś', 'en');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toContain('%%EOF');
    expect(text).toContain('Policyholder: ????? Mario?Νίκος Łoś');
    expect(text).toContain(`Policy schedule ${subscription.policyNumber}`);
    expect(text).toContain('10/15/2026 €300.00 premium of the period');
    expect((await drawnPage(pdf)).inkShare).toBeGreaterThan(0.005);
  });

  it("a policy bound from a quote: its risk's deductible and the quote's breakdown, step by step, until a change moves its premium", async () => {
    const holder = await buildUser({ tenantId, role: 'policyholder', locale: 'en' });
    const pending = await buildSubscription({ planId: basic.id, policyholderId: holder.id, status: 'pending', propertyAddress: address });
    // With a deductible's credit: a line that takes money off, which the schedule writes as negative.
    const credit = { step: 'deductible', label: 'Deductible 500.00 (credit 0.05)', factor: '0.95', amount: '-23.76' } as const;
    const quote = await buildQuote(basic, { requestedById: holder.id, status: 'bound', subscriptionId: pending.id, premiumMinor: 45144 });
    await quote.update({ breakdown: [...quote.breakdown, credit] });
    await pending.update({ quoteId: quote.id, premium: '451.44', coverageAmount: RISK.sumInsured });
    await pending.update({ status: 'active', startDate: '2026-01-15', endDate: '2027-01-15' });
    await changedToBetterPlan(pending, holder);

    const [first, second] = await ensureScheduleDocuments(db.sequelize, store, pending.id);
    const issued = await pdfText(await readAll(store, first.storageKey));
    expect(issued).toContain('Sum insured: €300,000.00');
    expect(issued).toContain('Deductible: €250.00');
    expect(issued).toContain('Premium for the period: €451.44');
    expect(issued).toContain('How the premium was priced');
    expect(issued).toContain('300,000.00 at 1.20 per 1,000: €360.00');
    expect(issued).toContain('Detached house (factor 1.10): €36.00');
    expect(issued).toContain('Zone BER (factor 1.20): €79.20');
    expect(issued).toContain('Deductible 500.00 (credit 0.05) (factor 0.95): -€23.76');
    // Version 2 is priced otherwise (another plan): the quote's breakdown no longer explains it.
    const changed = await pdfText(await readAll(store, second.storageKey));
    expect(changed).toContain('Deductible: €250.00');
    expect(changed).not.toContain('How the premium was priced');
  });

  it('a renewal re-rated at another premium: its version schedules the renewed period, billed at the new premium', async () => {
    const holder = await buildUser({ tenantId, role: 'policyholder', locale: 'en' });
    const subscription = await issuedPolicy(holder);
    await subscription.update({ endDate: '2028-01-15', renewalCount: 1, premium: '1320.00' });
    await db.sequelize.transaction((transaction) =>
      recordRenewalVersion(subscription, { premium: '1320.00', premiumBefore: '1200.00', firstDay: '2027-01-15' }, transaction),
    );

    const [, renewal] = await ensureScheduleDocuments(db.sequelize, store, subscription.id);
    const text = await pdfText(await readAll(store, renewal.storageKey));
    expect(text).toContain('Version 2, effective from 01/15/2027');
    expect(text).toContain('Period of insurance: 01/15/2027 to 01/15/2028');
    expect(text).toContain('Premium for the period: €1,320.00');
    for (const due of ['01/15/2027', '04/15/2027', '07/15/2027', '10/15/2027'])
      expect(text).toContain(`${due} €330.00 premium of the period`);
    expect(text).not.toContain('This version changes the policy');
  });

  it('stores each schedule once however many callers ask at the same time: one row per version, no stray bytes', async () => {
    const holder = await buildUser({ tenantId, role: 'policyholder', locale: 'de' });
    const subscription = await issuedPolicy(holder);
    await changedToBetterPlan(subscription, holder);

    const answers = await Promise.all(Array.from({ length: 4 }, () => ensureScheduleDocuments(db.sequelize, store, subscription.id)));
    const rows = await PolicyDocument.findAll({ where: { subscriptionId: subscription.id } });
    expect(rows).toHaveLength(2);
    for (const answer of answers) expect(answer.map((d) => d.id).sort()).toEqual(rows.map((d) => d.id).sort());
    // The losers' bytes were removed: the store holds exactly the rows' objects.
    const keys = (await fs.readdir(path.join(dir, tenantId))).filter((name) => !name.endsWith('.partial'));
    const stored = rows.map((row) => row.storageKey.split('/')[1]);
    expect(keys).toEqual(expect.arrayContaining(stored));
    const others = await PolicyDocument.findAll({ where: { tenantId } });
    expect(keys.sort()).toEqual(others.map((row) => row.storageKey.split('/')[1]).sort());

    const again = await ensureScheduleDocuments(db.sequelize, store, subscription.id);
    expect(again.map((d) => d.id).sort()).toEqual(rows.map((d) => d.id).sort());
  });
});
