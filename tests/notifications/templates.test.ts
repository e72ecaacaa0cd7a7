/** Rendering notifications from their templates (docs/notifications.md): languages, formats, escaping, overrides. */
import { de } from '../../src/services/notifications/messages/de';
import { en } from '../../src/services/notifications/messages/en';
import { overrideProblems, renderNotification, type RenderContext } from '../../src/services/notifications/render';
import { TEMPLATES } from '../../src/services/notifications/templates';
import { NOTIFICATION_TYPES } from '../../src/shared/notification-settings';

const context = (overrides: Partial<RenderContext> = {}): RenderContext => ({
  locale: 'en',
  timeZone: 'Europe/Berlin',
  branding: {},
  overrides: {},
  ...overrides,
});
const HOSTILE = '<img src=x onerror=alert(1)>';
const expiresAt = new Date('2030-03-14T15:30:00Z');
const reset = { fullName: 'Jo Doe', minutes: 30, expiresAt };
const link = { token: 'a'.repeat(43), url: 'https://api.example/app/reset-password?token=' + 'a'.repeat(43) };

describe('the catalogs', () => {
  it('has every English message in German, so no mail falls back to English unnoticed', () => {
    const missing = NOTIFICATION_TYPES.flatMap((type) =>
      Object.keys(en[type])
        .filter((part) => !(de[type] as Record<string, string> | undefined)?.[part])
        .map((part) => `${type}.${part}`),
    );
    expect(missing).toEqual([]);
  });

  it('has an action sentence and a button exactly for the templates with an action', () => {
    for (const type of NOTIFICATION_TYPES) {
      const hasAction = 'action' in TEMPLATES[type];
      expect([type, Boolean(en[type].action), Boolean(en[type].button)]).toEqual([type, hasAction, hasAction]);
    }
  });
});

