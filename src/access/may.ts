/**
 * `may(caller, verb, row?)`: whether the caller may do `verb` (src/access/verbs), and, given a row,
 * do it on that row: the caller's role is one the verb names, and the row's access rule lets them
 * see it. The routes and GraphQL refuse a role the verb does not name with 403 before reading
 * anything; a row the caller may not see is answered like a missing one (404) by `findVisible`.
 */
import type { Model, ModelStatic } from 'sequelize';
import { Claim } from '../models';
import type { AuthUser } from '../shared/caller';
import { claimAccess } from './claims';
import { roleMay, type Verb } from './verbs';

export type { Verb };

/** Who sees a row, by its model: the `canSee` of the model's access rule, for the models a verb is asked about with a row. */
const SEES_ROW_OF = new Map<ModelStatic<Model>, (caller: AuthUser, row: Model) => boolean>([
  [Claim, (caller, row) => claimAccess.canSee(caller, row as Claim)],
]);

export function may(caller: AuthUser, verb: Verb, row?: Model): boolean {
  if (!roleMay(caller.role, verb)) return false;
  if (row === undefined) return true;
  const seesRow = SEES_ROW_OF.get(row.constructor as ModelStatic<Model>);
  if (!seesRow) throw new Error(`No access rule says who sees a ${row.constructor.name}: add it to SEES_ROW_OF`);
  return seesRow(caller, row);
}
