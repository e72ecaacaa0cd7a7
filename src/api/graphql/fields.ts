/**
 * Fields several object types declare alike: an amount written in its row's currency, a version's
 * number and first day, a row another names. Resolved, not exposed: `expose` takes no generic row.
 */
import type { ObjectRef } from '@pothos/core';
import type DataLoader from 'dataloader';
import { formatClaimAmount, formatMinorUnits } from '../../shared/money';
import type { BuilderTypes } from './builder';
import type { Loaders } from './loaders';

/** The field builder of an object type whose rows are `Row`. */
export type FieldsOf<Row> = PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, Row>;

/** A decimal amount of a row (`amountOf`) with its currency's decimals, as REST writes it (docs/api.md, Money). */
export function amountField<Row extends { currency: string | null }>(
  t: FieldsOf<Row>,
  amountOf: (row: Row) => number | string,
  description?: string,
) {
  return t.string({ description, resolve: (row) => formatClaimAmount(amountOf(row), row.currency ?? undefined) });
}

/** As `amountField`, for an amount a row may not have: null then. */
export function optionalAmountField<Row extends { currency: string | null }>(
  t: FieldsOf<Row>,
  amountOf: (row: Row) => number | string | null,
  description?: string,
) {
  return t.string({
    nullable: true,
    description,
    resolve: (row) => {
      const amount = amountOf(row);
      return amount === null ? null : formatClaimAmount(amount, row.currency ?? undefined);
    },
  });
}

/** An amount a row holds in minor units (`minorOf`), as the decimal string of its currency: minor units may pass GraphQL's 32-bit Int. */
export function minorUnitsField<Row extends { currency: string }>(t: FieldsOf<Row>, minorOf: (row: Row) => number, description?: string) {
  return t.string({ description, resolve: (row) => formatMinorUnits(minorOf(row), row.currency) });
}

/** A version's id, its number and the day it holds from (a policy's version, a plan's rating tables). */
export const versionFields = <Row extends { id: string; number: number; effectiveFrom: string }>(t: FieldsOf<Row>) => ({
  id: t.id({ resolve: (row) => row.id }),
  number: t.int({ resolve: (row) => row.number }),
  effectiveFrom: t.string({ resolve: (row) => row.effectiveFrom }),
});

/** The names of the request's loaders of a `Related` row by its id (null when the caller may not see it); exactly that row's. */
type RowLoaderName<Related> = {
  [K in keyof Loaders]: Loaders[K] extends DataLoader<string, Related | null>
    ? DataLoader<string, Related | null> extends Loaders[K]
      ? K
      : never
    : never;
}[keyof Loaders];

/**
 * A row another row names by its id (`idOf`; none when null), of `type`, through the request's
 * loader of it (`loader`), which carries the access policy's scope: null when there is none the
 * caller may see.
 */
export function relationField<Row, Related>(
  t: FieldsOf<Row>,
  type: ObjectRef<BuilderTypes, Related>,
  loader: RowLoaderName<Related>,
  idOf: (row: Row) => string | null,
  description?: string,
) {
  // Typed for a row of any shape here: the caller's `loader` was checked against its `type` above.
  return t.field({
    type: type as ObjectRef<BuilderTypes, unknown>,
    nullable: true,
    description,
    resolve: (row, _args, { loaders }) => {
      const id = idOf(row);
      return id ? (loaders[loader] as DataLoader<string, Related | null>).load(id) : null;
    },
  });
}
