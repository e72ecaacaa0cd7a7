/**
 * The roles a request may NAME (a user's new role, an API key's role, the role a provider group
 * gives), as Joi schemas. They say which values are roles of that kind, not who may act: that is
 * the verbs' (src/access/verbs). Kept here, beside the verbs, so a role list lives in src/access only.
 */
import { oneOf } from '../shared/typed-schema';
import { STAFF_ROLES, TENANT_ROLES } from '../shared/roles';
import { IDENTITY_VERBS } from './verbs/identity';

/** Any role within a tenant (a user's). */
export const tenantRole = oneOf(TENANT_ROLES);

/** A staff role: what a company sign-in group may give (never a platform admin, never a policyholder). */
export const staffRole = oneOf(STAFF_ROLES);

/** An API key's role: one a key may carry (the verb `beApiKeyRole`). */
export const apiKeyRole = oneOf(IDENTITY_VERBS.beApiKeyRole);
