/**
 * The compliance escalation webhook (a tenant setting: a URL and a shared HMAC secret) becomes a
 * webhook endpoint subscribed to `acknowledgement.escalated` (docs/webhooks.md, The compliance
 * webhook). Its receiver keeps the one secret it has: the endpoint's Standard Webhooks secret is
 * that secret in base64 after `whsec_`, and for one release each delivery also carries the old
 * X-Insurflow-Signature headers signed with it. The setting is cleared in the same transaction,
 * so an escalation is sent one way or the other, never both.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Config } from '../../config';
import { TenantSettings, WebhookEndpoint } from '../../models';
import { recordAudit, type AuditSource } from '../audit/record';
import { sealSecret } from '../../services/sealed-secret';
import { WEBHOOK_SECRET_PURPOSE } from '../../services/webhook-secrets';
import { ApiError } from '../../shared/errors';
import { assertEndpointRoom } from './endpoint-quota';

export const LEGACY_SECRET_PURPOSE = 'webhook-legacy-secret v1';
export const COMPLIANCE_WEBHOOK_EVENT_TYPES = ['acknowledgement.escalated'];

/** The Standard Webhooks secret of a moved compliance webhook: its old secret's bytes, in base64. */
export const standardSecretOf = (legacySecret: string) => `whsec_${Buffer.from(legacySecret, 'utf8').toString('base64')}`;

const SYSTEM: AuditSource = { actor: { type: 'system', id: null } };

/**
 * Moves the tenant's compliance webhook onto an endpoint, if it has one set; answers the endpoint. It
 * counts in the tenant's endpoints: at the quota, 422 `quota_exceeded` and nothing moved.
 */
export async function moveComplianceWebhook(
  sequelize: Sequelize,
  sealing: Config['jwt'],
  tenantId: string,
  within?: Transaction,
  source: AuditSource = SYSTEM,
): Promise<WebhookEndpoint | null> {
  const move = async (transaction: Transaction) => {
    const settings = await TenantSettings.findByPk(tenantId, { lock: transaction.LOCK.UPDATE, transaction });
    const url = settings?.values.complianceWebhookUrl;
    const secret = settings?.complianceWebhookSecret;
    // Without a secret nothing was ever sent (the old delivery refused to): there is nothing to move.
    if (!settings || !url || !secret) return null;
    await assertEndpointRoom(tenantId, transaction);
    const id = crypto.randomUUID();
    const endpoint = await WebhookEndpoint.create(
      {
        id,
        tenantId,
        url,
        eventTypes: COMPLIANCE_WEBHOOK_EVENT_TYPES,
        description: 'Compliance escalation webhook (moved from the tenant setting complianceWebhookUrl)',
        secretSealed: sealSecret(sealing, WEBHOOK_SECRET_PURPOSE, id, standardSecretOf(secret)),
        legacySecretSealed: sealSecret(sealing, LEGACY_SECRET_PURPOSE, id, secret),
      },
      { transaction },
    );
    const { complianceWebhookUrl: _moved, ...values } = settings.values;
    await settings.update({ values, complianceWebhookSecret: null }, { transaction });
    await recordAudit(
      source,
      {
        tenantId,
        action: 'webhook_endpoint.create',
        entityType: 'webhook_endpoint',
        entityId: id,
        after: endpoint,
        reason: 'compliance_webhook_moved',
        dedupeKey: `compliance-webhook-moved:${id}`,
      },
      transaction,
    );
    return endpoint;
  };
  return within ? move(within) : sequelize.transaction(move);
}

/**
 * Moves every tenant's compliance webhook still set (the worker does it at start); answers how many moved.
 * A tenant at its endpoint quota keeps the setting, which escalations are still posted to the old way,
 * until a later start finds room: the others are moved meanwhile.
 */
export async function moveComplianceWebhooks(sequelize: Sequelize, sealing: Config['jwt']): Promise<number> {
  const rows = await sequelize.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM tenant_settings WHERE values->>'complianceWebhookUrl' IS NOT NULL AND compliance_webhook_secret IS NOT NULL`,
    { type: QueryTypes.SELECT },
  );
  let moved = 0;
  for (const { tenant_id: tenantId } of rows) {
    const endpoint = await moveComplianceWebhook(sequelize, sealing, tenantId).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'quota_exceeded') return null;
      throw err;
    });
    if (endpoint) moved += 1;
  }
  return moved;
}
