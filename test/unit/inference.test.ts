/**
 * The TypeScript types inferred from a model's columns. Most checks here are compile-time: the
 * functions holding them are never called, and `npm run typecheck` fails if an inferred type
 * regresses (an `expectType` that no longer holds, or a `@ts-expect-error` line that compiles).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import {
  abstractModel,
  columns,
  extend,
  model,
  token,
  type ColumnsOf,
  type Condition,
  type Filter,
  type Insert,
  type InstanceOf,
  type Row,
  type Update,
  type Values,
} from '../../src/index.js';

/** Exact type equality (not mere assignability). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when its type argument is `true`: `expectType<Equals<A, B>>()`. */
function expectType<_T extends true>(): void {}

const Thing = model(
  'things',
  {
    id: columns.uuid().partitionKey(),
    at: columns.timestamp().primaryKey(),
    name: columns.text().required(),
    nick: columns.text(),
    age: columns.int().default(0),
    email: columns.text().required().default('nobody@example.com'),
    big: columns.bigint(),
    price: columns.decimal(),
    tags: columns.set(columns.text()),
    scores: columns.list(columns.int()),
    attrs: columns.map(columns.text(), columns.int()),
    nested: columns.list(columns.set(columns.int())),
    pair: columns.tuple(columns.int(), columns.text()),
    ip: columns.inet(),
    day: columns.date(),
  },
  { keyspace: 'ks' },
);
type Thing = InstanceOf<typeof Thing>;
type ThingColumns = ColumnsOf<typeof Thing>;

const Hits = model('hits', { page: columns.text().partitionKey(), views: columns.counter() }, { keyspace: 'ks' });

class User extends model(
  'users',
  { id: columns.int().partitionKey(), first: columns.text().required(), last: columns.text() },
  { keyspace: 'ks' },
) {
  fullName(): string {
    return `${this.first} ${this.last ?? ''}`.trim();
  }
}

const Base = abstractModel({ id: columns.uuid().partitionKey(), createdAt: columns.timestamp().required() });
const Invoice = extend(Base, 'invoices', { total: columns.decimal().required(), lines: columns.list(columns.text()) }, { keyspace: 'ks' });

// ---- compile-time checks (never run) ----

export function rowTypes(t: Thing): void {
  // Keys and required columns are never null.
  expectType<Equals<Thing['id'], types.Uuid>>();
  expectType<Equals<Thing['at'], Date>>();
  expectType<Equals<Thing['name'], string>>();
  expectType<Equals<Thing['email'], string>>();
  // Other columns may be null, a default notwithstanding (a row read may lack the value).
  expectType<Equals<Thing['nick'], string | null>>();
  expectType<Equals<Thing['age'], number | null>>();
  expectType<Equals<Thing['big'], bigint | null>>();
  expectType<Equals<Thing['price'], types.BigDecimal | null>>();
  expectType<Equals<Thing['ip'], types.InetAddress | null>>();
  expectType<Equals<Thing['day'], types.LocalDate | null>>();
  // Collections read as empty, never null; tuples may be null.
  expectType<Equals<Thing['tags'], Set<string>>>();
  expectType<Equals<Thing['scores'], number[]>>();
  expectType<Equals<Thing['attrs'], Map<string, number>>>();
  expectType<Equals<Thing['nested'], Set<number>[]>>();
  expectType<Equals<Thing['pair'], [number, string] | null>>();
  expectType<Equals<Row<ThingColumns>['tags'], Set<string>>>();
  expectType<Equals<ReturnType<Thing['toObject']>, Row<ThingColumns>>>();
  expectType<Equals<InstanceOf<typeof Hits>['views'], bigint>>();

  // Properties are writable with the write types, and checked.
  t.nick = null;
  t.name = 'x';
  t.tags.add('a');
  t.attrs.set('k', 1);
  // @ts-expect-error a number is no text
  t.name = 5;
  // @ts-expect-error a required column cannot be null
  t.name = null;
  // @ts-expect-error no such column
  t.nope = 1;
}

