/**
 * Column types against the real node: every CQL type of Cassandra 2.1 round-trips through create/get,
 * collections read empty when null, bad values fail with ValidationError before anything reaches the
 * wire, and types the server is too old for fail clearly in syncTable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { CQLEngineError, ValidationError, columns, connection, management, model } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

let hosts: string[];
let keyspaces: TestKeyspaces;
let ks: string;
/** The node's release, [major, minor, patch]. */
let version: number[];

const atLeast = (major: number, minor: number, patch = 0) => {
  const [a = 0, b = 0, c = 0] = version;
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
};

const Scalars = model('scalars', {
  id: columns.int().partitionKey(),
  a: columns.ascii(),
  big: columns.bigint(),
  blob: columns.blob(),
  flag: columns.boolean(),
  dec: columns.decimal(),
  dbl: columns.double(),
  flt: columns.float(),
  ip: columns.inet(),
  n: columns.int(),
  t: columns.text(),
  vc: columns.varchar(),
  ts: columns.timestamp(),
  tu: columns.timeuuid(),
  u: columns.uuid(),
  vi: columns.varint(),
});

const Counts = model('counts', { id: columns.int().partitionKey(), c: columns.counter() });

const Collections = model('collections', {
  id: columns.int().partitionKey(),
  l: columns.list(columns.int()),
  s: columns.set(columns.text()),
  m: columns.map(columns.text(), columns.int()),
  ts: columns.set(columns.timestamp()),
  um: columns.map(columns.uuid(), columns.bigint()),
  bl: columns.list(columns.blob()),
  tup: columns.tuple(columns.int(), columns.text(), columns.boolean()),
  tupList: columns.list(columns.tuple(columns.int(), columns.text())),
  tupMap: columns.map(columns.text(), columns.tuple(columns.double(), columns.inet())),
});

/** Frozen and nested collections: Cassandra 2.1.3 and later. */
const Frozen = model('frozen', {
  id: columns.int().partitionKey(),
  fl: columns.list(columns.int(), { frozen: true }),
  fs: columns.set(columns.uuid(), { frozen: true }),
  fm: columns.map(columns.text(), columns.text(), { frozen: true }),
  nested: columns.map(columns.text(), columns.list(columns.int())),
  deep: columns.list(columns.set(columns.text())),
});

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ks = await keyspaces.create();
  const release = String((await keyspaces.execute('SELECT release_version FROM system.local')).first()['release_version']);
  version = release.split(/[.-]/).slice(0, 3).map(Number);
  await connection.setup(hosts, ks);
  for (const m of [Scalars, Counts, Collections]) await management.syncTable(m);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

const rowCount = async (table: string, id: number) =>
  (await keyspaces.execute(`SELECT * FROM ${ks}.${table} WHERE id = ?`, [id])).rowLength;

