/** The tenant's users as its admins manage them; the writes are the commands of src/domain/users/commands.ts. */
import { createUser, updateUser } from '../../domain/users/commands';
import { resetUserMfa } from '../../domain/identity/mfa';
import { User } from '../../models';
import { narrowed, tenantOf } from '../../access/core';
import { userAccess } from '../../access/users';
import { acceptedAnswer, idParams, userSchema } from '../http/common-schemas';
import { pageSchema, paginate } from '../lists/pagination';
import { RouteSpec, tagged } from '../http/route';
import { findRoute, readRoute } from '../http/row-route';
import { deleteOperationRoute, operation, operationRoute, withPresence } from '../http/operation';
import { updateRoute } from '../http/write-route';
import { textSearch } from '../lists/search';
import { createUserBody, listUsersQuery, resetMfaBody, updateUserBody } from './schemas';

export function userRoutes(): RouteSpec[] {
  return tagged('users', [
    readRoute({
      path: '/users',
      summary: "List the tenant's users",
      verb: 'listUsers',
      query: listUsersQuery,
      schema: pageSchema(userSchema),
      read: async (ctx) => {
        const { role, isActive, q, ...page } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const where = narrowed(userAccess.scope(ctx.state.user), {
          ...(role && { role }),
          ...(isActive !== undefined && { isActive }),
        });
        const search = q ? textSearch(ctx.services.sequelize, tenantId, q) : undefined;
        return paginate(User, page, where, { search });
      },
    }),
    operationRoute(operation({ name: 'users.create', verb: 'addUser', body: createUserBody, run: withPresence(createUser) }), {
      method: 'post',
      path: '/users',
      summary:
        'Add a user to the tenant: the account works once the link mailed to its address is followed (202 whether or not the address has an account), and only while you could still add it. A tenant_admin needs your password or a sign-in of the last 5 minutes (403 reauthentication_required otherwise)',
      ...acceptedAnswer('The next step is in the e-mail sent to this address: the account works once its owner confirms it'),
    }),
    findRoute({
      path: '/users/:id',
      summary: 'One user of the tenant',
      verb: 'viewUser',
      access: userAccess,
      schema: userSchema,
    }),
    updateRoute(
      operation({ name: 'users.update', verb: 'changeUser', params: idParams, body: updateUserBody, run: withPresence(updateUser) }),
      {
        method: 'patch',
        path: '/users/:id',
        summary:
          'Change a user of the tenant (name, role, manager, active; never their password: 400); 409 last_tenant_admin for a change that would leave the tenant no active admin; making an active tenant admin needs your password or a sign-in of the last 5 minutes (403 reauthentication_required otherwise)',
        schema: userSchema,
      },
    ),
    // DELETE carries no body, so no password: a sign-in of the last minutes is its proof; POST …/reset takes either.
    deleteOperationRoute(
      operation({
        name: 'users.resetMfa',
        verb: 'resetUserMfa',
        params: idParams,
        run: withPresence(resetUserMfa),
      }),
      {
        path: '/users/:id/mfa',
        summary:
          "Remove a user's second factor (lost phone and recovery codes) within 5 minutes of signing in (403 reauthentication_required otherwise; POST /users/:id/mfa/reset takes your password instead); the user is told by mail and signs in with their password, or enrols again if required",
      },
    ),
    operationRoute(
      operation({
        name: 'users.resetMfaWithPassword',
        verb: 'resetUserMfa',
        params: idParams,
        body: resetMfaBody,
        run: withPresence(resetUserMfa),
      }),
      {
        method: 'post',
        path: '/users/:id/mfa/reset',
        summary:
          "Remove a user's second factor, with your password or within 5 minutes of signing in (403 reauthentication_required otherwise); the user is told by mail",
        response: { status: 204 },
      },
    ),
  ]);
}
