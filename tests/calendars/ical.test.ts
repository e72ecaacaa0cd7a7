/**
 * Holidays read from an iCalendar file (src/domain/calendars/ical.ts): a date as written is a day of
 * the calendar or the event is skipped. ical.js reads DTSTART 20270230 as 2 March, so such an
 * event was kept as a holiday on another day than the feed said.
 */
import { holidaysFromIcs } from '../../src/domain/calendars/ical';

const ics = (...events: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', ...events.flatMap((event) => ['BEGIN:VEVENT', event, 'END:VEVENT']), 'END:VCALENDAR', ''].join('\r\n');

describe('holidaysFromIcs', () => {
  it('skips an all-day event whose start or end names no day, and keeps the others as written', () => {
    const read = holidaysFromIcs(
      ics(
        'DTSTART;VALUE=DATE:20270230\r\nSUMMARY:Thirtieth of February',
        'DTSTART;VALUE=DATE:20271399\r\nSUMMARY:Month thirteen',
        'DTSTART;VALUE=DATE:20270227\r\nDTEND;VALUE=DATE:20270231\r\nSUMMARY:Ends on no day',
        'DTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year',
        'DTSTART;VALUE=DATE:20280228\r\nDTEND;VALUE=DATE:20280301\r\nSUMMARY:Leap',
      ),
    );
    expect(read).toEqual({
      holidays: [
        { date: '2027-01-01', name: 'New Year' },
        { date: '2028-02-28', name: 'Leap' },
        { date: '2028-02-29', name: 'Leap' },
      ],
      skipped: 3,
    });
  });
});
