/**
 * Which mails are about a policy: a policy's mails go to its holder and name it by its number
 * (the row's, given on insert), never by the row's id (src/activities/notifications.ts).
 */
import { Subscription, User } from '../../src/models';
import type { ReceivedMail } from './smtp-sink';
import { eventually } from './waiting';

/** Whether a mail is about the policy: to its holder, naming its number. Waits for the row a run inserts. */
export async function aboutPolicy(subscriptionId: string): Promise<(mail: ReceivedMail) => boolean> {
  const policy = await eventually(
    () => Subscription.findByPk(subscriptionId, { attributes: ['policyNumber', 'policyholderId'] }),
    (row) => row !== null,
    `the row of subscription ${subscriptionId}`,
  );
  const holder = await User.findByPk(policy!.policyholderId, { attributes: ['email'], rejectOnEmpty: true });
  return (mail) => mail.to.includes(holder.email) && mail.text.includes(policy!.policyNumber!);
}
