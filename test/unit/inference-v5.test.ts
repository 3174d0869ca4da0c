/**
 * Inferred types of the columns and query steps newer servers add: vectors, map-entry filters,
 * iff operators, annOf. Compile-time checks (see inference.test.ts), plus the runtime validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, ValidationError, columns, model, type Condition, type Filter, type Row } from '../../src/index.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const Doc = model(
  'docs',
  {
    id: columns.int().partitionKey(),
    emb: columns.vector(columns.float(), 3),
    names: columns.vector(columns.text(), 2),
    attrs: columns.map(columns.text(), columns.int()).index('entries'),
    count: columns.int(),
    state: columns.text(),
  },
  { keyspace: 'ks' },
);
type Cs = (typeof Doc)['schema']['definitions'];

function _compileTimeChecks(): void {
  expectType<Equals<Row<Cs>['emb'], Float32Array | null>>();
  expectType<Equals<Row<Cs>['names'], readonly string[] | null>>();
  new Doc({ id: 1, emb: [1, 2, 3], names: ['a', 'b'] });
  new Doc({ id: 1, emb: new Float32Array(3) });
  // @ts-expect-error a vector of floats takes numbers
  new Doc({ id: 1, emb: ['a', 'b', 'c'] });
  const f: Filter<Cs> = { id: 1, attrs__entry: ['k', 1] };
  // @ts-expect-error an entry is [key, value] of the map's types
  const g: Filter<Cs> = { attrs__entry: [1, 'k'] };
  const c: Condition<Cs> = { count__gt: 3, state__ne: 'closed', state__in: ['a', 'b'] };
  // @ts-expect-error conditions are on non-key columns
  const k: Condition<Cs> = { id__gt: 1 };
  // @ts-expect-error an operator's value has the column's type
  const d: Condition<Cs> = { count__gt: 'x' };
  Doc.objects().annOf('emb', [1, 0, 0]);
  // @ts-expect-error annOf takes a vector (or list) column
  Doc.objects().annOf('count', [1]);
  void [f, g, c, k, d];
}
void _compileTimeChecks;

describe('vector columns and the steps of newer servers', () => {
  it('vectors are validated: length, element type, dimension', () => {
    assert.ok(new Doc({ id: 1, emb: [1, 2, 3] }).emb instanceof Float32Array);
    assert.throws(
      () => new Doc({ id: 1, emb: [1, 2] }),
      (e: unknown) => e instanceof ValidationError && e.column === 'emb',
    );
    assert.throws(
      () => new Doc({ id: 1, names: ['a', 3 as never] }),
      (e: unknown) => e instanceof ValidationError && e.column === 'names[1]',
    );
    assert.throws(() => columns.vector(columns.float(), 0), ValidationError);
    assert.equal(columns.vector(columns.float(), 384).type.cql, 'vector<float, 384>');
  });

  it('CQL of perPartitionLimit, annOf, scored filters and conditions', () => {
    assert.match(Doc.objects().perPartitionLimit(2).limit(5).toString(), /PER PARTITION LIMIT \? LIMIT \?$/);
    assert.deepEqual(
      Doc.filter({ attrs__entry: ['k', 1] })
        .toCQL()
        .cql.endsWith('WHERE "attrs"[?] = ?'),
      true,
    );
    const q = Doc.objects().annOf('emb', [1, 0, 0]).limit(3).toCQL();
    assert.match(q.cql, /ORDER BY "emb" ANN OF \? LIMIT \?$/);
    assert.throws(() => Doc.objects().annOf('emb', [1, 0, 0]).toString(), ConfigurationError);
    assert.throws(() => Doc.objects().annOf('count' as never, [1] as never), ConfigurationError);
    assert.throws(() => Doc.objects().perPartitionLimit(0), ConfigurationError);
    assert.throws(() => columns.text().index('keys'), ConfigurationError);
    assert.throws(() => columns.list(columns.int()).index({ full: true }), ConfigurationError);
    assert.throws(() => columns.text().index({ using: "sai'; DROP" }), ConfigurationError);
  });
});
