/** The tenant's notifications as its admins see them before anyone gets one (docs/notifications.md, Preview). */
import { previewNotification } from '../../domain/notifications/preview';
import { RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { previewParams, previewQuery, previewSchema } from './schemas';

export function notificationRoutes(): RouteSpec[] {
  return tagged('tenant', [
    readRoute({
      path: '/tenant/notifications/:type/preview',
      summary:
        "Render a notification with sample data, as the tenant's people would get it (branding, overrides, time zone, link templates): subject, text and HTML",
      verb: 'previewNotification',
      params: previewParams,
      query: previewQuery,
      schema: previewSchema,
      read: (ctx) => previewNotification(ctx.state.user, ctx.services.config, ctx.state.input.params.type, ctx.state.input.query.locale),
    }),
  ]);
}
