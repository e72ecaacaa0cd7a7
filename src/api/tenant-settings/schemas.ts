import Joi from 'joi';
import { AUTHORITY_LIMIT_KEYS } from '../../domain/tenant-settings/commands';
import { TENANT_SETTINGS_KEYS } from '../../shared/tenant-settings';
import { staffRole } from '../../access/role-schemas';
import type { Role } from '../../shared/roles';
import { nullable, object, required } from '../../shared/typed-schema';
import { presenceProof } from '../http/common-schemas';

export const updateSettingsBody = object({
  ...TENANT_SETTINGS_KEYS,
  /** Write-only: the HMAC secret for compliance webhooks. */
  complianceWebhookSecret: nullable(Joi.string().min(16).max(200)),
  /** Needed (or a recent sign-in) when the change points actionUrls or the compliance webhook somewhere new. */
  currentPassword: presenceProof,
})
  .min(1)
  .label('UpdateTenantSettings');

/** The authority limits are answered as decimal strings (docs/api.md, Money), whichever spelling set them. */
const limitAnswers = Object.fromEntries(
  AUTHORITY_LIMIT_KEYS.map((key) => [key, Joi.string().description('decimal amount, two places: every currency counts at face value')]),
);

export const settingsSchema = Joi.object({ ...TENANT_SETTINGS_KEYS, ...limitAnswers, complianceWebhookSecretSet: Joi.boolean() }).label(
  'TenantSettings',
);

/** A provider group's name: what the ID token's `groups` claim lists. */
const groupName = Joi.string().min(1).max(100);
/** A host name of the tenant's e-mail addresses, e.g. acme-insurance.com. */
const emailDomain = Joi.string()
  .trim()
  .lowercase()
  .max(253)
  .domain({ tlds: false })
  .description('a domain name: at least two labels of letters, digits and hyphens (acme-insurance.com)');

export const ssoSettingsBody = object({
  issuer: required(
    Joi.string()
      .max(500)
      .uri({ scheme: ['http', 'https'] })
      .description('The OpenID provider issuer URL (https; http only for a loopback provider outside production)'),
  ),
  clientId: required(Joi.string().min(1).max(200)),
  clientSecret: Joi.string().min(1).max(500).description('Write-only; required the first time, kept when left out'),
  allowedDomains: required(Joi.array().items(emailDomain).min(1).max(20).unique()),
  groupRoles: required(
    Joi.object<Record<string, Role>>()
      .pattern(groupName, staffRole.required())
      .max(50)
      .description('Provider group → the staff role it gives (a user in several mapped groups gets the first listed here)'),
  ),
  enabled: required(Joi.boolean()),
  requiredForStaff: required(Joi.boolean().description('Staff of the tenant cannot sign in with a password')),
  linkExistingAccounts: Joi.boolean().description(
    'A first sign-in may take over an existing staff account with the same address, once the provider says the address is verified (default false)',
  ),
  mfaAcrValues: Joi.array()
    .items(Joi.string().min(1).max(200))
    .max(10)
    .unique()
    .description(
      "The provider's acr values that count as a second factor proven there, besides the amr methods mfa, otp and hwk (default none)",
    ),
  currentPassword: presenceProof,
}).label('SsoSettingsRequest');

export const ssoSettingsSchema = Joi.object({
  issuer: Joi.string(),
  clientId: Joi.string(),
  clientSecretSet: Joi.boolean(),
  allowedDomains: Joi.array().items(Joi.string()),
  groupRoles: Joi.object().pattern(Joi.string(), Joi.string()),
  enabled: Joi.boolean(),
  requiredForStaff: Joi.boolean(),
  linkExistingAccounts: Joi.boolean(),
  mfaAcrValues: Joi.array().items(Joi.string()),
  updatedAt: Joi.date(),
}).label('SsoSettings');
