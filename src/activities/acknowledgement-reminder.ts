/**
 * The mails an employee receives for an open acknowledgement, from their templates
 * (docs/notifications.md): the notice (src/activities/policy-notice.ts) and the reminder, sent by
 * its own run three days before the due date and by a "remind now" of the compliance officers
 * (src/activities/compliance-remind.ts). Both carry the signed link to the acknowledgement's page.
 */
import { acknowledgementCallToAction } from '../domain/compliance/acknowledgement-link-tokens';
import type { ActionUrls } from '../shared/action-urls';
import type { ActivityDeps } from './deps';
import type { EmailTemplate } from './notifications';

/**
 * The link of a notice or reminder to the acknowledgement's page, with its token (for `sendEmail`'s
 * `secrets`). `mailedFor` is when the mail was asked for, as a row records it, so every attempt
 * builds the same link. `urls`: the tenant's link templates (`actionUrlsOf`), read by the attempt,
 * so a template changed between attempts is the one the sent mail has.
 */
export function acknowledgementLink(deps: ActivityDeps, ack: { id: string; dueAt: Date }, mailedFor: Date, urls: ActionUrls | null) {
  const signer = { publicUrl: deps.apiPublicUrl, key: deps.acknowledgementLinkKey };
  const callToAction = acknowledgementCallToAction(signer, ack, mailedFor, urls?.acknowledgePolicy);
  return { callToAction, secrets: [callToAction.token] };
}

/** A policy version as the compliance templates take it. */
export interface PolicyVersionNamed {
  title: string;
  versionNumber: number;
}

/** The notice or the reminder of an acknowledgement, with its link, as `sendEmail` takes it (its template and secrets). */
export function acknowledgementEmail(
  type: 'policyNotice' | 'acknowledgementReminder',
  input: {
    employeeName: string;
    policy: PolicyVersionNamed;
    dueAt: Date;
    /** The policy's text, which the reminder carries. */
    content?: string;
    /** `acknowledgementLink(…)`. */
    link: ReturnType<typeof acknowledgementLink>;
  },
): { template: EmailTemplate; secrets: string[] } {
  const { title, versionNumber } = input.policy;
  const values = { fullName: input.employeeName, title, versionNumber, dueAt: input.dueAt };
  return {
    template: {
      type,
      values: type === 'acknowledgementReminder' ? { ...values, content: input.content ?? '' } : values,
      callToAction: input.link.callToAction,
    },
    secrets: input.link.secrets,
  };
}
