/** Platform admins, as other platform admins add and list them (docs/onboarding.md, Platform admins). */
import { createPlatformAdmin } from '../../domain/platform/commands';
import { User } from '../../models';
import { platformAdminPolicy } from '../../policies/platform';
import { userSchema } from '../http/common-schemas';
import { commandDeps } from '../http/command-deps';
import { route, RouteSpec } from '../http/route';
import { pageSchema, paginate } from '../lists/pagination';
import { createPlatformAdminBody, listPlatformAdminsQuery } from './schemas';

export function platformAdminRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/platform/admins',
      summary: 'List the platform admins',
      tag: 'platform',
      roles: ['platform_admin'],
      query: listPlatformAdminsQuery,
      response: { status: 200, schema: pageSchema(userSchema) },
      handler: async (ctx) => {
        const { isActive, ...page } = ctx.state.input.query;
        ctx.body = await paginate(User, page, {
          ...platformAdminPolicy.scope(ctx.state.user),
          ...(isActive !== undefined && { isActive }),
        });
      },
    }),
    route({
      method: 'post',
      path: '/platform/admins',
      summary: 'Add a platform admin: they choose their password with the token mailed to them (72 hours)',
      tag: 'platform',
      roles: ['platform_admin'],
      body: createPlatformAdminBody,
      response: { status: 201, schema: userSchema },
      handler: async (ctx) => {
        ctx.status = 201;
        ctx.body = await createPlatformAdmin(ctx.state.user, ctx.state.input.body, commandDeps(ctx));
      },
    }),
  ];
}
