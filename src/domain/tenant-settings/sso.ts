/**
 * A tenant's company sign-in settings (docs/accounts.md, Company sign-in): a tenant admin names
 * the OpenID provider, the client, the e-mail domains and the group → role mapping. The client
 * secret is stored and never shown; every change is audited.
 */
import { TenantSso } from '../../models';
import { tenantOf } from '../../access/core';
import { notFound, unprocessable, type ErrorDetail } from '../../shared/errors';
import { isStaff, type Role } from '../../shared/roles';
import type { Config } from '../../config';
import { audited } from '../audited';
import type { Command } from '../command';

export interface SsoSettingsInput {
  issuer: string;
  clientId: string;
  /** Required the first time; kept when left out later. */
  clientSecret?: string;
  allowedDomains: string[];
  groupRoles: Record<string, Role>;
  enabled: boolean;
  requiredForStaff: boolean;
}

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

function refusals(input: SsoSettingsInput, row: TenantSso | null, env: Config['env']): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  if (!issuerAllowed(input.issuer, env))
    details.push({ field: 'issuer', message: 'must be an https URL (http only for a loopback provider outside production)' });
  if (input.clientSecret === undefined && !row) details.push({ field: 'clientSecret', message: 'is required the first time' });
  // The schema allows staff roles only; said again here, where the rule matters most: no mapping ever makes a platform admin.
  for (const [group, role] of Object.entries(input.groupRoles)) {
    if (!isStaff(role)) details.push({ field: `groupRoles.${group}`, message: 'must be a staff role' });
  }
  if (input.requiredForStaff && !input.enabled) details.push({ field: 'requiredForStaff', message: 'needs company sign-in enabled' });
  return details;
}

export const updateSsoSettings: Command<SsoSettingsInput, TenantSso> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  const row = await TenantSso.findByPk(tenantId);
  const details = refusals(input, row, deps.config.env);
  if (details.length) throw unprocessable('The company sign-in settings are invalid', details);
  const before = row?.toJSON() ?? null;
  const { clientSecret, ...fields } = input;
  const values = { ...fields, allowedDomains: fields.allowedDomains.map((domain) => domain.toLowerCase()) };
  return audited(
    deps,
    async (transaction) => {
      if (row) return row.update({ ...values, ...(clientSecret !== undefined && { clientSecret }) }, { transaction });
      return TenantSso.create({ tenantId, ...values, clientSecret: clientSecret! }, { transaction });
    },
    (saved) => ({ tenantId, action: 'tenant_sso.update', entityType: 'tenant_sso', entityId: tenantId, before, after: saved.toJSON() }),
  );
};
