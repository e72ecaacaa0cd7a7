/** The tenant's users as its admins manage them; the writes are the commands of src/domain/users/commands.ts. */
import { createUser, updateUser } from '../../domain/users/commands';
import { resetUserMfa } from '../../domain/identity/mfa';
import { User } from '../../models';
import { narrowed, tenantOf } from '../../access/core';
import { userAccess } from '../../access/users';
import { acceptedAnswer, idParams, userSchema } from '../http/common-schemas';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteSpec, tagged } from '../http/route';
import { findRoute } from '../http/row-route';
import { deleteOperationRoute, operation, operationRoute } from '../http/operation';
import { textSearch } from '../lists/search';
import { createUserBody, listUsersQuery, updateUserBody } from './schemas';

export function userRoutes(): RouteSpec[] {
  return tagged('users', [
    route({
      method: 'get',
      path: '/users',
      summary: "List the tenant's users",
      verb: 'listUsers',
      query: listUsersQuery,
      response: { status: 200, schema: pageSchema(userSchema) },
      handler: async (ctx) => {
        const { role, isActive, q, ...page } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const where = narrowed(userAccess.scope(ctx.state.user), {
          ...(role && { role }),
          ...(isActive !== undefined && { isActive }),
        });
        const search = q ? textSearch(ctx.services.sequelize, tenantId, q) : undefined;
        ctx.body = await paginate(User, page, where, { search });
      },
    }),
    operationRoute(operation({ name: 'users.create', verb: 'addUser', body: createUserBody, run: createUser }), {
      method: 'post',
      path: '/users',
      summary:
        'Add a user to the tenant: the account works once the link mailed to its address is followed (202 whether or not the address has an account)',
      ...acceptedAnswer('The next step is in the e-mail sent to this address: the account works once its owner confirms it'),
    }),
    findRoute({
      path: '/users/:id',
      summary: 'One user of the tenant',
      verb: 'viewUser',
      access: userAccess,
      schema: userSchema,
    }),
    operationRoute(operation({ name: 'users.update', verb: 'changeUser', params: idParams, body: updateUserBody, run: updateUser }), {
      method: 'patch',
      path: '/users/:id',
      summary:
        'Change a user of the tenant (name, role, manager, active, password); 409 last_tenant_admin for a change that would leave the tenant no active admin',
      response: { status: 200, schema: userSchema },
    }),
    deleteOperationRoute(operation({ name: 'users.resetMfa', verb: 'resetUserMfa', params: idParams, run: resetUserMfa }), {
      path: '/users/:id/mfa',
      summary:
        "Remove a user's second factor (lost phone and recovery codes): they sign in with their password, or enrol again if required",
    }),
  ]);
}
