/**
 * A billing day's reminders and lapses on the real dev server (docs/performance.md, Billing day
 * growth). N active policies of a tenant that collects premiums each have one unpaid instalment:
 * half fall due in 3 days (their reminder, 7 days before, is due), half fell due 20 days ago (past
 * the 14-day grace period: they lapse). Every run is started with its coverage period and the
 * tenant's settings, as a renewal hands them on, and a start delay, so all begin in the same
 * second, as the expiries' do (bench/expiries.ts); beside them N one-activity workflows doing the
 * same I/O. Drained = every lapsing row `lapsed` and every reminder and lapse e-mail received; lag
 * is from the shared due moment to each e-mail.
 */
import { Invoice, Subscription, TenantSettings } from '../src/models';
import { addMonths } from '../src/shared/instalments';
import type { BenchInfra } from './infra';
import { bulkCreateInBatches, type BenchTenant } from './fixtures';
import { mailsTo, seedActiveSubscriptions, today, type DrainCheck, type DueTogether } from './expiries';
import { premiumStepDirectlyActivity } from './premium-step-activity';
import type { oneActivityPremiumStep } from './workflows/one-activity';

const DAY_MS = 86_400_000;
const dayOffset = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

/** The tenant's defaults (src/shared/tenant-settings.ts): reminders 7 days before, lapse after 14, cancel 60 days later. */
const REMINDER_DUE = 3;
const LAPSE_DUE = -20;
const REINSTATEMENT_DAYS = 60;

/** Odd rows lapse, even rows are reminded: both halves of the day interleaved, as due dates fall. */
const lapses = (i: number) => i % 2 === 1;

async function seedDueInstalments(bench: BenchTenant, count: number): Promise<Subscription[]> {
  // The bench's tenants are built not collecting (tests/support/factories.ts); this one has Insurflow collect.
  await TenantSettings.update({ values: { collectPremiums: true } }, { where: { tenantId: bench.tenant.id } });
  const startDate = dayOffset(-30);
  const rows = await seedActiveSubscriptions(bench, count, { startDate, endDate: addMonths(startDate, 12) });
  const year = today().slice(0, 4);
  await bulkCreateInBatches(
    Invoice,
    rows.map((row, i) => ({
      tenantId: row.tenantId,
      subscriptionId: row.id,
      policyholderId: row.policyholderId,
      number: `INV-${year}-${String(i + 1).padStart(6, '0')}`,
      term: 1,
      sequence: 1,
      amountMinor: 2000,
      currency: 'EUR',
      dueDate: dayOffset(lapses(i) ? LAPSE_DUE : REMINDER_DUE),
    })),
  );
  return rows;
}

const isPremiumMail = (subject: string) => subject.endsWith('subscription has lapsed') || subject.includes(' premium is due on ');

function premiumDayCheck(infra: BenchInfra, bench: BenchTenant, count: number): DrainCheck {
  const premiumMails = mailsTo(infra, bench, isPremiumMail);
  return {
    expected: { rows: Math.floor(count / 2), emails: count },
    rows: () => Subscription.count({ where: { tenantId: bench.tenant.id, status: 'lapsed' } }),
    emails: () => premiumMails().length,
    lags: async (dueAt) => premiumMails().map((mail) => mail.receivedAt - dueAt),
  };
}

/** The comparison at one size, for a growth curve to measure side by side. */
export function premiumDaySpec(infra: BenchInfra, policies: number): DueTogether<Parameters<typeof oneActivityPremiumStep>[0]> {
  return {
    name: 'premium-day',
    count: policies,
    side: { seed: (bench) => seedDueInstalments(bench, policies), check: (bench) => premiumDayCheck(infra, bench, policies) },
    yardstick: {
      workflowType: 'oneActivityPremiumStep',
      activities: (activities) => ({ premiumStepDirectly: premiumStepDirectlyActivity(activities) }),
      args: (bench, row, i): Parameters<typeof oneActivityPremiumStep> => [
        {
          subscriptionId: row.id,
          tenantId: row.tenantId,
          policyholderId: row.policyholderId,
          planName: bench.plan.name,
          lapse: lapses(i),
          on: today(),
          cancelOn: dayOffset(REINSTATEMENT_DAYS),
        },
      ],
    },
  };
}
