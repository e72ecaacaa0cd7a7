import Joi from 'joi';
import { TENANT_SETTINGS_SCHEMA } from '../../shared/tenant-settings';

export const updateSettingsBody = TENANT_SETTINGS_SCHEMA.keys({
  /** Write-only: the HMAC secret for compliance webhooks. */
  complianceWebhookSecret: Joi.string().min(16).max(200).allow(null),
})
  .min(1)
  .label('UpdateTenantSettings');

export const settingsSchema = TENANT_SETTINGS_SCHEMA.keys({ complianceWebhookSecretSet: Joi.boolean() }).label('TenantSettings');