describe('renderNotification', () => {
  it('escapes a hostile value in the HTML and keeps it as written in the text', async () => {
    const mail = await renderNotification('passwordReset', { ...reset, fullName: HOSTILE }, context(), link);
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(mail.text).toContain(`Hello ${HOSTILE},`);
  });

  it('escapes a hostile brand name and takes only an https logo', async () => {
    const branded = await renderNotification('failedSignIns', { minutes: 15 }, context({ branding: { name: HOSTILE, colour: '#aa0000' } }));
    expect(branded.html).not.toContain('<img src=x');
    expect(branded.html).toContain('#aa0000');
    const logo = await renderNotification('failedSignIns', { minutes: 15 }, context({ branding: { logoUrl: 'javascript:alert(1)' } }));
    expect(logo.html).not.toContain('javascript:');
  });

  it('puts the token and the link on lines of their own in the text, and the link as the button in the HTML', async () => {
    const mail = await renderNotification('passwordReset', reset, context(), link);
    const lines = mail.text.split('\n');
    expect(lines).toContain(link.token);
    expect(lines).toContain(link.url);
    expect(mail.html).toContain(`href="${link.url}"`);
    expect(mail.html).toContain('Choose a new password');
  });

  it('formats plurals and dates for English and German, in the tenant time zone', async () => {
    const english = await renderNotification('passwordReset', reset, context(), link);
    expect(english.text).toContain('for 30 minutes, until March 14, 2030 at 04:30 PM GMT+1:');
    const german = await renderNotification('passwordReset', reset, context({ locale: 'de' }), link);
    expect(german.subject).toBe('Setzen Sie Ihr Insurflow-Passwort zurück');
    expect(german.text).toContain('30 Minuten lang, bis 14. März 2030 um 16:30 MEZ:');
    const oneHour = await renderNotification('confirmStaffAddress', { hours: 1, expiresAt }, context({ locale: 'de' }), link);
    expect(oneHour.text).toContain('eine Stunde lang');
    const oneMinute = await renderNotification('failedSignIns', { minutes: 1 }, context());
    expect(oneMinute.text).toContain('every 1 minute.');
  });

  it('keeps each tenant time zone when renders for different zones follow one another (formatters are shared)', async () => {
    const until = async (timeZone: string) => (await renderNotification('passwordReset', reset, context({ timeZone }), link)).text;
    expect(await until('Europe/Berlin')).toContain('until March 14, 2030 at 04:30 PM GMT+1:');
    expect(await until('America/New_York')).toContain('until March 14, 2030 at 11:30 AM EDT:');
    expect(await until('Europe/Berlin')).toContain('until March 14, 2030 at 04:30 PM GMT+1:');
  });

  it('tells the claimant what the documents deadline does, true whether or not a payment on the claim is under way', async () => {
    // The reminder goes out days before the deadline: whether money is held then is not known yet (docs/claims.md, Deadlines).
    const reminder = (days: number, working: 'yes' | 'no', locale: 'en' | 'de') =>
      renderNotification('claimDocumentsReminder', { claimNumber: 'CLM-2030-000007', days, working }, context({ locale }));
    expect((await reminder(30, 'no', 'en')).text).toContain(
      'We are still waiting for the documents of claim CLM-2030-000007. If they have not arrived 30 days after we asked for them, the claim is denied, unless a payment on it is already under way or made: then it stays open and our claims team decides it.',
    );
    expect((await reminder(10, 'yes', 'en')).text).toContain('If they have not arrived 10 working days after we asked for them,');
    expect((await reminder(30, 'no', 'de')).text).toContain(
      'Wir warten noch auf die Unterlagen zu Schaden CLM-2030-000007. Gehen sie nicht innerhalb von 30 Tagen nach unserer Anforderung ein, wird der Schaden abgelehnt, es sei denn, eine Zahlung darauf ist bereits veranlasst oder geleistet: Dann bleibt er offen, und unser Schadenteam entscheidet über ihn.',
    );
    expect((await reminder(1, 'yes', 'de')).text).toContain('Gehen sie nicht innerhalb von einem Arbeitstag nach unserer Anforderung ein,');
  });

  it('writes an invoice amount with as many decimals as its currency has, in each language', async () => {
    const reminder = (amount: number, decimals: string, currency: string) => ({
      planName: 'Home Basic',
      subscriptionId: 'sub-1',
      policyNumber: 'POL-2030-000042',
      invoiceNumber: 'INV-2030-000042',
      amount,
      decimals,
      currency,
      dueDate: '2030-05-14',
    });
    const yen = await renderNotification('subscriptionPremiumReminder', reminder(12000, '0', 'JPY'), context());
    expect(yen.text).toContain('(12000 JPY)');
    const dinar = await renderNotification('subscriptionPremiumReminder', reminder(1.234, '3', 'KWD'), context({ locale: 'de' }));
    expect(dinar.text).toContain('(1,234 KWD)');
    const euro = await renderNotification('subscriptionPremiumReminder', reminder(49.5, '2', 'EUR'), context({ locale: 'de' }));
    expect(euro.text).toContain('(49,50 EUR)');
  });

  it('tells of a policy change in each language: its version, date, cover, premium effect and schedule link', async () => {
    // The values the run's mail carries (src/workflows/subscription/messages.ts, `changed`).
    const change = (amount: number, premiumEffect: string, scheduleUrl: string | null) => ({
      planName: 'Home Plus',
      subscriptionId: 'sub-1',
      policyNumber: 'POL-2030-000042',
      version: 2,
      effectiveDate: '2030-09-14',
      coverageAmount: 90000,
      premium: 240,
      amount,
      decimals: '2',
      currency: 'EUR',
      premiumEffect,
      scheduleUrl: scheduleUrl ?? '',
      scheduleGiven: scheduleUrl ? 'yes' : 'no',
    });
    const billed = await renderNotification(
      'subscriptionChanged',
      change(60.5, 'billed', 'https://api.example/api/v1/subscriptions/sub-1/documents/d-1'),
      context(),
    );
    expect(billed.subject).toBe('Your Home Plus subscription has changed');
    expect(billed.text).toContain(
      'Your subscription POL-2030-000042 to Home Plus is changed from September 14, 2030 on (version 2): it covers 90000.00 EUR for a premium of 240.00 EUR a term.',
    );
    expect(billed.text).toContain('For the rest of the term 60.50 EUR more is billed');
    expect(billed.text).toContain(
      'Your policy schedule for this version: GET https://api.example/api/v1/subscriptions/sub-1/documents/d-1',
    );
    const returned = await renderNotification('subscriptionChanged', change(50.3, 'returned', null), context({ locale: 'de' }));
    expect(returned.subject).toBe('Ihr Vertrag zum Tarif Home Plus wurde geändert');
    expect(returned.text).toContain('erhalten Sie 50,30 EUR zurück');
    expect(returned.text).not.toContain('Versicherungsschein');
    const none = await renderNotification('subscriptionChanged', change(0, 'none', null), context());
    expect(none.text).toContain('Your premium stays as it was.');
  });

  it('falls back to English for a message a language lacks', async () => {
    const withoutGermanSubject = { ...de.failedSignIns! };
    delete withoutGermanSubject.subject;
    const saved = de.failedSignIns;
    de.failedSignIns = withoutGermanSubject;
    try {
      const mail = await renderNotification('failedSignIns', { minutes: 15 }, context({ locale: 'de' }));
      expect(mail.subject).toBe(en.failedSignIns.subject);
      expect(mail.text).toContain('falsche Passwörter');
    } finally {
      de.failedSignIns = saved;
    }
  });

  it('uses a tenant override of subject and intro, escaped like the rest', async () => {
    const overrides = { passwordReset: { en: { subject: 'Acme: new password for {fullName}', intro: 'Dear {fullName}, <b>hi</b>' } } };
    const mail = await renderNotification('passwordReset', { ...reset, fullName: HOSTILE }, context({ overrides }), link);
    expect(mail.subject).toBe(`Acme: new password for ${HOSTILE}`);
    expect(mail.html).not.toContain('<b>hi</b>');
    expect(mail.html).not.toContain('<img src=x');
    const german = await renderNotification('passwordReset', reset, context({ overrides, locale: 'de' }), link);
    expect(german.subject).toBe('Setzen Sie Ihr Insurflow-Passwort zurück');
  });
});

