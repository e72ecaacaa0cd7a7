/**
 * The access rules (docs/architecture.md, Access rules). One module per resource says which
 * rows a caller may see (`scope` as a query, `canSee` for a row in hand) and, where a visible row
 * is not enough, what the caller may do with it (`canAct`). A row the caller may not see or act on
 * is answered exactly like a missing one (404), so no answer tells whether it exists; a role that
 * may act on nothing of the kind is refused earlier with 403 (a route's `roles`, or a workflow's
 * Update validator).
 */
import { Op, type FindOptions, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { findOneWhere } from '../models/prepared-statement';
import type { AuthUser } from '../shared/caller';
import { type Role, TENANT_ROLES } from '../shared/roles';
import { NotPermitted, NotVisible } from './refusals';

/** The caller's tenant; platform admins have none, so a tenant's resources are not theirs to use (403). */
export function tenantOf(caller: AuthUser): string {
  if (!caller.tenantId) throw new NotPermitted('This route belongs to a tenant; platform admins have none');
  return caller.tenantId;
}

export interface AccessRule<M extends Model, Action extends string = never> {
  /** The resource's name in a 404 answer. */
  readonly resource: string;
  readonly model: ModelStatic<M>;
  /** The rows the caller may see, as a query: lists and lookups by id use it. */
  scope(caller: AuthUser): WhereOptions;
  /** Whether the caller may see a row found some other way (e.g. by its workflow ID). */
  canSee(caller: AuthUser, row: M): boolean;
  /** Whether the caller may do `action` with a row they see. */
  canAct?(caller: AuthUser, row: M, action: Action): boolean;
}

/**
 * The rows of `scope` that also match `filters` (what a caller asked for): a filter only narrows.
 * Spread into one object, a filter on a column the scope restricts would replace the restriction
 * (`?kind=claims` over the role's `kind IN (...)`); then both go as two conditions under `Op.and`.
 * Otherwise they stay one plain object, the simple filters a list's single-statement page reads
 * (src/api/lists/page-statement.ts).
 */
export function narrowed<T>(scope: WhereOptions<T>, filters: WhereOptions<T>): WhereOptions<T> {
  const scoped = new Set(Reflect.ownKeys(scope));
  if (Reflect.ownKeys(filters).some((key) => scoped.has(key))) return { [Op.and]: [scope, filters] };
  return { ...scope, ...filters };
}

/** The row, if the caller may see it (and do `action` with it); 404 otherwise, like a missing row. */
export function authorize<M extends Model, Action extends string>(
  caller: AuthUser,
  rule: AccessRule<M, Action>,
  row: M | null,
  action?: Action,
): M {
  const allowed = row !== null && rule.canSee(caller, row) && (action === undefined || rule.canAct?.(caller, row, action) === true);
  if (!allowed) throw new NotVisible(rule.resource);
  return row;
}

/** The row with this id among those the caller may see (and may do `action` with); 404 otherwise. */
export async function findVisible<M extends Model, Action extends string>(
  caller: AuthUser,
  rule: AccessRule<M, Action>,
  id: string,
  options: { action?: Action } & Pick<FindOptions, 'include'> = {},
): Promise<M> {
  const { action, include } = options;
  // Every model with an access rule has an `id`; a generic model type cannot say so. Both conditions
  // hold: a scope that itself names an id (a tenant admin's own tenant) is not overwritten.
  const scope = rule.scope(caller);
  const row = include
    ? await rule.model.findOne({ include, where: { [Op.and]: [scope, { id }] } })
    : await findOneWhere(rule.model, scope, { id });
  return authorize(caller, rule, row, action);
}

interface TenantRow extends Model {
  tenantId: string | null;
}

/** The access rule of rows any of `roles` (by default every role) of the row's tenant may see. */
export function tenantAccess<M extends TenantRow>(
  resource: string,
  model: ModelStatic<M>,
  roles: readonly Role[] = TENANT_ROLES,
): AccessRule<M> {
  return {
    resource,
    model,
    scope: (caller) => ({ tenantId: tenantOf(caller) }),
    canSee: (caller, row) => row.tenantId === caller.tenantId && roles.includes(caller.role),
  };
}
