/**
 * What the model classes share: columns that carry their attribute's type (`required`, `optional`,
 * `nullByDefault` by kind), the columns every row has (`rowColumns`, `tenantRowColumns`), the model
 * class a set of columns gives (`modelOf`), and a table's options. Each attribute is declared once,
 * as its column: the model's TypeScript fields are derived from it. Every helper answers a new
 * object: Sequelize writes into the definitions it is given (the field name, an association's
 * reference), so two models must never share one.
 */
import {
  DataTypes,
  Model,
  type BuildOptions,
  type DataType,
  type InitOptions,
  type ModelAttributeColumnOptions,
  type ModelStatic,
  type Sequelize,
} from 'sequelize';

/** Exists for the compiler only: the key under which a column's options carry their attribute's type. */
declare const attribute: unique symbol;

/** A column's options, carrying its attribute's type `T` and whether a new row may leave it out. */
export type TypedColumn<T, Omittable extends boolean> = ModelAttributeColumnOptions & {
  readonly [attribute]?: { value: T; omittable: Omittable };
};

type AnyColumn = TypedColumn<unknown, boolean>;
type ValueOf<C> = C extends TypedColumn<infer T, boolean> ? T : never;
type OmittableKeys<C> = { [K in keyof C]: C[K] extends TypedColumn<unknown, true> ? K : never }[keyof C];

/** A model's attributes, as its columns type them. */
export type AttributesOf<C> = { [K in keyof C]: ValueOf<C[K]> };

/** What a new row must give (and may give) of a model's attributes. */
export type CreationAttributesOf<C> = Omit<AttributesOf<C>, OmittableKeys<C>> & Partial<Pick<AttributesOf<C>, OmittableKeys<C>>>;

/** A table's options besides its name and columns, such as `paranoid` or `updatedAt: false`. */
type TableExtras = Omit<InitOptions<Model>, 'sequelize' | 'tableName'>;

/** A model class's static side: Sequelize's, and `initModel`, which tells Sequelize its table. */
type ModelStatics = Omit<typeof Model, 'prototype'> & { initModel(sequelize: Sequelize): void };

/**
 * The class a model extends: Sequelize's `Model` for the table `tableName`, typed so that each
 * column is a field of the model's rows. `class Claim extends modelOf('claims', claimColumns)`
 * declares every attribute once; `claimColumns` is a function, so that each `init` gets new
 * definitions.
 */
export function modelOf<C extends Record<string, AnyColumn>>(tableName: string, columns: () => C, extras: TableExtras = {}) {
  abstract class TableModel extends Model {
    static initModel(sequelize: Sequelize): void {
      (this as unknown as ModelStatic<Model>).init(columns(), tableOptions(sequelize, tableName, extras));
    }
  }
  return TableModel as unknown as ModelStatics &
    (new (values?: CreationAttributesOf<C>, options?: BuildOptions) => Model<AttributesOf<C>, CreationAttributesOf<C>> & AttributesOf<C>);
}

/** What a column adds to its type and nullability: a default, uniqueness, a validation, a getter. */
type ColumnExtras = Omit<ModelAttributeColumnOptions, 'type' | 'allowNull'>;
type WithDefault = ColumnExtras & { defaultValue: unknown };
type Column = (type: DataType, extras?: ColumnExtras) => ModelAttributeColumnOptions;

type Value<T, Nullable extends boolean> = Nullable extends true ? T | null : T;

/**
 * One kind of column: its value is `Base`, or a narrower `T` given as a type argument
 * (`required.string<ClaimStage>(30)`); a column with a default may be left out of a new row.
 */
interface Kind<Base, Args extends unknown[], Nullable extends boolean> {
  <T extends Base = Base>(...args: [...Args, WithDefault]): TypedColumn<Value<T, Nullable>, true>;
  <T extends Base = Base>(...args: Args | [...Args, ColumnExtras]): TypedColumn<Value<T, Nullable>, Nullable>;
}

/** The kinds of column, of one nullability; called directly, a column of any type (`T` given). */
interface Kinds<Nullable extends boolean> extends Kind<unknown, [type: DataType], Nullable> {
  uuid: Kind<string, [], Nullable>;
  string: Kind<string, [length: number], Nullable>;
  char: Kind<string, [length: number], Nullable>;
  text: Kind<string, [], Nullable>;
  integer: Kind<number, [], Nullable>;
  boolean: Kind<boolean, [], Nullable>;
  /** Read back as a string: PostgreSQL's NUMERIC is exact and a JavaScript number is not. */
  decimal: Kind<string, [precision: number, scale: number], Nullable>;
  /**
   * A NUMERIC without a scale, read back as a string: an amount kept with the decimals it was written with, its
   * currency's (a policy's cover or premium: "150000.00" EUR, "123456.789" KWD; a claim's money; migrations 0097, 0099
   * and 0115 bound it to three).
   */
  amount: Kind<string, [], Nullable>;
  date: Kind<Date, [], Nullable>;
  /** A calendar date, read back as 'YYYY-MM-DD'. */
  dateOnly: Kind<string, [], Nullable>;
  json: Kind<unknown, [], Nullable>;
}

