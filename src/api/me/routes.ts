/** The caller's own views across processes: the work inbox (docs/inbox.md); and their own settings. */
import { setOwnLocale } from '../../domain/users/locale';
import { operation } from '../http/operation';
import { updateRoute } from '../http/write-route';
import { RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { inboxSchema, mySettingsBody, mySettingsSchema, tasksQuery } from './schemas';
import { inboxOf } from './tasks';

export function meRoutes(): RouteSpec[] {
  return tagged('me', [
    readRoute({
      path: '/me/tasks',
      summary:
        'What waits for me: claims assigned to me with their SLA deadline, versions I may review, my open acknowledgements, registrations to decide (platform admins); ordered by due date, with counts per kind',
      query: tasksQuery,
      schema: inboxSchema,
      read: (ctx) => inboxOf(ctx.state.user, ctx.state.input.query.limit),
    }),
    updateRoute(operation({ name: 'me.setOwnLocale', body: mySettingsBody, run: setOwnLocale }), {
      method: 'patch',
      path: '/me',
      summary: "Set my own settings: the language of the mails I get (null: the tenant's default)",
      schema: mySettingsSchema,
    }),
  ]);
}
