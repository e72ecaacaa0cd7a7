/**
 * A tenant's company sign-in settings (docs/accounts.md, Company sign-in): a tenant admin names
 * the OpenID provider, the client, the e-mail domains and the group → role mapping. The client
 * secret is stored sealed (src/services/sso/client-secret.ts) and never shown; the issuer must be
 * an address the provider guard lets this server reach; every change is audited.
 */
import { TenantSso } from '../../models';
import { tenantOf } from '../../access/core';
import { sealClientSecret } from '../../services/sso/client-secret';
import { checkWebhookDestination, failureCategory, webhookGuardOf } from '../../services/webhook';
import { notFound, unprocessable, type ErrorDetail } from '../../shared/errors';
import { roleMay } from '../../access/verbs';
import type { Role } from '../../shared/roles';
import type { Config } from '../../config';
import { audited } from '../audited';
import type { Command, CommandDeps } from '../command';
import { assertCallerPresent, type Presence } from '../identity/presence';

export interface SsoSettings {
  issuer: string;
  clientId: string;
  /** Required the first time; kept when left out later. */
  clientSecret?: string;
  allowedDomains: string[];
  groupRoles: Record<string, Role>;
  enabled: boolean;
  requiredForStaff: boolean;
  /** Whether a first sign-in may take over an existing account with the same verified address (default false). */
  linkExistingAccounts?: boolean;
  /** The provider's `acr` values that count as a second factor proven there (default none). */
  mfaAcrValues?: string[];
}

/** The settings as an admin sends them, with what proves the admin is there. */
export type SsoSettingsInput = SsoSettings & Presence;

/** The tenant's company sign-in settings (404 until a tenant admin sets them). */
export async function ssoSettingsOf(tenantId: string): Promise<TenantSso> {
  const row = await TenantSso.findByPk(tenantId);
  if (!row) throw notFound('Company sign-in');
  return row;
}

/** Whether the tenant's staff must sign in through its provider (no password sign-in for them). */
export async function staffMustUseSso(tenantId: string): Promise<boolean> {
  return (await TenantSso.count({ where: { tenantId, enabled: true, requiredForStaff: true } })) > 0;
}

/** An http issuer is only for a provider on this machine, outside production (local Keycloak, tests). */
export function issuerAllowed(issuer: string, env: Config['env']): boolean {
  const url = new URL(issuer);
  if (url.protocol === 'https:') return true;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return url.protocol === 'http:' && loopback && env !== 'production';
}

function refusals(input: SsoSettings, row: TenantSso | null, env: Config['env']): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  if (!issuerAllowed(input.issuer, env))
    details.push({ field: 'issuer', message: 'must be an https URL (http only for a loopback provider outside production)' });
  if (input.clientSecret === undefined && !row) details.push({ field: 'clientSecret', message: 'is required the first time' });
  // The schema allows staff roles only; said again here, where the rule matters most: no mapping ever makes a platform admin.
  for (const [group, role] of Object.entries(input.groupRoles)) {
    if (!roleMay(role, 'signInWithSso')) details.push({ field: `groupRoles.${group}`, message: 'must be a staff role' });
  }
  if (input.requiredForStaff && !input.enabled) details.push({ field: 'requiredForStaff', message: 'needs company sign-in enabled' });
  return details;
}

/**
 * The issuer as the provider guard sees it now (src/services/sso/provider-fetch.ts checks again at
 * every connection): refused when its name resolves to a private address this deployment may not
 * reach, or does not resolve.
 */
async function issuerRefusal(issuer: string, deps: CommandDeps): Promise<ErrorDetail[]> {
  try {
    await checkWebhookDestination(issuer, webhookGuardOf(deps.config));
    return [];
  } catch (err) {
    const reason = failureCategory(err) === 'blocked' ? 'is not a public address this server may reach' : 'cannot be resolved';
    return [{ field: 'issuer', message: `must be reachable: the issuer ${reason}` }];
  }
}

/**
 * Sets the tenant's provider once the admin proves they are there (src/domain/identity/presence.ts):
 * whoever sets it signs in as the tenant's staff through it (linking their accounts, its amr vouching
 * for their second factor), so a stolen session alone must not.
 */
export const updateSsoSettings: Command<SsoSettingsInput, TenantSso> = async (
  caller,
  { currentPassword, signedInAt, passwordAttempts, ...input },
  deps,
) => {
  const tenantId = tenantOf(caller);
  const row = await TenantSso.findByPk(tenantId);
  const details = refusals(input, row, deps.config.env);
  if (details.length === 0) details.push(...(await issuerRefusal(input.issuer, deps)));
  if (details.length) throw unprocessable('The company sign-in settings are invalid', details);
  await assertCallerPresent(deps, caller, { currentPassword, signedInAt, passwordAttempts }, "Setting the company's sign-in");
  const before = row?.toJSON() ?? null;
  const { clientSecret, ...fields } = input;
  // Left out, the switches take their safe defaults (a PUT sets the whole of the settings).
  const values = {
    ...fields,
    allowedDomains: fields.allowedDomains.map((domain) => domain.toLowerCase()),
    linkExistingAccounts: fields.linkExistingAccounts ?? false,
    mfaAcrValues: fields.mfaAcrValues ?? [],
  };
  const sealed = clientSecret === undefined ? {} : { clientSecretSealed: sealClientSecret(deps.config.jwt, tenantId, clientSecret) };
  return audited(
    deps,
    async (transaction) => {
      if (row) return row.update({ ...values, ...sealed }, { transaction });
      return TenantSso.create({ tenantId, ...values, clientSecretSealed: sealed.clientSecretSealed! }, { transaction });
    },
    (saved) => ({ tenantId, action: 'tenant_sso.update', entityType: 'tenant_sso', entityId: tenantId, before, after: saved.toJSON() }),
  );
};