export function insertTypes(): void {
  const minimal: Insert<ThingColumns> = { id: types.Uuid.random(), at: new Date(), name: 'n' };
  // Write types: strings for uuid/inet/decimal, epoch ms for timestamps, numbers for bigint, arrays for sets, objects for text maps.
  const wide: Insert<ThingColumns> = {
    id: '550e8400-e29b-41d4-a716-446655440000',
    at: 0,
    name: 'n',
    email: 'e',
    nick: null,
    big: 5,
    price: '1.50',
    ip: '10.0.0.1',
    tags: ['a'],
    attrs: { k: 1 },
    scores: [1],
    pair: [1, 'a'],
    day: '2024-01-01',
  };
  // @ts-expect-error a required column without a default must be given
  const noName: Insert<ThingColumns> = { id: types.Uuid.random(), at: new Date() };
  // @ts-expect-error a key column must be given
  const noKey: Insert<ThingColumns> = { at: new Date(), name: 'n' };
  // @ts-expect-error no such column
  const extra: Insert<ThingColumns> = { id: types.Uuid.random(), at: new Date(), name: 'n', bogus: 1 };
  // @ts-expect-error a wrong value type
  const wrong: Insert<ThingColumns> = { id: types.Uuid.random(), at: new Date(), name: 'n', age: 'old' };
  // @ts-expect-error a key is never null
  const nullKey: Insert<ThingColumns> = { id: null, at: new Date(), name: 'n' };
  void [minimal, wide, noName, noKey, extra, wrong, nullKey];

  void Thing.create({ id: types.Uuid.random(), at: new Date(), name: 'n' });
  // @ts-expect-error create() takes an Insert
  void Thing.create({ id: types.Uuid.random(), at: new Date() });
  void new Thing({ name: 'partial is fine in the constructor' });
  void Invoice.create({ id: types.Uuid.random(), createdAt: new Date(), total: 3 });
  // @ts-expect-error an extended model requires the base's required columns too
  void Invoice.create({ id: types.Uuid.random(), total: 3 });
  void Hits.create({ page: '/' });
}

export function filterTypes(): void {
  const ok: Filter<ThingColumns> = {
    id: 'uuid text',
    at__gt: new Date(),
    at__lte: 0,
    age__in: [1, 2],
    name__gte: 'a',
    tags__contains: 'a',
    scores__contains: 3,
    attrs__contains: 1,
    attrs__contains_key: 'k',
    pk__token__gt: token('x'),
  };
  void ok;
  // @ts-expect-error no such column
  const f1: Filter<ThingColumns> = { nope__gt: 1 };
  // @ts-expect-error no such operator
  const f2: Filter<ThingColumns> = { age__between: 1 };
  // @ts-expect-error contains is for collections only
  const f3: Filter<ThingColumns> = { name__contains: 'a' };
  // @ts-expect-error a tuple is no collection
  const f4: Filter<ThingColumns> = { pair__contains: 1 };
  // @ts-expect-error contains_key is for maps only
  const f5: Filter<ThingColumns> = { tags__contains_key: 'a' };
  // @ts-expect-error the operand has the column's type
  const f6: Filter<ThingColumns> = { age__gt: 'old' };
  // @ts-expect-error IN takes an array
  const f7: Filter<ThingColumns> = { age__in: 1 };
  // @ts-expect-error contains takes an element
  const f8: Filter<ThingColumns> = { tags__contains: ['a'] };
  // @ts-expect-error a token bound is made with token()
  const f9: Filter<ThingColumns> = { pk__token__gt: 'x' };
  void [f1, f2, f3, f4, f5, f6, f7, f8, f9];

  void Thing.filter({ age__gte: 3 }).filter({ tags__contains: 'x' });
  // @ts-expect-error filter() takes a Filter
  void Thing.filter({ nope: 1 });
  // @ts-expect-error get() too
  void Thing.get({ age__gt: 'x' });
  void Thing.objects().only('name', 'tags').defer('nick').distinct('id');
  // @ts-expect-error only() takes column names
  void Thing.objects().only('nope');
  // @ts-expect-error delete() takes column names
  void Thing.filter({ id: 'x' }).delete('nope');
}

