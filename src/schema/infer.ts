/** Types inferred from a model's columns: rows, inserts, filters and updates. Written once, in the columns. */
import type { types } from 'cassandra-driver';
import type { AnyColumn, Column, ColumnFlags } from './columns.js';

export type Columns = Record<string, AnyColumn>;

type ReadOf<C> = C extends Column<infer R, infer _W, infer _F> ? R : never;
export type WriteOf<C> = C extends Column<infer _R, infer W, infer _F> ? W : never;
type FlagsOf<C> = C extends Column<infer _R, infer _W, infer F> ? F : ColumnFlags;

/** A list (an array of any length), not a tuple (a fixed-length array). */
type IsList<R> = R extends unknown[] ? (number extends R['length'] ? true : false) : false;

type NeverNull<R> = R extends Set<unknown> | Map<unknown, unknown> ? true : IsList<R>;

/** A row as it reads: keys, required columns, collections (empty when unset) and counters (0 when unset) are never null. */
export type Row<Cs extends Columns> = {
  // model() takes its columns as a const type parameter, whose keys come readonly; instances are writable.
  -readonly [K in keyof Cs]: [
    FlagsOf<Cs[K]>['key'] | FlagsOf<Cs[K]>['required'] | (FlagsOf<Cs[K]> extends { counter: true } ? true : false),
  ] extends [false]
    ? NeverNull<ReadOf<Cs[K]>> extends true
      ? ReadOf<Cs[K]>
      : ReadOf<Cs[K]> | null
    : ReadOf<Cs[K]>;
};

type MustGive<C> = FlagsOf<C>['hasDefault'] extends true
  ? false
  : FlagsOf<C>['key'] extends true
    ? true
    : FlagsOf<C>['required'] extends true
      ? true
      : false;

type RequiredKeys<Cs extends Columns> = { [K in keyof Cs]: MustGive<Cs[K]> extends true ? K : never }[keyof Cs];

/** What create() takes: key and required columns without a default must be given. */
export type Insert<Cs extends Columns> = { [K in RequiredKeys<Cs>]: WriteOf<Cs[K]> } & {
  [K in Exclude<keyof Cs, RequiredKeys<Cs>>]?: WriteOf<Cs[K]> | null;
};

/** Column values for update(): any column but the keys; null deletes the value. */
export type Values<Cs extends Columns> = {
  [K in keyof Cs as FlagsOf<Cs[K]>['key'] extends true ? never : K]?: WriteOf<Cs[K]> | null;
};

/** Key columns in an instance's update(): accepted with their current value only, as in cqlengine. */
export type KeyValues<Cs extends Columns> = {
  [K in keyof Cs as FlagsOf<Cs[K]>['key'] extends true ? K : never]?: WriteOf<Cs[K]>;
};

/** A map's write type with null allowed as a value. */
type NullableValues<W> =
  W extends Map<infer K, infer V> ? Map<K, V | null> : W extends Record<string, infer V> ? Record<keyof W, V | null> : W;

type ElementOf<W> = W extends Set<infer E> ? E : W extends Map<infer _K, infer V> ? V : W extends (infer E)[] ? E : never;
type KeyOf<W> = W extends Map<infer K, infer _V> ? K : never;

type Range = 'gt' | 'gte' | 'lt' | 'lte';

/** A token() bound for filters on the partition key: `{ pk__token__gt: token(id) }`. */
export interface TokenValue {
  readonly $token: readonly unknown[];
}

/** minTimeuuid(date) / maxTimeuuid(date), compared with a timeuuid column in a filter. */
export interface TimeuuidBound {
  readonly $function: 'minTimeuuid' | 'maxTimeuuid';
  readonly date: Date | number | string;
}

/** What a filter may compare a column with: its values, and for timeuuid columns minTimeuuid()/maxTimeuuid(). */
type Comparable<C> = WriteOf<C> | (ReadOf<C> extends types.TimeUuid ? TimeuuidBound : never);

export type Filter<Cs extends Columns> = { [K in keyof Cs & string]?: Comparable<Cs[K]> } & {
  [K in keyof Cs & string as `${K}__${Range}`]?: Comparable<Cs[K]>;
} & { [K in keyof Cs & string as `${K}__in`]?: readonly WriteOf<Cs[K]>[] } & {
  [K in keyof Cs & string as ReadOf<Cs[K]> extends Set<unknown> | Map<unknown, unknown>
    ? `${K}__contains`
    : IsList<ReadOf<Cs[K]>> extends true
      ? `${K}__contains`
      : never]?: ElementOf<WriteOf<Cs[K]>>;
} & {
  [K in keyof Cs & string as ReadOf<Cs[K]> extends Map<unknown, unknown> ? `${K}__contains_key` : never]?: KeyOf<WriteOf<Cs[K]>>;
} & {
  [K in keyof Cs & string as ReadOf<Cs[K]> extends Map<unknown, unknown> ? `${K}__entry` : never]?: readonly [
    KeyOf<WriteOf<Cs[K]>>,
    ElementOf<WriteOf<Cs[K]>>,
  ];
} & {
  [K in keyof Cs & string as ReadOf<Cs[K]> extends string ? `${K}__like` : never]?: string;
} & { [Op in Range as `pk__token__${Op}`]?: TokenValue } & { pk__token?: TokenValue };

type NonKey<Cs extends Columns> = { [K in keyof Cs & string]: FlagsOf<Cs[K]>['key'] extends true ? never : K }[keyof Cs & string];

/** Conditions of iff(): on non-key columns, `=` by default, or `__ne`, `__gt`, `__gte`, `__lt`, `__lte`, `__in`. */
export type Condition<Cs extends Columns> = Values<Cs> & {
  [K in NonKey<Cs> as `${K}__${Range}`]?: WriteOf<Cs[K]>;
} & { [K in NonKey<Cs> as `${K}__ne`]?: WriteOf<Cs[K]> | null } & { [K in NonKey<Cs> as `${K}__in`]?: readonly WriteOf<Cs[K]>[] };

/** A blind update: plain values, and cqlengine's collection and counter operations. */
export type Update<Cs extends Columns> = Values<Cs> & {
  [K in keyof Cs & string as ReadOf<Cs[K]> extends Set<unknown> ? `${K}__add` | `${K}__remove` : never]?: WriteOf<Cs[K]>;
} & {
  [K in keyof Cs & string as ReadOf<Cs[K]> extends Set<unknown> | Map<unknown, unknown>
    ? never
    : IsList<ReadOf<Cs[K]>> extends true
      ? `${K}__append` | `${K}__prepend` | `${K}__remove`
      : never]?: WriteOf<Cs[K]>;
} & {
  // A key given null is deleted from the map.
  [K in keyof Cs & string as ReadOf<Cs[K]> extends Map<unknown, unknown> ? `${K}__update` : never]?: NullableValues<WriteOf<Cs[K]>>;
} & {
  [K in keyof Cs & string as ReadOf<Cs[K]> extends Map<unknown, unknown> ? `${K}__remove` : never]?: Iterable<KeyOf<WriteOf<Cs[K]>>>;
} & {
  [K in keyof Cs & string as FlagsOf<Cs[K]> extends { counter: true } ? `${K}__incr` | `${K}__decr` : never]?: bigint | number;
};
