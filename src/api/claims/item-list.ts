/**
 * GET a page of a claim's notes or documents, the two kinds of row a claim's staff add and withdraw
 * alike: the claim must be one the caller sees (404 otherwise), withdrawn rows only for a tenant
 * admin asking for them (`withdrawnFilter`), oldest first.
 */
import type Joi from 'joi';
import type { Model, ModelStatic } from 'sequelize';
import { claimAccess, withdrawnFilter } from '../../access/claims';
import { findVisible } from '../../access/core';
import { idParams } from '../http/common-schemas';
import { type DeclaredRoute } from '../http/route';
import { readRoute, type Placement } from '../http/row-route';
import { pageSchema, paginate } from '../lists/pagination';
import { listClaimItemsQuery } from './schemas';

export function claimItemListRoute<M extends Model>(spec: Placement & { model: ModelStatic<M>; schema: Joi.Schema }): DeclaredRoute {
  const { model, schema, ...placement } = spec;
  return readRoute({
    ...placement,
    params: idParams,
    query: listClaimItemsQuery,
    schema: pageSchema(schema),
    read: async (ctx) => {
      const { user } = ctx.state;
      const { includeWithdrawn, ...page } = ctx.state.input.query;
      const claim = await findVisible(user, claimAccess, ctx.state.input.params.id);
      const where = { claimId: claim.id, ...withdrawnFilter(user, includeWithdrawn) };
      return paginate(model, { ...page, ordering: 'createdAt' }, where);
    },
  });
}
