/**
 * The tenant's durations, limits and compliance webhook (src/shared/tenant-settings.ts): a tenant
 * admin changes some of them; workflows started afterwards use them.
 */
import { TenantSettings, type OutboxMessage } from '../../models';
import { tenantOf } from '../../access/core';
import { unprocessable, type ErrorDetail } from '../../shared/errors';
import { formatClaimAmount } from '../../shared/money';
import type { TenantSettingsValues } from '../../shared/tenant-settings';
import { actionUrlsProblems } from '../../shared/action-urls';
import { overrideProblems } from '../../services/notifications/render';
import { audited } from '../audited';
import { rescheduleTenantReports } from '../reports/definitions';
import { moveComplianceWebhook } from '../webhooks/compliance-webhook-move';
import type { Command } from '../command';
import { assertCallerPresent, type Presence } from '../identity/presence';

/** The authority limits: amounts of claim money, so answers write them as decimal strings (docs/api.md, Money). */
export const AUTHORITY_LIMIT_KEYS = [
  'approvalLimitAdjuster',
  'approvalLimitSeniorAdjuster',
  'reserveAuthorityAdjuster',
  'reserveAuthoritySeniorAdjuster',
  'monthlyApprovalLimitAdjuster',
  'monthlyApprovalLimitSeniorAdjuster',
  'newPayeeApprovalThreshold',
] as const satisfies readonly (keyof TenantSettingsValues)[];

/** The settings as anyone may see them, defaults filled in: the limits as decimal strings, the webhook secret only as set or not. */
export function settingsView(row: TenantSettings) {
  const values = row.effective();
  const limits = Object.fromEntries(AUTHORITY_LIMIT_KEYS.map((key) => [key, formatClaimAmount(values[key])]));
  return { ...values, ...limits, complianceWebhookSecretSet: Boolean(row.complianceWebhookSecret) };
}

/** The tenant's settings row, created empty (all defaults) the first time it is asked for. */
export async function settingsRow(tenantId: string): Promise<TenantSettings> {
  const [row] = await TenantSettings.findOrCreate({ where: { tenantId } });
  return row;
}

export type SettingsChange = Partial<TenantSettingsValues> & { complianceWebhookSecret?: string | null };

/**
 * Whether the change sends people's credentials or the tenant's events somewhere new: a link
 * template that differs from the one stored (every reset, invitation and set-password link of the
 * tenant, token and all, goes to it), or a compliance webhook's URL or secret (either completes a
 * webhook endpoint, docs/webhooks.md). Taking a link back or clearing the webhook points nothing anywhere.
 */
function redirects(stored: TenantSettingsValues, change: SettingsChange): boolean {
  const storedLinks: Record<string, string | undefined> = stored.actionUrls;
  const newLink = Object.entries(change.actionUrls ?? {}).some(([action, template]) => template !== '' && template !== storedLinks[action]);
  return newLink || Boolean(change.complianceWebhookUrl) || Boolean(change.complianceWebhookSecret);
}

/** Each limit an adjuster holds beside the senior adjuster's of the same kind (docs/claim-money.md, Authority). */
const AUTHORITY_LADDER = [
  ['approvalLimitAdjuster', 'approvalLimitSeniorAdjuster'],
  ['reserveAuthorityAdjuster', 'reserveAuthoritySeniorAdjuster'],
  ['monthlyApprovalLimitAdjuster', 'monthlyApprovalLimitSeniorAdjuster'],
] as const satisfies readonly (readonly [keyof TenantSettingsValues, keyof TenantSettingsValues])[];

/**
 * The limits the change would leave that give an adjuster more than a senior adjuster: a senior
 * would then need a second person for what an adjuster may do alone, which no insurer means.
 */
function invertedLimits(values: TenantSettingsValues): ErrorDetail[] {
  return AUTHORITY_LADDER.filter(([adjuster, senior]) => values[adjuster] > values[senior]).map(([adjuster, senior]) => ({
    field: adjuster,
    message: `must be at most ${senior} (${formatClaimAmount(values[senior])})`,
  }));
}

/**
 * Durations that must end before another of the same process (docs/claims.md, Deadlines; docs/compliance.md):
 * a claim's documents reminder and escalation before its auto-denial, a policy review's reminder before it
 * lapses, an acknowledgement's reminder (days before the due date) within the days given to acknowledge.
 */
