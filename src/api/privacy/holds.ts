/**
 * Legal holds on a person's data (docs/privacy.md, Erasure, retention and legal holds): tenant
 * admins and compliance officers place, release and list them; the writes are
 * src/domain/privacy/holds.ts.
 */
import { Op, type WhereOptions } from 'sequelize';
import { placeLegalHold, releaseLegalHold } from '../../domain/privacy/holds';
import { narrowed } from '../../access/core';
import { legalHoldAccess } from '../../access/privacy-erasures';
import { PrivacyLegalHold } from '../../models';
import { idParams } from '../http/common-schemas';
import { actionRoute, createRoute } from '../http/write-route';
import { operation } from '../http/operation';
import { RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { pageSchema, paginate } from '../lists/pagination';
import { holdSchema, listHoldsQuery, placeHoldBody } from './holds-schemas';

function holdView(hold: PrivacyLegalHold) {
  const { id, userId, reason, placedById, createdAt, releasedAt, releasedById } = hold;
  return { id, userId, reason, placedById, createdAt, releasedAt, releasedById };
}

export function legalHoldRoutes(): RouteSpec[] {
  return tagged('privacy', [
    createRoute(operation({ name: 'privacy.placeLegalHold', verb: 'placeLegalHold', body: placeHoldBody, run: placeLegalHold }), {
      path: '/privacy/holds',
      summary:
        'Place a legal hold on a person of the tenant: until it is released no erasure of them is accepted (409 legal_hold), and an erasure in flight stops before its next step (status blocked)',
      schema: holdSchema,
      view: holdView,
    }),
    actionRoute(operation({ name: 'privacy.releaseLegalHold', verb: 'releaseLegalHold', params: idParams, run: releaseLegalHold }), {
      path: '/privacy/holds/:id/release',
      summary: 'Release a legal hold; releasing it again changes nothing',
      schema: holdSchema,
      view: holdView,
    }),
    readRoute({
      path: '/privacy/holds',
      summary: "The tenant's legal holds, active and released",
      verb: 'listLegalHolds',
      query: listHoldsQuery,
      schema: pageSchema(holdSchema),
      read: async (ctx) => {
        const { userId, active, ...page } = ctx.state.input.query;
        const where: WhereOptions<PrivacyLegalHold> = narrowed(legalHoldAccess.scope(ctx.state.user), {
          ...(userId && { userId }),
          ...(active !== undefined && { releasedAt: active ? null : { [Op.ne]: null } }),
        });
        const found = await paginate(PrivacyLegalHold, page, where);
        return { ...found, items: found.items.map(holdView) };
      },
    }),
  ]);
}
