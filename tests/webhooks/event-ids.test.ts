/**
 * A webhook event's ID, the webhook-id receivers de-duplicate by (docs/webhooks.md), follows from the
 * change it names: a change recorded again after its row was lost, as a restore to an earlier
 * instant loses it and the restored run redoes the change, goes out under the ID it first had.
 */
import { recordWebhookEvent } from '../../src/domain/webhooks/events';
import { type Tenant, WebhookEvent } from '../../src/models';
import { buildTenant } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('webhook event IDs', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await buildTenant({ slug: 'event-ids' });
  });

  const record = (dedupeKey: string, time: Date) =>
    stack.db.sequelize.transaction((transaction) =>
      recordWebhookEvent(
        { tenantId: tenant.id, type: 'claim.stage_changed', subject: 'claims/redone', data: {}, time, dedupeKey },
        transaction,
      ),
    );
  const idOf = async (dedupeKey: string) => (await WebhookEvent.findOne({ where: { dedupeKey }, rejectOnEmpty: true })).id;

  it('gives a change recorded again after its row was lost the ID it first had; another change another ID', async () => {
    await record('event-ids:claim-1:transition:1', new Date('2026-11-29T10:00:00Z'));
    const first = await idOf('event-ids:claim-1:transition:1');
    // As a restore to an instant before the change loses its row; the restored run makes the change again, later.
    await WebhookEvent.destroy({ where: { id: first } });
    await record('event-ids:claim-1:transition:1', new Date('2026-11-29T10:05:00Z'));
    expect(await idOf('event-ids:claim-1:transition:1')).toBe(first);

    await record('event-ids:claim-1:transition:2', new Date('2026-11-29T10:06:00Z'));
    expect(await idOf('event-ids:claim-1:transition:2')).not.toBe(first);
  });
});
