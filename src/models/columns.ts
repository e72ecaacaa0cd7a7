/**
 * What the model classes share: the declared key and timestamps of a row (`Row`, `TenantRow`),
 * their columns, a table's options, and one helper per frequent kind of column, so that each
 * attribute says its type and whether it may be null once. Every helper answers a new object:
 * Sequelize writes into the definitions it is given (the field name, an association's reference),
 * so two models must never share one.
 */
import {
  DataTypes,
  Model,
  type CreationOptional,
  type DataType,
  type InferAttributes,
  type InferCreationAttributes,
  type InitOptions,
  type ModelAttributeColumnOptions,
  type Sequelize,
} from 'sequelize';

/** A row whose UUID key is generated on insert, with the created and updated times Sequelize keeps. */
export abstract class Row<M extends Model> extends Model<InferAttributes<M>, InferCreationAttributes<M>> {
  declare id: CreationOptional<string>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A `Row` that belongs to one tenant. */
export abstract class TenantRow<M extends Model> extends Row<M> {
  declare tenantId: string;
}

/** What a column adds to its type and nullability: a default, uniqueness, a validation, a getter. */
type ColumnExtras = Omit<ModelAttributeColumnOptions, 'type' | 'allowNull'>;

/** A NOT NULL column. */
export function required(type: DataType, extras: ColumnExtras = {}): ModelAttributeColumnOptions {
  return { type, allowNull: false, ...extras };
}

/** A column that may be null. */
export function optional(type: DataType, extras: ColumnExtras = {}): ModelAttributeColumnOptions {
  return { type, ...extras };
}

/** A column that may be null and is written as NULL when a new row does not give it. */
export function nullByDefault(type: DataType): ModelAttributeColumnOptions {
  return { type, allowNull: true, defaultValue: null };
}

export const requiredUuid = (extras?: ColumnExtras) => required(DataTypes.UUID, extras);
export const optionalUuid = (extras?: ColumnExtras) => optional(DataTypes.UUID, extras);
export const requiredString = (length: number, extras?: ColumnExtras) => required(DataTypes.STRING(length), extras);
export const optionalString = (length: number) => optional(DataTypes.STRING(length));
export const requiredText = () => required(DataTypes.TEXT);
export const optionalText = () => optional(DataTypes.TEXT);
export const requiredInteger = (extras?: ColumnExtras) => required(DataTypes.INTEGER, extras);
export const optionalInteger = () => optional(DataTypes.INTEGER);
export const requiredDate = (extras?: ColumnExtras) => required(DataTypes.DATE, extras);
export const optionalDate = () => optional(DataTypes.DATE);
export const requiredJson = (extras?: ColumnExtras) => required(DataTypes.JSONB, extras);
export const optionalJson = () => optional(DataTypes.JSONB);

/** A UUID key the row is given rather than generated (the ID a command derived from its request, or another table's key). */
export const uuidKey = () => optional(DataTypes.UUID, { primaryKey: true });

/** The column of `Row.id`. */
export function idColumn() {
  return { id: optional(DataTypes.UUID, { defaultValue: DataTypes.UUIDV4, primaryKey: true }) };
}

/** The column of `TenantRow.tenantId`. */
export function tenantColumn() {
  return { tenantId: requiredUuid() };
}

/** The columns of `Row.createdAt` and `Row.updatedAt`. */
export function timestampColumns() {
  return { createdAt: DataTypes.DATE, updatedAt: DataTypes.DATE };
}

/** A model's table: its name, its columns in snake_case, and `extras` such as `paranoid` or `updatedAt: false`. */
export function tableOptions<M extends Model>(
  sequelize: Sequelize,
  tableName: string,
  extras: Omit<InitOptions<M>, 'sequelize' | 'tableName'> = {},
): InitOptions<M> {
  return { sequelize, tableName, underscored: true, ...extras };
}
