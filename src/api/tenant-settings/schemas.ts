import Joi from 'joi';
import { TENANT_SETTINGS_KEYS } from '../../shared/tenant-settings';
import { nullable, object } from '../../shared/typed-schema';

export const updateSettingsBody = object({
  ...TENANT_SETTINGS_KEYS,
  /** Write-only: the HMAC secret for compliance webhooks. */
  complianceWebhookSecret: nullable(Joi.string().min(16).max(200)),
})
  .min(1)
  .label('UpdateTenantSettings');

export const settingsSchema = Joi.object({ ...TENANT_SETTINGS_KEYS, complianceWebhookSecretSet: Joi.boolean() }).label('TenantSettings');