export function updateTypes(t: Thing): void {
  const ok: Update<ThingColumns> = {
    name: 'n',
    nick: null,
    tags__add: ['a'],
    tags__remove: new Set(['b']),
    scores__append: [1],
    scores__prepend: [0],
    scores__remove: [2],
    attrs__update: { k: 1 },
    attrs__remove: ['k'],
    pair: [1, 'a'],
  };
  void ok;
  // @ts-expect-error key columns cannot be updated
  const u1: Update<ThingColumns> = { id: 'x' };
  // @ts-expect-error append is for lists
  const u2: Update<ThingColumns> = { tags__append: ['a'] };
  // @ts-expect-error add is for sets
  const u3: Update<ThingColumns> = { scores__add: [1] };
  // @ts-expect-error update is for maps
  const u4: Update<ThingColumns> = { tags__update: { k: 1 } };
  // @ts-expect-error a tuple is no list
  const u5: Update<ThingColumns> = { pair__append: [1, 'a'] };
  // @ts-expect-error incr is for counters, not for bigint columns
  const u6: Update<ThingColumns> = { big__incr: 1 };
  // @ts-expect-error incr is for counters
  const u7: Update<ThingColumns> = { age__incr: 1 };
  // @ts-expect-error map__remove takes keys
  const u8: Update<ThingColumns> = { attrs__remove: [1] };
  // @ts-expect-error the operand has the column's write type
  const u9: Update<ThingColumns> = { scores__append: ['a'] };
  void [u1, u2, u3, u4, u5, u6, u7, u8, u9];

  void Hits.filter({ page: '/' }).update({ views__incr: 1, views__decr: 2n });
  // @ts-expect-error a key column is no counter
  void Hits.filter({ page: '/' }).update({ page__incr: 1 });

  const values: Values<ThingColumns> = { name: 'x', age: null };
  // @ts-expect-error Values exclude keys
  const badValues: Values<ThingColumns> = { at: new Date() };
  void [values, badValues];
  void t.update({ nick: 'n' });
  // Instance update() takes Values, and a key with its current value (checked when it runs).
  void t.update({ id: t.id, nick: 'n' });
  // @ts-expect-error a key takes its column's type
  void t.update({ id: 42 });

  const cond: Condition<ThingColumns> = { name: 'x', nick: null };
  void cond;
  void t.save({ iff: { age: 3 }, ttl: 10 });
  // @ts-expect-error iff() conditions are on non-key columns
  void Thing.objects().iff({ id: 'x' });
}

export async function classTypes(): Promise<void> {
  const u = await User.get({ id: 1 });
  expectType<Equals<typeof u, User>>();
  const name: string = u.fullName();
  const all: User[] = await User.filter({ id: 1 }).all();
  const first: User | undefined = await User.objects().first();
  for await (const row of User.objects()) {
    const r: User = row;
    void r;
  }
  const inv = await Invoice.get({ id: types.Uuid.random() });
  expectType<Equals<typeof inv.createdAt, Date>>();
  expectType<Equals<typeof inv.total, types.BigDecimal>>();
  expectType<Equals<typeof inv.lines, string[]>>();
  void [name, all, first];
}

// ---- runtime checks: the inferred shapes match what instances hold ----

describe('inferred types at run time', () => {
  it('instances hold what their row type says: non-null keys, empty collections, null scalars', () => {
    const t = new Thing({ id: '550e8400-e29b-41d4-a716-446655440000', at: 0, name: 'n', tags: ['a'] });
    const row: Row<ThingColumns> = t.toObject();
    assert.ok(row.id instanceof types.Uuid);
    assert.ok(row.at instanceof Date);
    assert.equal(row.name, 'n');
    assert.equal(row.email, 'nobody@example.com');
    assert.equal(row.age, 0);
    assert.equal(row.nick, null);
    assert.equal(row.pair, null);
    assert.deepEqual(row.tags, new Set(['a']));
    assert.deepEqual(row.scores, []);
    assert.deepEqual(row.attrs, new Map());
  });

  it('classes made from models keep their methods and columns', () => {
    const u = new User({ id: 1, first: 'Ada', last: 'Lovelace' });
    assert.ok(u instanceof User);
    assert.equal(u.fullName(), 'Ada Lovelace');
    const inv = new Invoice({ id: types.Uuid.random(), createdAt: new Date(0), total: '12.50' });
    assert.equal(String(inv.total), '12.50');
    assert.deepEqual(inv.lines, []);
  });
});
