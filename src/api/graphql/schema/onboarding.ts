/**
 * Tenants and registrations as platform admins read them: GET /tenants, /tenants/:id,
 * /registrations and /registrations/:id with their filters, ordering, roles and access policy (a
 * tenant admin reads their own tenant only).
 */
import Joi from 'joi';
import { isoDate } from '../../../shared/typed-schema';
import type { Model } from 'sequelize';
import { REGISTRATION_STATUSES } from '../../../contracts/onboarding';
import { REQUIREMENT_STATUSES } from '../../../domain/compliance/requirements';
import { Registration as RegistrationModel, Tenant as TenantModel } from '../../../models';
import { registrationAccess, tenantRecordAccess } from '../../../access/platform';
import { may } from '../../../access/may';
import { narrowed, type AccessRule } from '../../../access/core';
import type { AuthUser } from '../../../shared/caller';
import { listRegistrationsQuery } from '../../onboarding/registrations/schemas';
import { listTenantsQuery } from '../../onboarding/tenants/schemas';
import { costOf, STATEMENT_COST } from '../bounds';
import { builder, type BuilderTypes } from '../builder';
import type { EnumRef, QueryFieldBuilder } from '@pothos/core';
import type { TenantFiguresRow } from '../loaders';
import { listQuery, orderingOf, type ListedRows } from '../connection';
import { byIdQuery } from '../by-id';
import { relationField } from '../fields';
import { validInput } from '../input';

/** The value a cursor carries for each attribute these lists may be ordered by. */
const CURSOR_VALUES = {
  createdAt: isoDate(),
  name: Joi.string().max(400),
  slug: Joi.string().max(63),
  companyName: Joi.string().max(400),
  requestedSlug: Joi.string().max(63),
  status: Joi.string().max(20),
};

const TenantStatusEnum = builder.enumType('TenantStatus', { values: ['active', 'suspended', 'offboarded'] as const });
const RegistrationStatusEnum = builder.enumType('RegistrationStatus', { values: REGISTRATION_STATUSES });

const RequirementCounts = builder.objectRef<TenantFiguresRow['requirements']>('TenantRequirementCounts').implement({
  fields: (t) => ({
    total: t.int({ resolve: (counts) => counts.total }),
    ...Object.fromEntries(REQUIREMENT_STATUSES.map((status) => [status, t.int({ resolve: (counts) => counts[status] })])),
  }),
});

const TenantFigures = builder.objectRef<TenantFiguresRow>('TenantFigures').implement({
  description: "A tenant's figures, as the platform report counts them",
  fields: (t) => ({
    users: t.exposeInt('users', { description: 'Active users' }),
    activePolicies: t.exposeInt('activePolicies'),
    openClaims: t.exposeInt('openClaims'),
    slaBreaches: t.exposeInt('slaBreaches'),
    requirements: t.field({ type: RequirementCounts, resolve: (figures) => figures.requirements }),
  }),
});

export const Tenant = builder.objectRef<TenantModel>('Tenant');
const Registration = builder.objectRef<RegistrationModel>('Registration');

Tenant.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    status: t.expose('status', { type: TenantStatusEnum }),
    businessType: t.exposeString('businessType', { nullable: true }),
    contactEmail: t.exposeString('contactEmail', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    address: t.exposeString('address', { nullable: true }),
    suspendedAt: t.expose('suspendedAt', { type: 'DateTime', nullable: true }),
    suspensionReason: t.exposeString('suspensionReason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    figures: t.field({
      type: TenantFigures,
      nullable: true,
      // Counted for the whole page at once: about four statements, not four per tenant.
      extensions: costOf({ once: 4 * STATEMENT_COST }),
      description:
        'Its active users, active policies, open claims, SLA breaches and requirements by status (platform admins only: null for anyone else)',
      resolve: (tenant, _args, { caller, loaders }) =>
        caller && may(caller, 'viewTenantFigures') ? loaders.tenantFigures.load(tenant) : null,
    }),
    registration: t.field({
      type: Registration,
      nullable: true,
      description: 'The registration the tenant came from (platform admins only: null for anyone else)',
      resolve: (tenant, _args, { caller, loaders }) =>
        tenant.registrationId && caller && may(caller, 'viewTenantFigures') ? loaders.registration.load(tenant.registrationId) : null,
    }),
  }),
});

Registration.implement({
  description: "A company's application to join the platform (its admin's password hash is never shown)",
  fields: (t) => ({
    id: t.exposeID('id'),
    companyName: t.exposeString('companyName'),
    businessType: t.exposeString('businessType'),
    phone: t.exposeString('phone'),
    contactEmail: t.exposeString('contactEmail'),
    address: t.exposeString('address'),
    requestedSlug: t.exposeString('requestedSlug'),
    adminEmail: t.exposeString('adminEmail'),
    adminFullName: t.exposeString('adminFullName'),
    status: t.expose('status', { type: RegistrationStatusEnum }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    workflowId: t.exposeString('workflowId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    tenant: relationField(t, Tenant, 'tenant', (registration) => registration.tenantId, 'The tenant provisioned from it, once approved'),
  }),
});

/**
 * The `status` and `ordering` arguments of a list and the rows they select, as its REST list does
 * with the same query schema: those `access` lets the caller see, of that status, in that order.
 */
function byStatusAsRest<M extends Model>(
  statusEnum: EnumRef<BuilderTypes, string>,
  access: AccessRule<M, string>,
  query: Joi.ObjectSchema<{ status?: string; ordering: string }>,
) {
  return {
    args: (t: QueryFieldBuilder<BuilderTypes, BuilderTypes['Root']>) => ({ status: t.arg({ type: statusEnum }), ordering: t.arg.string() }),
    rows: (caller: AuthUser, filterArgs: Record<string, unknown>): ListedRows => {
      const { status, ordering } = validInput(query, filterArgs);
      return { where: narrowed(access.scope(caller), status ? { status } : {}), order: orderingOf(ordering, CURSOR_VALUES) };
    },
  };
}

export const TenantConnection = listQuery('tenants', Tenant, TenantModel, {
  description: 'Every tenant (platform admins), filtered and ordered as GET /tenants (newest first unless `ordering` says otherwise)',
  verb: 'listTenants',
  ...byStatusAsRest(TenantStatusEnum, tenantRecordAccess, listTenantsQuery),
});

byIdQuery('tenant', Tenant, {
  description: 'One tenant (platform admins; a tenant admin: their own, null for any other)',
  loader: (loaders) => loaders.tenant,
  verb: 'viewTenant',
});

listQuery('registrations', Registration, RegistrationModel, {
  description:
    'Registrations (platform admins), filtered and ordered as GET /registrations (newest first unless `ordering` says otherwise)',
  verb: 'listRegistrations',
  ...byStatusAsRest(RegistrationStatusEnum, registrationAccess, listRegistrationsQuery),
});

byIdQuery('registration', Registration, {
  description: 'One registration (platform admins); null when there is none',
  loader: (loaders) => loaders.registration,
  verb: 'viewRegistration',
});