describe('scalar types round-trip', () => {
  it('every scalar type of Cassandra 2.1, with edge values', async () => {
    const tu = types.TimeUuid.now();
    const u = types.Uuid.random();
    const ts = new Date('2024-02-29T23:59:59.123Z');
    const blob = Buffer.from([0, 1, 2, 254, 255]);
    await Scalars.create({
      id: 1,
      a: 'plain ascii ~',
      big: 2n ** 63n - 1n,
      blob,
      flag: false,
      dec: '-12345678901234567890.000000000123',
      dbl: Number.MAX_VALUE,
      flt: 0.5,
      ip: '2001:db8::ff00:42:8329',
      n: -2147483648,
      t: 'ünïcödé ✓ 😀 \'quoted\' "double"',
      vc: '',
      ts,
      tu,
      u,
      vi: -(10n ** 40n) - 7n,
    });
    const got = await Scalars.get({ id: 1 });
    assert.equal(got.a, 'plain ascii ~');
    assert.equal(got.big, 2n ** 63n - 1n);
    assert.ok(Buffer.isBuffer(got.blob) && got.blob.equals(blob));
    assert.equal(got.flag, false);
    assert.ok(got.dec instanceof types.BigDecimal);
    assert.equal(got.dec.toString(), '-12345678901234567890.000000000123');
    assert.equal(got.dbl, Number.MAX_VALUE);
    assert.equal(got.flt, 0.5);
    assert.ok(got.ip instanceof types.InetAddress);
    assert.equal(got.ip.toString(), types.InetAddress.fromString('2001:db8::ff00:42:8329').toString());
    assert.equal(got.n, -2147483648);
    assert.equal(got.t, 'ünïcödé ✓ 😀 \'quoted\' "double"');
    assert.equal(got.vc, '');
    assert.ok(got.ts instanceof Date);
    assert.equal(got.ts.getTime(), ts.getTime());
    assert.ok(got.tu instanceof types.TimeUuid);
    assert.equal(got.tu.toString(), tu.toString());
    assert.ok(got.u instanceof types.Uuid);
    assert.equal(got.u.toString(), u.toString());
    assert.equal(got.vi, -(10n ** 40n) - 7n);
    assert.deepEqual(got.changedColumns(), []);
  });

  it('the other ends of the ranges, and the accepted alternative forms', async () => {
    const tu = types.TimeUuid.now();
    const u = types.Uuid.random();
    await Scalars.create({
      id: 2,
      big: -(2n ** 63n),
      blob: new Uint8Array([9, 8, 7]),
      flag: true,
      dec: 0.1,
      dbl: -0,
      flt: -3.5,
      ip: '127.0.0.1',
      n: 2147483647,
      ts: 0,
      tu: tu.toString(),
      u: u.toString(),
      vi: 42,
    });
    const got = await Scalars.get({ id: 2 });
    assert.equal(got.big, -(2n ** 63n));
    assert.deepEqual([...got.blob!], [9, 8, 7]);
    assert.equal(got.flag, true);
    assert.equal(got.dec!.toString(), '0.1');
    assert.ok(Object.is(got.dbl, -0));
    assert.equal(got.flt, -3.5);
    assert.equal(got.ip!.toString(), '127.0.0.1');
    assert.equal(got.n, 2147483647);
    assert.equal(got.ts!.getTime(), 0);
    assert.equal(got.tu!.toString(), tu.toString());
    assert.equal(got.u!.toString(), u.toString());
    assert.equal(got.vi, 42n);
    assert.equal(got.a, null, 'unset scalars read as null');
    assert.equal(got.t, null);
  });

  it('float is single precision; double keeps its bits; NaN and infinities round-trip', async () => {
    await Scalars.create({ id: 3, flt: 3.14159, dbl: Number.NaN });
    let got = await Scalars.get({ id: 3 });
    assert.equal(got.flt, Math.fround(3.14159));
    assert.ok(Number.isNaN(got.dbl));
    await got.update({ dbl: Number.NEGATIVE_INFINITY, flt: Number.POSITIVE_INFINITY });
    got = await Scalars.get({ id: 3 });
    assert.equal(got.dbl, Number.NEGATIVE_INFINITY);
    assert.equal(got.flt, Number.POSITIVE_INFINITY);
  });

  it('an empty blob and an empty string are values, not null', async () => {
    await Scalars.create({ id: 4, blob: Buffer.alloc(0), t: '' });
    const got = await Scalars.get({ id: 4 });
    assert.equal(got.t, '');
    assert.ok(Buffer.isBuffer(got.blob));
    assert.equal(got.blob.length, 0);
  });

  it('counter: increments from unset, decrements below zero', async () => {
    const c = new Counts({ id: 1 });
    c.c = 10n;
    await c.save();
    c.c = -5n;
    await c.save();
    assert.equal((await Counts.get({ id: 1 })).c, -5n);
    await Counts.filter({ id: 1 }).update({ c__incr: 2n ** 40n });
    assert.equal((await Counts.get({ id: 1 })).c, 2n ** 40n - 5n);
  });
});

