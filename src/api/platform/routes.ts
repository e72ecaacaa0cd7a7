/**
 * Platform admins, as other platform admins propose, approve or decline, list and deactivate them
 * (docs/onboarding.md, Platform admins).
 */
import { deactivatePlatformAdmin } from '../../domain/platform/admin-status';
import {
  approvePlatformAdmin,
  createPlatformAdmin,
  declinePlatformAdmin,
  platformAdminViews,
  proposeReactivation,
} from '../../domain/platform/admin-proposals';
import { User } from '../../models';
import { platformAdminAccess } from '../../access/platform';
import { idParams, userSchema } from '../http/common-schemas';
import { type RouteSpec, tagged } from '../http/route';
import { operation } from '../http/operation';
import { listRoute } from '../http/row-route';
import { acceptedRoute, actionRoute } from '../http/write-route';
import { createPlatformAdminBody, declinePlatformAdminBody, listPlatformAdminsQuery, platformAdminSchema } from './schemas';

/** The addition or reactivation is taken in, not carried out; a second platform admin approves or declines it. */
const PROPOSED = {
  schema: platformAdminSchema,
  description: 'Proposed: the admin stays inactive (no mail, no sign-in) until a second platform admin approves',
};

export function platformAdminRoutes(): RouteSpec[] {
  return tagged('platform', [
    listRoute({
      path: '/platform/admins',
      summary: 'List the platform admins, each with their latest proposal',
      verb: 'listPlatformAdmins',
      model: User,
      access: platformAdminAccess,
      query: listPlatformAdminsQuery,
      filters: ['isActive'],
      schema: platformAdminSchema,
      present: platformAdminViews,
    }),
    acceptedRoute(
      operation({ name: 'platform.addAdmin', verb: 'addPlatformAdmin', body: createPlatformAdminBody, run: createPlatformAdmin }),
      {
        path: '/platform/admins',
        summary:
          'Propose a platform admin: the account is made inactive; once a second platform admin approves, they choose their password with the token mailed to them (72 hours); 409 if the address has an account',
        ...PROPOSED,
      },
    ),
    acceptedRoute(
      operation({ name: 'platform.reactivateAdmin', verb: 'reactivatePlatformAdmin', params: idParams, run: proposeReactivation }),
      {
        path: '/platform/admins/:id/reactivate',
        summary:
          'Propose to reactivate a platform admin: they sign in again once a second platform admin approves (409 if active, or a proposal awaits already)',
        ...PROPOSED,
      },
    ),
    actionRoute(operation({ name: 'platform.approveAdmin', verb: 'approvePlatformAdmin', params: idParams, run: approvePlatformAdmin }), {
      path: '/platform/admins/:id/approve',
      summary:
        "Approve a platform admin's addition or reactivation: they become active (an added one is mailed the set-password token); not by the proposer or the admin, under any account on their mailbox (403 same_person); 409 if no proposal awaits",
      schema: platformAdminSchema,
    }),
    actionRoute(
      operation({
        name: 'platform.declineAdmin',
        verb: 'declinePlatformAdmin',
        params: idParams,
        body: declinePlatformAdminBody,
        run: declinePlatformAdmin,
      }),
      {
        path: '/platform/admins/:id/decline',
        summary:
          "Decline (or, by its proposer, withdraw) a platform admin's addition or reactivation: the admin stays inactive; 409 if no proposal awaits",
        schema: platformAdminSchema,
      },
    ),
    actionRoute(
      operation({ name: 'platform.deactivateAdmin', verb: 'deactivatePlatformAdmin', params: idParams, run: deactivatePlatformAdmin }),
      {
        path: '/platform/admins/:id/deactivate',
        summary:
          'Deactivate a platform admin: every session of theirs ends (409 if inactive already, 409 last_platform_admin for the last active one)',
        schema: userSchema,
      },
    ),
  ]);
}
