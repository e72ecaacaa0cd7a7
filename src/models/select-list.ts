import type { Model, ModelStatic } from 'sequelize';

const selectLists = new WeakMap<ModelStatic<Model>, string>();

/**
 * Every attribute of the model as its quoted column under the attribute's own name, so a raw
 * statement answers rows exactly as a find builds them. Built once per model, after its init.
 */
export function selectListOf(model: ModelStatic<Model>): string {
  let list = selectLists.get(model);
  if (!list) {
    const queryInterface = model.sequelize!.getQueryInterface();
    list = Object.entries(model.getAttributes())
      .map(([name, attribute]) => `${queryInterface.quoteIdentifier(attribute.field ?? name)} AS "${name}"`)
      .join(', ');
    selectLists.set(model, list);
  }
  return list;
}
