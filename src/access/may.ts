/**
 * `may(caller, verb, row?)`: whether the caller may do `verb` (src/access/verbs), and, given a row,
 * do it on that row: the caller's role is one the verb names, and the row's access rule lets them
 * see it. The routes and GraphQL refuse a role the verb does not name with 403 before reading
 * anything; a row the caller may not see is answered like a missing one (404) by `findVisible`.
 */
import type { Model, ModelStatic } from 'sequelize';
import { Claim } from '../models';
import { assertPerson, type AuthUser } from '../shared/caller';
import { forbidden } from '../shared/errors';
import { claimAccess } from './claims';
import { roleMay, type Verb } from './verbs';
import { PERSON_DECISIONS } from './verbs/person-decisions';

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

/**
 * Refuses, before anything is read, a caller whose role `verb` does not name (403), and an API key
 * where `verb` is a person's decision (403 person_required, ./verbs/person-decisions.ts): the check of
 * every route's and mutation's verb.
 */
export function assertMay(caller: AuthUser, verb: Verb): void {
  if (!may(caller, verb)) throw forbidden();
  const decision = PERSON_DECISIONS[verb];
  if (decision !== undefined) assertPerson(caller, decision);
}

/** Whether `verb` is a person's decision, which no API key may take (the OpenAPI document leaves keys off its routes). */
export const isPersonDecision = (verb: Verb): boolean => PERSON_DECISIONS[verb] !== undefined;