const DEADLINE_ORDER = [
  ['claimDocumentsReminderDays', 'claimDocumentsAutoDenyDays'],
  ['claimDocumentsEscalationDays', 'claimDocumentsAutoDenyDays'],
  ['policyReviewReminderDays', 'policyReviewLapseDays'],
  ['acknowledgementReminderDaysBefore', 'acknowledgementDeadlineDays'],
] as const;

/**
 * The durations the change would leave on or after the one they must precede: a claimant denied
 * without the reminder that warns of it, a review reminder that never comes, a reminder sent before
 * the acknowledgement was even asked for.
 */
function deadlinesOutOfOrder(values: TenantSettingsValues): ErrorDetail[] {
  return DEADLINE_ORDER.filter(([earlier, later]) => values[earlier] >= values[later]).map(([earlier, later]) => ({
    field: earlier,
    message: `must be less than ${later} (${values[later]})`,
  }));
}

/**
 * Changes some of the tenant's settings. One that sends people's credentials or the tenant's events
 * somewhere new (`redirects`) needs the admin's presence (src/domain/identity/presence.ts), as setting
 * the company sign-in or creating a webhook endpoint does: a stolen session alone must not choose
 * where every password-reset link of the tenant goes, long after the session ends.
 */
export const updateTenantSettings: Command<SettingsChange & Presence, TenantSettings> = async (
  caller,
  { currentPassword, signedInAt, passwordAttempts, ...change },
  deps,
) => {
  const current = await settingsRow(tenantOf(caller));
  const { tenantId } = current;
  const { complianceWebhookSecret, ...values } = change;
  // Production deliveries go over https only (the worker refuses the rest); say so now.
  if (deps.config.env === 'production' && values.complianceWebhookUrl?.startsWith('http:')) {
    throw unprocessable('The compliance webhook must use https', [{ field: 'complianceWebhookUrl', message: 'must be an https URL' }]);
  }
  // A mailed link's template (docs/pages.md, A tenant's own pages): every problem at once, nothing stored.
  if (values.actionUrls !== undefined) {
    const problems = actionUrlsProblems(values.actionUrls);
    if (deps.config.env === 'production') {
      for (const [action, template] of Object.entries(values.actionUrls)) {
        if (/^http:/i.test(String(template)))
          problems.push({ field: `actionUrls.${action}`, message: 'must be an https URL in production' });
      }
    }
    if (problems.length) throw unprocessable('A link template is not usable', problems);
  }
  // A tenant's own subject or intro (docs/notifications.md, Overrides): parsed now, every problem at once, nothing stored.
  if (values.notificationOverrides !== undefined) {
    const problems = await overrideProblems(values.notificationOverrides);
    if (problems.length) throw unprocessable('A notification text is not usable', problems);
  }
  if (redirects(current.effective(), change)) {
    await assertCallerPresent(
      deps,
      caller,
      { currentPassword, signedInAt, passwordAttempts },
      "Choosing where the tenant's links and events go",
    );
  }
  let reschedules: OutboxMessage[] = [];
  const { changed } = await audited(
    deps,
    async (transaction) => {
      // Locked and read again: a change racing this one is merged into, and the ladder and deadlines checked
      // against, what that one stored, never the values both read before either wrote.
      const row = await TenantSettings.findByPk(tenantId, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
      const merged = { ...row.effective(), ...values };
      const inverted = invertedLimits(merged);
      if (inverted.length) throw unprocessable("An adjuster's limit may not exceed a senior adjuster's", inverted);
      const late = deadlinesOutOfOrder(merged);
      if (late.length) throw unprocessable('A deadline would come on or after the one it must precede', late);
      const was = settingsView(row);
      const updated = await row.update(
        {
          values: { ...row.values, ...values },
          ...(complianceWebhookSecret !== undefined && { complianceWebhookSecret }),
        },
        { transaction },
      );
      // Deprecated: a compliance webhook set here becomes a webhook endpoint at once (docs/webhooks.md).
      await moveComplianceWebhook(deps.sequelize, deps.config.jwt, tenantId, transaction, deps.auditSource);
      // Scheduled reports' cron expressions are read in the tenant's time zone (docs/reports.md).
      if (values.timeZone !== undefined) reschedules = await rescheduleTenantReports(tenantId, deps, transaction);
      return { changed: await updated.reload({ transaction }), before: was };
    },
    (result) => ({
      tenantId,
      action: 'tenant_settings.update',
      entityType: 'tenant_settings',
      entityId: tenantId,
      before: result.before,
      after: settingsView(result.changed),
    }),
  );
  for (const message of reschedules) await deps.outbox.deliver(message);
  return changed;
};
