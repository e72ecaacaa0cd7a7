/**
 * The reminder an employee receives for an open acknowledgement: sent by its own run three days
 * before the due date, and by a "remind now" of the compliance officers (src/activities/compliance-remind.ts).
 */
/** How messages name a policy version: `"Gifts and hospitality" (version 2)`. */
export const policyNameOf = (title: string, versionNumber: number) => `"${title}" (version ${versionNumber})`;

/** The date part of a due date, as the messages show it. */
export const day = (date: Date) => date.toISOString().slice(0, 10);

export function reminderEmail(input: {
  employeeName: string;
  policyName: string;
  dueAt: Date;
  content: string;
  acknowledgementId: string;
  apiPublicUrl: string;
}): { subject: string; text: string } {
  const due = day(input.dueAt);
  return {
    subject: `Reminder: please acknowledge ${input.policyName} by ${due}`,
    text: `Hello ${input.employeeName},\n\nplease read and acknowledge ${input.policyName} before ${due}.\n\n${input.content}\n\nAcknowledge: POST ${input.apiPublicUrl}/api/v1/acknowledgements/${input.acknowledgementId}/acknowledge\n`,
  };
}