describe('collections and tuples round-trip', () => {
  it('list, set and map of several element types', async () => {
    const u1 = types.Uuid.random();
    const d1 = new Date('2020-01-01T00:00:00Z');
    const d2 = new Date('2021-01-01T00:00:00Z');
    await Collections.create({
      id: 1,
      l: [3, 1, 2, 1],
      s: ['b', 'a', 'b'],
      m: { one: 1, two: 2 },
      ts: new Set([d1, d2]),
      um: new Map([[u1, 2n ** 62n]]),
      bl: [Buffer.from('x'), Buffer.alloc(0)],
    });
    const got = await Collections.get({ id: 1 });
    assert.deepEqual(got.l, [3, 1, 2, 1]);
    assert.ok(got.s instanceof Set);
    assert.deepEqual([...got.s].sort(), ['a', 'b']);
    assert.ok(got.m instanceof Map);
    assert.deepEqual(Object.fromEntries(got.m), { one: 1, two: 2 });
    assert.deepEqual([...got.ts].map((d) => d.getTime()).sort(), [d1.getTime(), d2.getTime()]);
    const [[key, value]] = [...got.um] as [[types.Uuid, bigint]];
    assert.equal(key.toString(), u1.toString());
    assert.equal(value, 2n ** 62n);
    assert.deepEqual(
      got.bl.map((b) => b.toString()),
      ['x', ''],
    );
    assert.deepEqual(got.changedColumns(), []);
  });

  it('tuples, alone and inside collections, with null items', async () => {
    await Collections.create({
      id: 2,
      tup: [7, 'seven', true],
      tupList: [
        [1, 'a'],
        [2, null as never],
      ],
      tupMap: { here: [1.5, '10.0.0.1'] as never },
    });
    const got = await Collections.get({ id: 2 });
    assert.deepEqual(got.tup, [7, 'seven', true]);
    assert.deepEqual(got.tupList, [
      [1, 'a'],
      [2, null],
    ]);
    const here = got.tupMap.get('here')!;
    assert.equal(here[0], 1.5);
    assert.equal(String(here[1]), '10.0.0.1');
    // A short tuple ends in nulls, as cqlengine writes it.
    await Collections.create({ id: 3, tup: [7, 'seven'] as never });
    assert.deepEqual((await Collections.get({ id: 3 })).tup, [7, 'seven', null]);

    await Collections.create({ id: 3, tup: [null as never, 'only text', null as never] });
    assert.deepEqual((await Collections.get({ id: 3 })).tup, [null, 'only text', null]);
    await Collections.create({ id: 4, tup: new types.Tuple(1, 'from Tuple', false) as never });
    assert.deepEqual((await Collections.get({ id: 4 })).tup, [1, 'from Tuple', false]);
  });

  it('null and empty: unset collections read empty, emptied ones are deleted, null reads empty', async () => {
    const c = await Collections.create({ id: 10, l: [], s: new Set<string>(), m: {} });
    let got = await Collections.get({ id: 10 });
    assert.deepEqual(got.l, []);
    assert.equal(got.s.size, 0);
    assert.equal(got.m.size, 0);
    assert.equal(got.tup, null);

    c.l = [1];
    c.s = new Set(['x']);
    await c.save();
    c.l = [];
    c.s = null as never;
    assert.equal(c.s.size, 0);
    await c.save();
    const raw = (await keyspaces.execute(`SELECT l, s, m FROM ${ks}.collections WHERE id = ?`, [10])).first();
    assert.equal(raw['l'], null);
    assert.equal(raw['s'], null);
    assert.equal(raw['m'], null);
    got = await Collections.get({ id: 10 });
    assert.deepEqual(got.l, []);
    assert.equal(got.s.size, 0);

    await Collections.filter({ id: 10 }).update({ m: { k: 1 } });
    await Collections.filter({ id: 10 }).update({ m: null });
    assert.equal((await Collections.get({ id: 10 })).m.size, 0);
  });

  it('frozen and nested collections (map<text, frozen<list<int>>>) round-trip on 2.1.3+, and are refused clearly before', async () => {
    if (atLeast(2, 1, 3)) {
      await management.syncTable(Frozen);
      const u = types.Uuid.random();
      await Frozen.create({ id: 1, fl: [1, 2], fs: [u], fm: { a: 'b' }, nested: { xs: [1, 2, 3], ys: [] }, deep: [['a', 'b'], []] });
      const got = await Frozen.get({ id: 1 });
      assert.deepEqual(got.fl, [1, 2]);
      assert.deepEqual([...got.fs].map(String), [String(u)]);
      assert.deepEqual(Object.fromEntries(got.fm), { a: 'b' });
      assert.deepEqual(Object.fromEntries(got.nested), { xs: [1, 2, 3], ys: [] });
      assert.deepEqual(
        got.deep.map((s) => [...s].sort()),
        [['a', 'b'], []],
      );
      return;
    }
    await assert.rejects(
      management.syncTable(Frozen),
      instanceOf(CQLEngineError, (e: Error) => {
        assert.match(e.message, /frozen/);
        assert.match(e.message, /2\.1\.3/);
      }),
    );
    const nestedOnly = model('nested_only', {
      id: columns.int().partitionKey(),
      nested: columns.map(columns.text(), columns.list(columns.int())),
    });
    await assert.rejects(
      management.syncTable(nestedOnly),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /nested|frozen<list<int>>/)),
    );
    const meta = await keyspaces.metadata(ks);
    assert.equal(await meta.getTable(ks, 'frozen'), null, 'no table was created');
    assert.equal(await meta.getTable(ks, 'nested_only'), null, 'no table was created');
  });
});