describe('overrideProblems', () => {
  it('accepts a message with the template variables', async () => {
    expect(
      await overrideProblems({
        passwordReset: { de: { subject: 'Neues Passwort für {fullName}, {minutes, plural, one {# Minute} other {# Minuten}}' } },
      }),
    ).toEqual([]);
  });

  it.each([
    [
      'an unknown variable',
      { passwordReset: { en: { subject: 'Hi {token}' } } },
      'notificationOverrides.passwordReset.en.subject',
      /does not have/,
    ],
    [
      'an unbalanced brace',
      { passwordReset: { en: { intro: 'Hi {fullName' } } },
      'notificationOverrides.passwordReset.en.intro',
      /not a valid ICU message/,
    ],
    [
      'a tag',
      { passwordReset: { en: { intro: '<a href="https://evil.example">{fullName}</a>' } } },
      'notificationOverrides.passwordReset.en.intro',
      /HTML/,
    ],
    ['markup as text', { passwordReset: { en: { intro: 'Hi <script' } } }, 'notificationOverrides.passwordReset.en.intro', /HTML/],
    [
      'an unknown variable inside a plural',
      { passwordReset: { en: { intro: '{minutes, plural, other {{url}}}' } } },
      'notificationOverrides.passwordReset.en.intro',
      /does not have/,
    ],
    [
      'an over-long subject',
      { passwordReset: { en: { subject: 'x'.repeat(201) } } },
      'notificationOverrides.passwordReset.en.subject',
      /at most 200/,
    ],
    [
      'a line break in a subject',
      { passwordReset: { en: { subject: 'a\nBcc: x@evil.example' } } },
      'notificationOverrides.passwordReset.en.subject',
      /control/,
    ],
    [
      'a part that is not overridable',
      { passwordReset: { en: { body: 'x' } } },
      'notificationOverrides.passwordReset.en.body',
      /not a part/,
    ],
    ['an unknown language', { passwordReset: { fr: { subject: 'x' } } }, 'notificationOverrides.passwordReset.fr', /not a language/],
    ['an unknown type', { nope: {} }, 'notificationOverrides.nope', /not a notification type/],
  ])('refuses %s, naming the field', async (_what, overrides, field, message) => {
    const problems = await overrideProblems(overrides);
    expect(problems).toEqual([{ field, message: expect.stringMatching(message) }]);
  });
});
