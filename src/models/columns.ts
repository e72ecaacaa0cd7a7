/**
 * What the model classes share: the declared fields of a row (`Timestamped`, `Row`, `TenantRow`)
 * and their columns (`rowColumns` and `tenantRowColumns` put a model's own around them), a
 * table's options, and `required`/`optional` columns by kind, so that each attribute says its type
 * and whether it may be null once. Every helper answers a new object: Sequelize writes into the
 * definitions it is given (the field name, an association's reference), so two models must never
 * share one. */
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

/** A row with the created and updated times Sequelize keeps. */
export abstract class Timestamped<M extends Model> extends Model<InferAttributes<M>, InferCreationAttributes<M>> {
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A `Timestamped` row whose UUID key is generated on insert. */
export abstract class Row<M extends Model> extends Timestamped<M> {
  declare id: CreationOptional<string>;
}

/** A `Row` that belongs to one tenant. */
export abstract class TenantRow<M extends Model> extends Row<M> {
  declare tenantId: string;
}

/** What a column adds to its type and nullability: a default, uniqueness, a validation, a getter. */
type ColumnExtras = Omit<ModelAttributeColumnOptions, 'type' | 'allowNull'>;
type Column = (type: DataType, extras?: ColumnExtras) => ModelAttributeColumnOptions;

/** The frequent kinds of column, of one nullability. */
function kinds(column: Column) {
  return {
    uuid: (extras?: ColumnExtras) => column(DataTypes.UUID, extras),
    string: (length: number, extras?: ColumnExtras) => column(DataTypes.STRING(length), extras),
    text: (extras?: ColumnExtras) => column(DataTypes.TEXT, extras),
    integer: (extras?: ColumnExtras) => column(DataTypes.INTEGER, extras),
    date: (extras?: ColumnExtras) => column(DataTypes.DATE, extras),
    json: (extras?: ColumnExtras) => column(DataTypes.JSONB, extras),
  };
}

const notNull: Column = (type, extras = {}) => ({ type, allowNull: false, ...extras });
const nullable: Column = (type, extras = {}) => ({ type, ...extras });

/** A NOT NULL column: `required(type)`, or by its kind: `required.uuid()`, `required.string(200)`… */
export const required = Object.assign(notNull, kinds(notNull));

/** A column that may be null: `optional(type)`, or by its kind: `optional.date()`… */
export const optional = Object.assign(nullable, kinds(nullable));

/** A column that may be null and is written as NULL when a new row does not give it. */
export function nullByDefault(type: DataType): ModelAttributeColumnOptions {
  return { type, allowNull: true, defaultValue: null };
}

/** A BIGINT that may be null, read as a number: PostgreSQL answers BIGINT as a string; for values far below 2^53. */
export function optionalBigintNumber(attribute: string): ModelAttributeColumnOptions {
  return {
    type: DataTypes.BIGINT,
    get(this: Model) {
      const raw = this.getDataValue(attribute) as number | string | null;
      return raw === null || raw === undefined ? null : Number(raw);
    },
  };
}

/** A primary key the row is given rather than generated. */
export function primaryKey(type: DataType): ModelAttributeColumnOptions {
  return { type, primaryKey: true };
}

/** A UUID key the row is given (the ID a command derived from its request, or another table's key). */
export const uuidKey = () => primaryKey(DataTypes.UUID);

/** The column of `Row.id`. */
export function idColumn() {
  return { id: optional.uuid({ defaultValue: DataTypes.UUIDV4, primaryKey: true }) };
}

/** The column of `TenantRow.tenantId`. */
export function tenantColumn() {
  return { tenantId: required.uuid() };
}

/** The columns of `Row.createdAt` and `Row.updatedAt`. */
export function timestampColumns() {
  return { createdAt: DataTypes.DATE, updatedAt: DataTypes.DATE };
}

/** A `Row` model's columns: its own between the key and the timestamps. */
export function rowColumns<C extends object>(own: C) {
  return { ...idColumn(), ...own, ...timestampColumns() };
}

/** A `TenantRow` model's columns: its own after the key and the tenant, before the timestamps. */
export function tenantRowColumns<C extends object>(own: C) {
  return rowColumns({ ...tenantColumn(), ...own });
}

/** A model's table: its name, its columns in snake_case, and `extras` such as `paranoid` or `updatedAt: false`. */
export function tableOptions<M extends Model>(
  sequelize: Sequelize,
  tableName: string,
  extras: Omit<InitOptions<M>, 'sequelize' | 'tableName'> = {},
): InitOptions<M> {
  return { sequelize, tableName, underscored: true, ...extras };
}
