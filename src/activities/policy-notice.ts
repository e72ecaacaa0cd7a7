/**
 * "New policy to acknowledge" (docs/compliance.md, Notice at publication): one e-mail per person
 * and version, with the title, the deadline and the links. Sent by each acknowledgement run that
 * opens itself as it starts: a rollout's, or one started for someone who joined the audience later.
 */
import { acknowledgementRun } from '../contracts/acknowledgement';
import type { Acknowledgement, User } from '../models';
import { policyNotices } from '../observability/business-metrics';
import { acknowledgementEmail, acknowledgementLink } from './acknowledgement-reminder';
import type { ActivityDeps } from './deps';
import { actionUrlsOf } from '../domain/tenant-settings/action-urls';
import { createNotificationActivities } from './notifications';

export function createPolicyNotices(deps: ActivityDeps) {
  const notifications = createNotificationActivities(deps);
  return {
    /**
     * The key is the acknowledgement's and its cycle's, not its run's: a retry, or a reopened
     * acknowledgement's later run, sends nothing more; a later cycle (its own row) has its own notice.
     */
    async sendPolicyNotice(
      ack: Acknowledgement,
      /** In the audience (so active, in the tenant) as the caller just read them. */
      employee: Pick<User, 'email' | 'fullName'>,
      policy: { title: string; versionNumber: number },
    ): Promise<void> {
      // Signed for the row's creation, so a retry (or the run's later reminder) carries the same link.
      const link = acknowledgementLink(deps, ack, ack.createdAt, await actionUrlsOf(ack.tenantId));
      const result = await notifications.sendEmail({
        idempotencyKey: `${acknowledgementRun.id(ack.id, 1, ack.cycle)}:notice`,
        tenantId: ack.tenantId,
        to: { emails: [employee.email] },
        ...acknowledgementEmail('policyNotice', { employeeName: employee.fullName, policy, dueAt: ack.dueAt, link }),
      });
      // Counted by the attempt that sent it, so a retried activity does not count twice.
      if (result.status === 'sent') policyNotices.inc();
    },
  };
}
