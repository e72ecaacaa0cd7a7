/**
 * Whether `day` is written YYYY-MM-DD and names a day of the calendar: JavaScript reads 2026-02-30 as
 * 2 March (so such a day was kept as another one), and it reads year 0000, which PostgreSQL's dates do
 * not have (a query or a row with it failed with 500). The one check of a written day: the API's schemas,
 * the payment file's and the workflows' (pure, so a workflow may run it).
 */
export function isCalendarDay(day: string): boolean {
  const written = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(day);
  if (!written) return false;
  const [year, month, date] = written.slice(1).map(Number);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0 to 99 as 1900 to 1999.
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, date);
  return year > 0 && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === date;
}
