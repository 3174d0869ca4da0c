/**
 * Writes brought in line with Python cqlengine after a pass over its integration tests, each
 * checked on the real node: what is stored, and what is refused before anything reaches the wire.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigurationError, batch, columns, connection, management, model } from '../../src/index.js';
import { useTestKeyspace, versionAtLeast } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const Row = model('pw_rows', {
  id: columns.int().partitionKey(),
  count: columns.int(),
  text: columns.text(),
  tags: columns.set(columns.text()),
  m: columns.map(columns.text(), columns.int()),
  l: columns.list(columns.int()),
});
const Hits = model('pw_hits', { id: columns.int().partitionKey(), n: columns.counter(), m: columns.counter() });
const Pair = model('pw_pairs', { p: columns.int().partitionKey(), c: columns.int().primaryKey(), v: columns.text() });
const StaticHits = model('pw_static_hits', {
  p: columns.int().partitionKey(),
  c: columns.int().primaryKey(),
  total: columns.counter().static(),
  n: columns.counter(),
});

const db = useTestKeyspace([Row, Hits, Pair, StaticHits]);

const stored = async (id: number) => (await db.keyspaces.execute(`SELECT * FROM ${db.name}.pw_rows WHERE id = ?`, [id])).first();
const sorted = (v: Iterable<string> | null | undefined) => [...(v ?? [])].sort();

const sent: connection.StatementEvent[] = [];
let stop: () => void;
before(() => {
  stop = connection.onStatement((e) => sent.push(e));
});
after(() => stop());

describe('iff() and ifExists() together', () => {
  it('are refused before anything is sent, on every path; nothing is written', async () => {
    await Row.create({ id: 1, count: 5, text: 'a' });
    const row = await Row.get({ id: 1 });
    const refused = instanceOf(ConfigurationError);
    assert.throws(() => Row.filter({ id: 1 }).iff({ count: 1 }).ifExists(), refused);
    assert.throws(() => Row.filter({ id: 1 }).ifExists().iff({ count: 1 }), refused);
    row.text = 'b';
    sent.length = 0;
    await assert.rejects(row.save({ iff: { count: 1 }, ifExists: true }), refused);
    await assert.rejects(row.update({ text: 'c' }, { iff: { count: 1 }, ifExists: true }), refused);
    await assert.rejects(row.delete({ iff: { count: 1 }, ifExists: true }), refused);
    assert.deepEqual(sent, []);
    assert.equal((await stored(1))?.['text'], 'a');
  });

  it('are refused on a counter table, where Cassandra takes no condition', async () => {
    assert.throws(() => Hits.filter({ id: 1 }).ifExists(), instanceOf(ConfigurationError));
    assert.throws(() => Hits.filter({ id: 1 }).iff({ n: 1n }), instanceOf(ConfigurationError));
    const hit = new Hits({ id: 1 });
    hit.n += 1n;
    await assert.rejects(hit.save({ ifExists: true }), instanceOf(ConfigurationError));
    await assert.rejects(Hits.get({ id: 1 }), Hits.DoesNotExist);
  });
});

describe('options a write cannot take', () => {
  it('are refused before the beforeSave hook runs, and before update() sets its values', async () => {
    let hooks = 0;
    class Hooked extends Row {
      override beforeSave(): void {
        hooks++;
      }
    }
    const row = new Hooked({ id: 20, count: 1 });
    await assert.rejects(row.save({ ifNotExists: true, iff: { count: 1 } }), instanceOf(ConfigurationError));
    await assert.rejects(row.save({ ifNotExists: true, ifExists: true }), instanceOf(ConfigurationError));
    await assert.rejects(new Hits({ id: 20 }).save({ ifNotExists: true }), instanceOf(ConfigurationError));
    await assert.rejects(row.update({ text: 'x' }, { ifNotExists: true }), instanceOf(ConfigurationError));
    assert.equal(hooks, 0);
    assert.equal(row.text, null);
  });

  it('an empty IN condition never holds: the write is not applied', async () => {
    await Row.create({ id: 21, text: 'a' });
    // (Cassandra 2.1.0 takes no IN in IF: refused before the wire there, for this feature's version.)
    const applies = versionAtLeast(db.cluster.version, '2.1.1');
    await assert.rejects(Row.filter({ id: 21 }).iff({ text__in: [] }).update({ text: 'b' }), (err: Error) =>
      applies ? err.name === 'LWTError' : /2\.1\.1/.test(err.message),
    );
    assert.equal((await stored(21))?.['text'], 'a');
  });
});

describe('sets and maps read empty, or not read', () => {
  it('gain elements as deltas, so that elements others add meanwhile survive', async () => {
    await Row.create({ id: 2, text: 'a' });
    const row = await Row.get({ id: 2 });
    await db.keyspaces.execute(`UPDATE ${db.name}.pw_rows SET tags = tags + {'other'}, m = m + {'o': 1} WHERE id = 2`);
    row.tags.add('mine');
    row.m.set('mine', 1);
    await row.save();
    const back = await stored(2);
    assert.deepEqual(sorted(back?.['tags']), ['mine', 'other']);
    assert.deepEqual({ ...back?.['m'] }, { mine: 1, o: 1 });
  });

  it('gain elements as deltas under only(), so that the elements not read survive', async () => {
    await Row.create({ id: 3, text: 'a', tags: new Set(['x']), m: new Map([['k', 1]]), l: [1] });
    const row = await Row.filter({ id: 3 }).only('id', 'text').get();
    row.tags.add('y');
    row.m.set('k2', 2);
    await row.save();
    const back = await stored(3);
    assert.deepEqual(sorted(back?.['tags']), ['x', 'y']);
    assert.deepEqual({ ...back?.['m'] }, { k: 1, k2: 2 });
  });
});

describe('QuerySet.update() removing map keys', () => {
  it('is one UPDATE, so that it applies whole under iff()', async () => {
    await Row.create({
      id: 4,
      count: 5,
      m: new Map([
        ['a', 1],
        ['b', 2],
      ]),
    });
    sent.length = 0;
    await Row.filter({ id: 4 })
      .iff({ count: 5 })
      .update({ count: 6, m__remove: new Set(['a']) });
    assert.equal(sent.length, 1);
    const back = await stored(4);
    assert.equal(back?.['count'], 6);
    assert.deepEqual({ ...back?.['m'] }, { b: 2 });
    await Row.filter({ id: 4 }).update({ m__update: { b: null, c: 3 } });
    assert.deepEqual({ ...(await stored(4))?.['m'] }, { c: 3 });
  });

  it('with the map also set whole, leaves the removed keys out of the value set', async () => {
    await Row.create({ id: 8, m: new Map([['a', 1]]) });
    await Row.filter({ id: 8 }).update({
      m: new Map([
        ['x', 1],
        ['y', 2],
      ]),
      m__remove: new Set(['y']),
    });
    assert.deepEqual({ ...(await stored(8))?.['m'] }, { x: 1 });
  });
});

describe('a counter row created with no values', () => {
  it('is made, its counters at 0, as cqlengine moves each by 0', async () => {
    await Hits.create({ id: 5 });
    const hit = await Hits.get({ id: 5 });
    assert.deepEqual([hit.n, hit.m], [0n, 0n]);
    hit.n += 10n;
    await hit.save();
    assert.equal((await Hits.get({ id: 5 })).n, 10n);
  });

  it('with its clustering key null moves only its static counters', async () => {
    await StaticHits.create({ p: 1, c: null as unknown as number });
    const rs = await db.keyspaces.execute(`SELECT total FROM ${db.name}.pw_static_hits WHERE p = 1`);
    assert.equal(String(rs.first()?.['total']), '0');
  });

  it('is made inside a batch too', async () => {
    await batch(
      async (b) => {
        await Hits.create({ id: 6 }, { batch: b });
      },
      { type: 'counter' },
    );
    assert.equal((await Hits.get({ id: 6 })).m, 0n);
  });
});

describe('an empty IN', () => {
  it('matches no row: reads find nothing, counts 0, writes change nothing', async () => {
    await Pair.create({ p: 1, c: 1, v: 'a' });
    assert.deepEqual(await Pair.filter({ p__in: [] }).all(), []);
    assert.deepEqual(await Pair.filter({ p: 1, c__in: [] }).all(), []);
    assert.equal(await Pair.filter({ p__in: [] }).count(), 0);
    assert.equal(await Pair.filter({ p__in: [] }).first(), undefined);
    await assert.rejects(Pair.objects().get({ p__in: [] }), Pair.DoesNotExist);
    // (Cassandra 2.1 takes IN in a write's WHERE on the partition key only.)
    await Pair.filter({ p__in: [], c: 1 }).update({ v: 'b' });
    await Pair.filter({ p__in: [], c: 1 }).delete();
    await Pair.filter({ p__in: [] }).delete();
    assert.equal((await Pair.get({ p: 1, c: 1 })).v, 'a');
    // The same shape with values still binds them.
    assert.equal((await Pair.filter({ p: 1, c__in: [1] }).all()).length, 1);
  });
});

describe('instance update() with no values', () => {
  it('writes what changed since the row was read, as cqlengine does', async () => {
    await Row.create({ id: 7, text: 'a' });
    const row = await Row.get({ id: 7 });
    row.text = 'b';
    await row.update();
    assert.equal((await stored(7))?.['text'], 'b');
    await assert.rejects(row.update(null as never), instanceOf(ConfigurationError));
  });

  it('on a new instance given only its key writes nothing, as in cqlengine', async () => {
    sent.length = 0;
    await new Row({ id: 9 }).update();
    assert.deepEqual(sent, []);
    assert.equal(await stored(9), null);
  });
});

describe('a TTL of 0 or null', () => {
  const Expiring = model(
    'pw_expiring',
    { id: columns.int().partitionKey(), v: columns.text() },
    { tableOptions: { default_time_to_live: 600 } },
  );

  it("leaves the table's default_time_to_live to apply, as cqlengine's ttl(0) and ttl(None) do", async () => {
    await management.syncTable(Expiring);
    await Expiring.create({ id: 1, v: 'a' }, { ttl: 0 });
    await Expiring.objects().ttl(null).create({ id: 2, v: 'b' });
    await Expiring.filter({ id: 3 }).ttl(0).update({ v: 'c' });
    await Expiring.create({ id: 4, v: 'd' }, { ttl: 30 });
    const ttls = await db.keyspaces.execute(`SELECT id, TTL(v) AS t FROM ${db.name}.pw_expiring`);
    const byId = new Map(ttls.rows.map((r) => [r['id'] as number, r['t'] as number]));
    for (const id of [1, 2, 3]) assert.ok(byId.get(id)! > 30 && byId.get(id)! <= 600, `row ${id}: ttl ${byId.get(id)}`);
    assert.ok(byId.get(4)! <= 30);
  });
});
