/**
 * Business calendars through the real API and PostgreSQL (docs/calendars.md): a tenant admin
 * creates, changes and deletes calendars, adds and removes holidays and imports them from an
 * iCalendar file; each write is audited; invalid zones, overlapping hours, impossible dates and an
 * oversized or malformed file are refused and change nothing; another role is 403 and another
 * tenant's calendar is 404.
 */
import { AuditEvent, BusinessCalendar, Tenant, User } from '../../src/models';
import { CALENDAR_LIMITS } from '../../src/shared/business-calendar';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { sentWhileHeld } from '../support/database';

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//holidays//EN',
  'BEGIN:VEVENT',
  'UID:xmas-eve',
  'DTSTART;VALUE=DATE:20271224',
  'DTEND;VALUE=DATE:20271225',
  'SUMMARY:Heiligabend',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:christmas',
  'DTSTART;VALUE=DATE:20271225',
  'DTEND;VALUE=DATE:20271227',
  'SUMMARY:Weihnachten',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:meeting',
  'DTSTART:20271223T100000Z',
  'DTEND:20271223T110000Z',
  'SUMMARY:Team meeting',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('business calendars: /tenant/calendars', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;
  let agent: User;
  let otherAdmin: User;

  beforeAll(async () => {
    tenant = await buildTenant({ name: 'Calendar Mutual' });
    const other = await buildTenant({ name: 'Other Calendar Mutual' });
    admin = await buildUser({ role: 'tenant_admin', tenantId: tenant.id });
    agent = await buildUser({ role: 'claims_agent', tenantId: tenant.id });
    otherAdmin = await buildUser({ role: 'tenant_admin', tenantId: other.id });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const berlin = {
    name: 'Germany',
    zone: 'Europe/Berlin',
    workingDays: [1, 2, 3, 4, 5],
    workingHours: [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ],
    holidays: [{ date: '2027-10-03', name: 'Tag der Deutschen Einheit' }],
    isDefault: true,
  };
  const create = (body: object, user = admin) => stack.api.post('/api/v1/tenant/calendars').set(as(user)).send(body);

  it('creates a default calendar, audited, and lists it; marking another default unmarks the first', async () => {
    const res = await create(berlin).expect(201);
    expect(res.body).toMatchObject({ name: 'Germany', zone: 'Europe/Berlin', isDefault: true, holidays: berlin.holidays });
    expect(res.body).not.toHaveProperty('tenantId');
    const event = await AuditEvent.findOne({ where: { action: 'calendar.create', entityId: res.body.id } });
    expect(event).toMatchObject({ tenantId: tenant.id, actorId: admin.id });

    const second = await create({ ...berlin, name: 'New York', zone: 'America/New_York', holidays: [] }).expect(201);
    expect((await BusinessCalendar.findByPk(res.body.id))!.isDefault).toBe(false);
    expect((await BusinessCalendar.findByPk(second.body.id))!.isDefault).toBe(true);

    const list = await stack.api.get('/api/v1/tenant/calendars').set(as(admin)).expect(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['Germany', 'New York']);
  });

  it.each([
    ['an unknown time zone', { zone: 'Mars/Olympus' }, 400],
    ['an offset instead of a zone', { zone: '+02:00' }, 400],
    [
      'overlapping hours',
      {
        workingHours: [
          { start: '09:00', end: '13:00' },
          { start: '12:00', end: '17:00' },
        ],
      },
      422,
    ],
    ['hours that end before they start', { workingHours: [{ start: '17:00', end: '09:00' }] }, 422],
    ['a time of day that does not exist', { workingHours: [{ start: '09:00', end: '25:00' }] }, 400],
    ['a date that does not exist', { holidays: [{ date: '2027-02-30', name: 'Never' }] }, 422],
    [
      'a date listed twice',
      {
        holidays: [
          { date: '2027-12-24', name: 'A' },
          { date: '2027-12-24', name: 'B' },
        ],
      },
      422,
    ],
    ['weekday 8', { workingDays: [1, 8] }, 400],
    // A name is printed in the deadlines' mails and lists: one line of printable text.
    ['a holiday named on two lines', { holidays: [{ date: '2027-12-24', name: 'Heilig\nabend' }] }, 400],
    ['a name with a control character', { name: 'Berlin\u0007' }, 400],
    ['no working day', { workingDays: [] }, 400],
  ])('refuses %s and creates nothing', async (_, change, status) => {
    const before = await BusinessCalendar.count();
    await create({ ...berlin, name: `Refused ${String(status)}`, isDefault: false, ...change }).expect(status);
    expect(await BusinessCalendar.count()).toBe(before);
  });

  it('changes a calendar and adds and removes holidays, each audited with before and after', async () => {
    const { body } = await create({ ...berlin, name: 'Austria', isDefault: false, holidays: [] }).expect(201);
    const url = `/api/v1/tenant/calendars/${body.id}`;
    await stack.api.patch(url).set(as(admin)).send({ zone: 'Europe/Vienna' }).expect(200);
    await stack.api.post(`${url}/holidays`).set(as(admin)).send({ date: '2027-12-08', name: 'Mariä Empfängnis' }).expect(200);
    const added = await stack.api
      .post(`${url}/holidays`)
      .set(as(admin))
      .send({ date: '2027-01-06', name: 'Heilige Drei Könige' })
      .expect(200);
    expect(added.body.holidays.map((h: { date: string }) => h.date)).toEqual(['2027-01-06', '2027-12-08']);
    await stack.api.post(`${url}/holidays`).set(as(admin)).send({ date: '2027-11-01', name: 'Aller\r\nheiligen' }).expect(400);
    const removed = await stack.api.delete(`${url}/holidays/2027-12-08`).set(as(admin)).expect(200);
    expect(removed.body.holidays).toEqual([{ date: '2027-01-06', name: 'Heilige Drei Könige' }]);
    await stack.api.delete(`${url}/holidays/2027-12-08`).set(as(admin)).expect(404);

    const actions = (
      await AuditEvent.findAll({
        where: { entityId: body.id },
        order: [
          ['occurredAt', 'ASC'],
          ['id', 'ASC'],
        ],
      })
    ).map((e) => e.action);
    expect(actions).toEqual([
      'calendar.create',
      'calendar.update',
      'calendar.holiday_add',
      'calendar.holiday_add',
      'calendar.holiday_remove',
    ]);
    const update = await AuditEvent.findOne({ where: { entityId: body.id, action: 'calendar.update' } });
    expect(update!.changes.zone).toEqual({ before: 'Europe/Berlin', after: 'Europe/Vienna' });
  });

  it('imports the all-day events of an iCalendar file as holidays and skips timed ones', async () => {
    const { body } = await create({ ...berlin, name: 'Imported', isDefault: false }).expect(201);
    const res = await stack.api.post(`/api/v1/tenant/calendars/${body.id}/holidays/import`).set(as(admin)).send({ ics: ICS }).expect(200);
    expect(res.body).toMatchObject({ imported: 3, skipped: 1 });
    expect(res.body.calendar.holidays).toEqual([
      { date: '2027-10-03', name: 'Tag der Deutschen Einheit' },
      { date: '2027-12-24', name: 'Heiligabend' },
      { date: '2027-12-25', name: 'Weihnachten' },
      { date: '2027-12-26', name: 'Weihnachten' },
    ]);
    expect(await AuditEvent.count({ where: { entityId: body.id, action: 'calendar.holidays_import' } })).toBe(1);

    // A summary's escaped line breaks and control characters (kept as they were before) become spaces: one line.
    const messy = ICS.replace('SUMMARY:Heiligabend', 'SUMMARY:Heilig\\nabend\u0007 \u2028Eve');
    const again = await stack.api
      .post(`/api/v1/tenant/calendars/${body.id}/holidays/import`)
      .set(as(admin))
      .send({ ics: messy })
      .expect(200);
    expect(again.body.calendar.holidays).toContainEqual({ date: '2027-12-24', name: 'Heilig abend Eve' });
  });

  it('refuses a file that is not iCalendar or is too large, and changes nothing', async () => {
    const { body } = await create({ ...berlin, name: 'Guarded', isDefault: false }).expect(201);
    const url = `/api/v1/tenant/calendars/${body.id}/holidays/import`;
    await stack.api.post(url).set(as(admin)).send({ ics: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nnot ical' }).expect(400);
    const huge = ICS.replace('END:VCALENDAR', `X-PAD:${'a'.repeat(CALENDAR_LIMITS.icsBytes)}\r\nEND:VCALENDAR`);
    await stack.api.post(url).set(as(admin)).send({ ics: huge }).expect(400);
    expect((await BusinessCalendar.findByPk(body.id))!.holidays).toEqual(berlin.holidays);
  });

  it('keeps at most the limit of calendars when the last two are asked for at the same instant: one 201, one 409', async () => {
    const full = await buildTenant({ name: 'Crowded Calendar Mutual' });
    const fullAdmin = await buildUser({ role: 'tenant_admin', tenantId: full.id });
    const { holidays: _holidays, ...week } = berlin;
    await BusinessCalendar.bulkCreate(
      Array.from({ length: CALENDAR_LIMITS.calendarsPerTenant - 1 }, (_, i) => ({
        ...week,
        tenantId: full.id,
        name: `Office ${i}`,
        holidays: [],
        isDefault: false,
      })),
    );
    // The tenant's row held, so both requests have counted the calendars before either inserts one.
    const answers = await sentWhileHeld(
      stack.db.sequelize,
      {
        hold: (transaction) => Tenant.findByPk(full.id, { lock: transaction.LOCK.UPDATE, transaction }),
        statementLike: '%',
        waiting: 2,
      },
      () => Promise.all(['Last A', 'Last B'].map((name) => create({ ...berlin, name, isDefault: false }, fullAdmin).then((res) => res))),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
    expect(await BusinessCalendar.count({ where: { tenantId: full.id } })).toBe(CALENDAR_LIMITS.calendarsPerTenant);
  });

  it('refuses other roles with 403 and answers another tenant 404, changing nothing', async () => {
    const { body } = await create({ ...berlin, name: 'Private', isDefault: false }).expect(201);
    const url = `/api/v1/tenant/calendars/${body.id}`;
    await stack.api.get('/api/v1/tenant/calendars').set(as(agent)).expect(403);
    await create({ ...berlin, name: 'By an agent' }, agent).expect(403);
    await stack.api.patch(url).set(as(agent)).send({ zone: 'UTC' }).expect(403);

    await stack.api.get(url).set(as(otherAdmin)).expect(404);
    await stack.api.patch(url).set(as(otherAdmin)).send({ zone: 'UTC' }).expect(404);
    await stack.api.post(`${url}/holidays`).set(as(otherAdmin)).send({ date: '2027-12-31', name: 'Silvester' }).expect(404);
    await stack.api.post(`${url}/holidays/import`).set(as(otherAdmin)).send({ ics: ICS }).expect(404);
    await stack.api.delete(url).set(as(otherAdmin)).expect(404);
    const others = await stack.api.get('/api/v1/tenant/calendars').set(as(otherAdmin)).expect(200);
    expect(others.body.items).toEqual([]);

    const row = (await BusinessCalendar.findByPk(body.id))!;
    expect(row.zone).toBe('Europe/Berlin');
    expect(row.holidays).toEqual(berlin.holidays);

    await stack.api.delete(url).set(as(admin)).expect(204);
    expect(await BusinessCalendar.findByPk(body.id)).toBeNull();
    expect(await AuditEvent.count({ where: { entityId: body.id, action: 'calendar.delete' } })).toBe(1);
  });

  describe('a calendar without working time for four years (every working day a holiday)', () => {
    // Saturdays from 2027-01-02 for five years: a Saturday-only week then has no working time until 2032.
    const saturdays = Array.from({ length: 261 }, (_, week) => ({
      date: new Date(Date.UTC(2027, 0, 2 + 7 * week)).toISOString().slice(0, 10),
      name: 'Closed',
    }));
    const saturdaysOnly = { ...berlin, workingDays: [6], workingHours: [{ start: '09:00', end: '17:00' }], isDefault: false };
    // One Saturday in the middle left working: two gaps of about two and a half years, each shorter than four.
    const middle = saturdays[130];
    const withOneWorkingSaturday = saturdays.filter((h) => h !== middle);
    // The stretch starts the day after the last working Saturday, 2026-12-26.
    const refusal = (field = 'body') => ({
      error: {
        code: 'unprocessable',
        message: 'The calendar would have no working time for more than four years',
        details: [{ field, message: 'no working time from 2026-12-27 for more than four years' }],
      },
    });
    const auditedFor = (id: string) => AuditEvent.count({ where: { entityId: id } });

    it('refuses to create it (422), creating nothing, default or not', async () => {
      const before = await BusinessCalendar.count();
      for (const isDefault of [false, true]) {
        const res = await create({ ...saturdaysOnly, name: `Never ${String(isDefault)}`, holidays: saturdays, isDefault }).expect(422);
        expect(res.body).toMatchObject(refusal());
      }
      expect(await BusinessCalendar.count()).toBe(before);
    });

    it('accepts gaps shorter than four years, and refuses the holiday or import that joins them, changing nothing', async () => {
      const { body } = await create({ ...saturdaysOnly, name: 'Rare Saturdays', holidays: withOneWorkingSaturday }).expect(201);
      const url = `/api/v1/tenant/calendars/${body.id}`;
      const audited = await auditedFor(body.id);

      const added = await stack.api.post(`${url}/holidays`).set(as(admin)).send({ date: middle.date, name: 'Closed too' }).expect(422);
      expect(added.body).toMatchObject(refusal());
      const day = middle.date.replace(/-/g, '');
      const next = new Date(Date.parse(`${middle.date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//test//closed//EN',
        'BEGIN:VEVENT',
        'UID:closed',
        `DTSTART;VALUE=DATE:${day}`,
        `DTEND;VALUE=DATE:${next}`,
        'SUMMARY:Closed',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      const imported = await stack.api.post(`${url}/holidays/import`).set(as(admin)).send({ ics }).expect(422);
      expect(imported.body).toMatchObject(refusal('body.ics'));
      const whole = await stack.api.patch(url).set(as(admin)).send({ holidays: saturdays }).expect(422);
      expect(whole.body).toMatchObject(refusal());

      const row = (await BusinessCalendar.findByPk(body.id))!;
      expect(row.holidays.map((h) => h.date)).toEqual(withOneWorkingSaturday.map((h) => h.date));
      expect(await auditedFor(body.id)).toBe(audited);
    });

    it('refuses a change of working days or making it the default that leaves it without working time, changing nothing', async () => {
      const { body } = await create({ ...saturdaysOnly, name: 'Weekdays', workingDays: [1, 2, 3, 4, 5], holidays: saturdays }).expect(201);
      const url = `/api/v1/tenant/calendars/${body.id}`;
      const audited = await auditedFor(body.id);
      const res = await stack.api
        .patch(url)
        .set(as(admin))
        .send({ workingDays: [6], isDefault: true })
        .expect(422);
      expect(res.body).toMatchObject(refusal());
      const row = (await BusinessCalendar.findByPk(body.id))!;
      expect({ workingDays: row.workingDays, isDefault: row.isDefault }).toEqual({ workingDays: [1, 2, 3, 4, 5], isDefault: false });
      expect(await auditedFor(body.id)).toBe(audited);
    });

    it('still renames and unmarks as default a calendar saved before the check, so it can be taken out of use', async () => {
      const saved = await BusinessCalendar.create({ ...saturdaysOnly, tenantId: tenant.id, name: 'Saved before', holidays: saturdays });
      const url = `/api/v1/tenant/calendars/${saved.id}`;
      await stack.api.patch(url).set(as(admin)).send({ isDefault: true }).expect(422);
      await stack.api.patch(url).set(as(admin)).send({ name: 'Out of use', isDefault: false }).expect(200);
      await stack.api.delete(`${url}/holidays/${saturdays[0].date}`).set(as(admin)).expect(200);
      expect(await BusinessCalendar.findByPk(saved.id)).toMatchObject({ name: 'Out of use', isDefault: false });
    });
  });

  it('lets a tenant admin count document deadlines in business days, and refuses a unit the setting cannot use', async () => {
    const settings = '/api/v1/tenant/settings';
    expect((await stack.api.get(settings).set(as(admin)).expect(200)).body.claimDocumentsDeadlineUnit).toBe('calendar_days');
    await stack.api.put(settings).set(as(admin)).send({ claimDocumentsDeadlineUnit: 'business_hours' }).expect(400);
    const changed = await stack.api.put(settings).set(as(admin)).send({ claimDocumentsDeadlineUnit: 'business_days' }).expect(200);
    expect(changed.body.claimDocumentsDeadlineUnit).toBe('business_days');
    const event = await AuditEvent.findOne({ where: { tenantId: tenant.id, action: 'tenant_settings.update' } });
    expect(event!.changes.claimDocumentsDeadlineUnit).toEqual({ before: 'calendar_days', after: 'business_days' });
  });
});