describe('validation before the wire', () => {
  const cases: [string, unknown][] = [
    ['a', 'naïve'],
    ['a', 5],
    ['big', 1.5],
    ['big', 2n ** 63n],
    ['big', '12'],
    ['blob', 'not a buffer'],
    ['flag', 'yes'],
    ['flag', 1],
    ['dec', 'abc'],
    ['dec', Number.NaN],
    ['dbl', '1.5'],
    ['flt', {}],
    ['ip', '999.1.1.1'],
    ['ip', 'localhost'],
    ['n', 2 ** 31],
    ['n', 1.5],
    ['n', '3'],
    ['t', 42],
    ['ts', 'not a date'],
    ['ts', new Date(Number.NaN)],
    ['tu', types.Uuid.random().toString()],
    ['tu', 'zzz'],
    ['u', 'not-a-uuid'],
    ['u', 123],
    ['vi', 0.5],
  ];

  it('a bad value of each type throws ValidationError with the column and the value; no row is written', async () => {
    for (const [i, [column, value]] of cases.entries()) {
      const id = 1000 + i;
      const check = instanceOf(ValidationError, (e: ValidationError) => {
        assert.equal(e.column, column, `column of ${String(value)}`);
        assert.ok(Object.is(e.value, value), `value of ${column}`);
        assert.match(e.message, new RegExp(column));
      });
      await assert.rejects(Scalars.create({ id, [column]: value } as never), check, `${column} = ${String(value)}`);
      assert.throws(() => new Scalars({ id, [column]: value } as never), check);
      assert.equal(await rowCount('scalars', id), 0, `${column}: nothing written`);
    }
  });

  it('assigning a bad value to a property throws at once, and the instance keeps its value', async () => {
    const s = await Scalars.create({ id: 2000, n: 1 });
    assert.throws(
      () => ((s as unknown as { n: unknown }).n = 'one'),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'n')),
    );
    assert.equal(s.n, 1);
    await assert.rejects(s.update({ n: 2 ** 40 } as never), instanceOf(ValidationError));
    assert.equal((await Scalars.get({ id: 2000 })).n, 1);
  });

  it('bad collection elements, keys and tuple items name the column', async () => {
    const bad: [Record<string, unknown>, string, unknown][] = [
      [{ l: [1, 'two'] }, 'l', 'two'],
      [{ l: 'not a list' }, 'l', 'not a list'],
      [{ s: ['a', 1] }, 's', 1],
      [{ s: ['a', null] }, 's', null],
      [{ m: { a: 'x' } }, 'm', 'x'],
      [{ um: new Map([['not-a-uuid', 1n]]) }, 'um', 'not-a-uuid'],
      [{ tup: [1, 'a', true, 4] }, 'tup', [1, 'a', true, 4]],
      [{ tup: [1, 2, true] }, 'tup', 2],
      [
        {
          tupList: [
            [1, 'a'],
            ['x', 'b'],
          ],
        },
        'tupList',
        'x',
      ],
    ];
    for (const [i, [values, column, value]] of bad.entries()) {
      const id = 3000 + i;
      await assert.rejects(
        Collections.create({ id, ...values } as never),
        instanceOf(ValidationError, (e: ValidationError) => {
          assert.ok(e.column.startsWith(column), `${e.column} names ${column}`);
          assert.deepEqual(e.value, value);
        }),
      );
      assert.equal(await rowCount('collections', id), 0);
    }
  });

  it('a bad key in a filter is a ValidationError before any query', async () => {
    await assert.rejects(
      Scalars.get({ id: 'one' as never }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.value, 'one')),
    );
    assert.throws(() => Scalars.filter({ id: null as never }), instanceOf(ValidationError));
  });
});