function kinds<Nullable extends boolean>(column: Column): Kinds<Nullable> {
  const byKind = {
    uuid: (extras?: ColumnExtras) => column(DataTypes.UUID, extras),
    string: (length: number, extras?: ColumnExtras) => column(DataTypes.STRING(length), extras),
    char: (length: number, extras?: ColumnExtras) => column(DataTypes.CHAR(length), extras),
    text: (extras?: ColumnExtras) => column(DataTypes.TEXT, extras),
    integer: (extras?: ColumnExtras) => column(DataTypes.INTEGER, extras),
    boolean: (extras?: ColumnExtras) => column(DataTypes.BOOLEAN, extras),
    decimal: (precision: number, scale: number, extras?: ColumnExtras) => column(DataTypes.DECIMAL(precision, scale), extras),
    amount: (extras?: ColumnExtras) => column(DataTypes.DECIMAL, extras),
    date: (extras?: ColumnExtras) => column(DataTypes.DATE, extras),
    dateOnly: (extras?: ColumnExtras) => column(DataTypes.DATEONLY, extras),
    json: (extras?: ColumnExtras) => column(DataTypes.JSONB, extras),
  };
  // The types above are the compiler's view of these plain option objects.
  return Object.assign((type: DataType, extras?: ColumnExtras) => column(type, extras), byKind) as unknown as Kinds<Nullable>;
}

/** A NOT NULL column: `required.uuid()`, `required.string<ClaimStage>(30)`, or `required<T>(type)`. */
export const required = kinds<false>((type, extras = {}) => ({ type, allowNull: false, ...extras }));

/** A column that may be null: `optional.date()`… */
export const optional = kinds<true>((type, extras = {}) => ({ type, ...extras }));

/** A column that may be null and is written as NULL when a new row does not give it. */
export const nullByDefault = kinds<true>((type, extras = {}) => ({ type, allowNull: true, defaultValue: null, ...extras }));

/**
 * A column that is filled when a new row does not give it (by Sequelize's timestamps, a trigger,
 * a sequence or a DEFAULT of the migration), so never null once stored. Its options stay those of
 * the nullable `column`: Sequelize would refuse a NOT NULL attribute the new row leaves out.
 */
export function filledOnInsert<T>(column: TypedColumn<T | null, boolean>): TypedColumn<T, true> {
  return column as TypedColumn<T, true>;
}

/**
 * Reads a BIGINT column as a number (PostgreSQL answers BIGINT as a string), as its column's
 * extras: `required<number>(DataTypes.BIGINT, bigintAsNumber('amountMinor'))`. For values far below 2^53.
 */
export function bigintAsNumber(attribute: string): ColumnExtras {
  return {
    get(this: Model) {
      const raw = this.getDataValue(attribute) as number | string | null;
      return raw === null || raw === undefined ? null : Number(raw);
    },
  };
}

/** A BIGINT that may be null, read as a number. */
export function optionalBigintNumber(attribute: string): TypedColumn<number | null, true> {
  return optional<number>(DataTypes.BIGINT, bigintAsNumber(attribute));
}

/** A primary key the row is given rather than generated. */
export function primaryKey<T>(type: DataType): TypedColumn<T, false> {
  return { type, primaryKey: true };
}

/** A UUID key the row is given (the ID a command derived from its request, or another table's key). */
export const uuidKey = () => primaryKey<string>(DataTypes.UUID);

/** The key of a row, a UUID generated on insert. */
export function idColumn() {
  return { id: filledOnInsert(optional.uuid({ defaultValue: DataTypes.UUIDV4, primaryKey: true })) };
}

/** The tenant a row belongs to. */
export function tenantColumn() {
  return { tenantId: required.uuid() };
}

/** The time a row was created, which Sequelize keeps (alone on a table without `updatedAt`). */
export function createdAtColumn() {
  return { createdAt: filledOnInsert(optional.date()) };
}

/** The created and updated times Sequelize keeps. */
export function timestampColumns() {
  return { ...createdAtColumn(), updatedAt: filledOnInsert(optional.date()) };
}

/**
 * A single-use secret (a mailed link's token, a refresh token, a sign-in challenge): stored only as its SHA-256,
 * valid until it expires, spent once used.
 */
export function singleUseTokenColumns() {
  return { tokenHash: required.string(64, { unique: true }), expiresAt: required.date(), usedAt: optional.date() };
}

/** A row's columns: its own between the generated key and the timestamps. */
export function rowColumns<C extends object>(own: C) {
  return { ...idColumn(), ...own, ...timestampColumns() };
}

/** A tenant's row's columns: its own after the key and the tenant, before the timestamps. */
export function tenantRowColumns<C extends object>(own: C) {
  return rowColumns({ ...tenantColumn(), ...own });
}

/** A model's table: its name, its columns in snake_case, and its `extras`. */
function tableOptions(sequelize: Sequelize, tableName: string, extras: TableExtras): InitOptions {
  return { sequelize, tableName, underscored: true, ...extras };
}
