/**
 * The daily audit checkpoint on real servers: a run mails each tenant's admins their chain's head
 * and length as of midnight UTC, and a second run the same day (its sendEmail activity running
 * again under the same key) sends nothing more.
 */
import { AUDIT_CHECKPOINT_WORKFLOW_TYPE, type AuditCheckpointWorkflow } from '../../src/contracts/audit-checkpoint';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('audit trail: daily checkpoint of each chain', () => {
  const stack = testStackOfBlock({ worker: true });

  it("mails a tenant's admins the head as of midnight once, however often the run goes", async () => {
    const tenant = await buildTenant();
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    // The runs below take the midnight that began their day: this one, unless the test began in a day's last minute.
    const midnight = new Date(`${await utcDayLasting()}T00:00:00Z`);
    for (const minutesBefore of [90, 30, -5]) {
      await stack.db.sequelize.query(
        `INSERT INTO audit_events (tenant_id, occurred_at, actor_type, action, entity_type, entity_id, changes)
         VALUES (:tenantId, :occurredAt, 'system', 'plan.update', 'plan', 'plan-1', '{}')`,
        { replacements: { tenantId: tenant.id, occurredAt: new Date(midnight.getTime() - minutesBefore * 60_000) } },
      );
    }
    const verified = await stack.api
      .get('/api/v1/audit-events/verify')
      .query({ from: new Date(midnight.getTime() - DAY_MS).toISOString(), to: midnight.toISOString() })
      .set({ Authorization: bearer(stack.config, admin) })
      .expect(200);
    expect(verified.body).toMatchObject({ ok: true, checked: 2 });

    for (const run of [1, 2]) {
      const handle = await stack.temporal.workflow.start<AuditCheckpointWorkflow>(AUDIT_CHECKPOINT_WORKFLOW_TYPE, {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId: `audit-checkpoint-test-${run}-${tenant.id}`,
      });
      expect(await handle.result()).toMatchObject({ asOf: midnight.toISOString() });
      if (run === 1) await recordHistory(handle, AUDIT_CHECKPOINT_WORKFLOW_TYPE);
    }

    await stack.smtp.waitFor((mail) => mail.to.includes(admin.email.toLowerCase()));
    const mails = stack.smtp.messages.filter((mail) => mail.to.includes(admin.email.toLowerCase()));
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe(`Insurflow: audit trail checkpoint ${midnight.toISOString().slice(0, 10)}`);
    expect(mails[0].text).toContain(`2 events, the last one's hash ${verified.body.head}`);
  });
});