describe('types newer than the server', () => {
  const newer: [string, Parameters<typeof model>[1][string], string][] = [
    ['date', columns.date(), '2.2'],
    ['time', columns.time(), '2.2'],
    ['smallint', columns.smallint(), '2.2'],
    ['tinyint', columns.tinyint(), '2.2'],
    ['duration', columns.duration(), '3.10'],
  ];

  it('date, time, smallint, tinyint and duration: syncTable says which release they need', async () => {
    for (const [name, column, since] of newer) {
      const [major = 0, minor = 0] = since.split('.').map(Number);
      const M = model(`new_${name}`, { id: columns.int().partitionKey(), v: column });
      if (atLeast(major, minor)) {
        await management.syncTable(M);
        continue;
      }
      await assert.rejects(
        management.syncTable(M),
        instanceOf(CQLEngineError, (e: Error) => {
          assert.match(e.message, new RegExp(`new_${name}\\.v`));
          assert.match(e.message, new RegExp(name));
          assert.match(e.message, new RegExp(`Cassandra ${since.replace('.', '\\.')}`));
          assert.match(e.message, new RegExp(version.slice(0, 2).join('\\.')));
        }),
      );
    }
    if (!atLeast(2, 2)) {
      // Also inside a collection.
      const InList = model('new_in_list', { id: columns.int().partitionKey(), v: columns.list(columns.date()) });
      await assert.rejects(
        management.syncTable(InList),
        instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /2\.2/)),
      );
      const meta = await keyspaces.metadata(ks);
      for (const [name] of newer) assert.equal(await meta.getTable(ks, `new_${name}`), null, 'no table was created');
      assert.equal(await meta.getTable(ks, 'new_in_list'), null, 'no table was created');
    }
  });

  it('their values are still validated client-side', () => {
    const M = model('new_values', { id: columns.int().partitionKey(), d: columns.date(), sm: columns.smallint(), ti: columns.tinyint() });
    assert.throws(
      () => new M({ id: 1, sm: 40000 }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'sm')),
    );
    assert.throws(
      () => new M({ id: 1, ti: 128 }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'ti')),
    );
    assert.throws(
      () => new M({ id: 1, d: '2020-13-45' }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'd')),
    );
    assert.equal(new M({ id: 1, d: '2020-02-29' }).d!.toString(), '2020-02-29');
  });
});
