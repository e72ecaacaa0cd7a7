/**
 * The SELECT Sequelize would send for `findAll(options)`, built without sending it: for a
 * statement that wraps a find (a count over its first rows, src/api/lists/capped-count.ts). The
 * options are prepared as `findAll` prepares them (default scope, includes, attribute and field
 * names, a paranoid model's deleted rows); hooks do not run, as no model of ours has find hooks.
 */
import { Utils, type FindOptions, type Model, type ModelStatic } from 'sequelize';

/** The steps of `Model.findAll` that Sequelize keeps private (lib/model.js, 6.x). */
interface FindPreparation {
  _injectScope(options: object): void;
  _conformIncludes(options: object, model: ModelStatic<Model>): void;
  _expandAttributes(options: object): void;
  _expandIncludeAll(options: object): void;
  _validateIncludedElements(options: object, tableNames: Record<string, boolean>): void;
  _paranoidClause(model: ModelStatic<Model>, options: object): object;
}

interface SelectQueryGenerator {
  selectQuery(tableName: unknown, options: object, model: ModelStatic<Model>): string;
}

/** SQL of `model.findAll(options)`, without its closing semicolon so that it nests as a subquery. */
export function findAllSql(model: ModelStatic<Model>, options: FindOptions): string {
  const steps = model as unknown as FindPreparation;
  const tableName = model.getTableName();
  const prepared: FindOptions & { hasJoin?: boolean } = Utils.cloneDeep(options);
  steps._injectScope(prepared);
  steps._conformIncludes(prepared, model);
  steps._expandAttributes(prepared);
  steps._expandIncludeAll(prepared);
  if (prepared.include) {
    prepared.hasJoin = true;
    steps._validateIncludedElements(prepared, { [String(tableName)]: true });
  }
  prepared.attributes ??= Object.keys(model.getAttributes());
  // Typed for attribute names only; a find's attributes may also be aliased expressions.
  Utils.mapFinderOptions(prepared as Parameters<typeof Utils.mapFinderOptions>[0], model);
  const finalOptions = steps._paranoidClause(model, prepared);
  const generator = model.sequelize!.getQueryInterface().queryGenerator as SelectQueryGenerator;
  return generator.selectQuery(tableName, { ...finalOptions, model }, model).replace(/;\s*$/, '');
}
