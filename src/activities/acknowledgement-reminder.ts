/**
 * The reminder an employee receives for an open acknowledgement: sent by its own run three days
 * before the due date, and by a "remind now" of the compliance officers (src/activities/compliance-remind.ts).
 */
import { acknowledgementLinkLines } from '../services/acknowledgement-links';
import type { ActionUrls } from '../shared/action-urls';
import type { ActivityDeps } from './deps';

/** How messages name a policy version: `"Gifts and hospitality" (version 2)`. */
export const policyNameOf = (title: string, versionNumber: number) => `"${title}" (version ${versionNumber})`;

/** The date part of a due date, as the messages show it. */
export const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The lines of a notice or reminder that link to the acknowledgement's page, and the token they
 * carry (for `sendEmail`'s `secrets`). `mailedFor` is when the mail was asked for, as a row records
 * it, so every attempt builds the same link. `urls`: the tenant's link templates (`actionUrlsOf`),
 * read by the attempt, so a template changed between attempts is the one the sent mail has.
 */
export function acknowledgementLink(deps: ActivityDeps, ack: { id: string; dueAt: Date }, mailedFor: Date, urls: ActionUrls | null) {
  const signer = { publicUrl: deps.apiPublicUrl, key: deps.acknowledgementLinkKey };
  const { lines, token } = acknowledgementLinkLines(signer, ack, mailedFor, urls?.acknowledgePolicy);
  return { lines: lines.join('\n'), secrets: [token] };
}

export function reminderEmail(input: {
  employeeName: string;
  policyName: string;
  dueAt: Date;
  content: string;
  /** `acknowledgementLink(…)`. */
  link: { lines: string; secrets: string[] };
}): { subject: string; text: string; secrets: string[] } {
  const due = day(input.dueAt);
  return {
    subject: `Reminder: please acknowledge ${input.policyName} by ${due}`,
    text: `Hello ${input.employeeName},\n\nplease read and acknowledge ${input.policyName} before ${due}.\n\n${input.content}\n\n${input.link.lines}\n`,
    secrets: input.link.secrets,
  };
}
