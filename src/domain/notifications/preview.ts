/**
 * A tenant admin's look at one of its notifications (docs/notifications.md, Preview): rendered as
 * its people would get it (the tenant's branding, overrides, time zone and link templates) in the
 * language asked for, with each variable's sample value and a sample token.
 */
import type { Config } from '../../config';
import { tenantOf } from '../../access/core';
import type { AuthUser } from '../../shared/caller';
import { mailContextOf } from '../../services/notifications/context';
import { sampleValues } from '../../services/notifications/render';
import { TEMPLATES } from '../../services/notifications/templates';
import { isNotificationType, type Locale } from '../../shared/notification-settings';
import { notFound } from '../../shared/errors';
import { accountMail } from '../identity/account-mails';

/** Stands for the single-use token a real mail carries: as long, and plainly not one. */
const SAMPLE_TOKEN = 'SAMPLE-TOKEN-sample-token-sample-token-sam';

export async function previewNotification(caller: AuthUser, config: Pick<Config, 'api'>, type: string, locale: Locale | undefined) {
  if (!isNotificationType(type)) throw notFound('Notification type');
  const context = await mailContextOf(tenantOf(caller), locale);
  const { subject, text, html } = await accountMail(config, 'preview@example.com', type, sampleValues(type), context, SAMPLE_TOKEN);
  return { type, locale: context.locale, subject, text, html, variables: Object.keys(TEMPLATES[type].variables) };
}
