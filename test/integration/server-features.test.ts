/**
 * What newer servers add, against the real node: on a server that has a feature it works; on one
 * that lacks it the library refuses it with a CQLEngineError naming the feature and the release.
 * Every test runs on every server (no skips): each asserts what its server should do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CQLEngineError, LWTError, columns, connection, management, model, userType } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra, versionAtLeast, type TestCassandra } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

let cluster: TestCassandra;
let keyspaces: TestKeyspaces;
let ks: string;
const atLeast = (v: string) => versionAtLeast(cluster.version, v);

/** Asserts a CQLEngineError naming the feature and the release it needs. */
const refused = (feature: RegExp, since: string) =>
  instanceOf(CQLEngineError, (e: Error) => {
    assert.match(e.message, feature);
    assert.ok(e.message.includes(`Cassandra ${since}`), e.message);
  });

before(async () => {
  cluster = await ensureCassandra();
  keyspaces = new TestKeyspaces(cluster.hosts);
  ks = await keyspaces.create();
  await connection.setup(cluster.hosts, ks);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

const Doc = model('docs', {
  id: columns.int().partitionKey(),
  at: columns.int().primaryKey(),
  count: columns.int(),
  state: columns.text(),
  kind: columns.text(),
});

describe('conditions and deletes', () => {
  before(async () => {
    await management.syncTable(Doc);
  });

  it('iff with operators and UPDATE … IF EXISTS, on instances and QuerySets (LWTError carries the current values)', async () => {
    const d = await Doc.create({ id: 1, at: 1, count: 5, state: 'open', kind: 'a' });
    if (!atLeast('2.1.1')) {
      await assert.rejects(d.update({ count: 6 }, { iff: { count__gt: 3 } }), refused(/IF conditions with operators/, '2.1.1'));
      await assert.rejects(Doc.filter({ id: 1, at: 1 }).ifExists().update({ count: 6 }), refused(/UPDATE … IF EXISTS/, '2.1.1'));
      assert.equal((await Doc.get({ id: 1, at: 1 })).count, 5);
      return;
    }
    await d.update({ count: 6 }, { iff: { count__gt: 3, state__ne: 'closed', kind__in: ['a', 'b'] } });
    await assert.rejects(
      d.update({ count: 7 }, { iff: { count__lt: 3 } }),
      instanceOf(LWTError, (e: LWTError) => assert.equal(e.existing['count'], 6)),
    );
    await Doc.filter({ id: 1, at: 1 })
      .iff({ count__gte: 6, kind__in: ['a'] })
      .update({ state: 'closed' });
    await Doc.filter({ id: 1, at: 1 }).ifExists().update({ count: 8 });
    await assert.rejects(Doc.filter({ id: 1, at: 99 }).ifExists().update({ count: 1 }), LWTError);
    const got = await Doc.get({ id: 1, at: 1 });
    assert.deepEqual([got.count, got.state], [8, 'closed']);
    await assert.rejects(d.delete({ iff: { state__ne: 'closed' } }), LWTError);
    await Doc.filter({ id: 1, at: 1 }).iff({ count__lte: 8 }).delete();
    assert.equal(await Doc.filter({ id: 1 }).count(), 0);
  });

  it('range deletes on clustering columns (3.0+)', async () => {
    for (let at = 1; at <= 5; at++) await Doc.create({ id: 2, at, count: at });
    const del = Doc.filter({ id: 2, at__gt: 1, at__lte: 3 }).delete();
    if (!atLeast('3.0')) {
      await assert.rejects(del, refused(/range deletes/, '3.0'));
      return;
    }
    await del;
    assert.deepEqual(
      (await Doc.filter({ id: 2 }).all()).map((r) => r.at),
      [1, 4, 5],
    );
  });

  it('perPartitionLimit (3.6+)', async () => {
    for (const id of [3, 4]) for (let at = 1; at <= 3; at++) await Doc.create({ id, at });
    const q = Doc.filter({ id__in: [3, 4] }).perPartitionLimit(2);
    assert.match(q.toString(), /PER PARTITION LIMIT \?/);
    if (!atLeast('3.6')) {
      await assert.rejects(q.all(), refused(/PER PARTITION LIMIT/, '3.6'));
      return;
    }
    assert.deepEqual((await q.all()).map((r) => `${r.id}/${r.at}`).sort(), ['3/1', '3/2', '4/1', '4/2']);
  });
});

describe('types, frozen keys and index kinds', () => {
  it('frozen collections, tuples and user types as partition and clustering keys round-trip (2.1.3+ for frozen collections)', async () => {
    const Point = userType('point', { x: columns.int(), y: columns.int() });
    const Keyed = model('frozen_keys', {
      tags: columns.set(columns.text(), { frozen: true }).partitionKey(),
      where: columns.udt(Point).partitionKey(),
      pair: columns.tuple(columns.int(), columns.text()).primaryKey(),
      path: columns.list(columns.map(columns.text(), columns.int()), { frozen: true }).primaryKey(),
      note: columns.text(),
    });
    if (!atLeast('2.1.3')) {
      await assert.rejects(management.syncTable(Keyed), refused(/frozen/, '2.1.3'));
      return;
    }
    await management.syncTable(Keyed);
    const key = {
      tags: ['b', 'a'],
      where: { x: 1, y: 2 },
      pair: [1, 'one'] as [number, string],
      path: [{ k: 1 }, {} as Record<string, number>],
    };
    await Keyed.create({ ...key, note: 'n' });
    const got = await Keyed.get(key);
    assert.deepEqual(
      [[...got.tags], got.where, got.pair, got.path.map((m) => Object.fromEntries(m)), got.note],
      [['a', 'b'], { x: 1, y: 2 }, [1, 'one'], [{ k: 1 }, {}], 'n'],
    );
  });

  it('date, time, smallint, tinyint, duration and vector round-trip where the server has them', async () => {
    const Typed = model('typed', {
      id: columns.int().partitionKey(),
      d: columns.date(),
      t: columns.time(),
      sm: columns.smallint(),
      ti: columns.tinyint(),
      du: columns.duration(),
      emb: columns.vector(columns.float(), 3),
      names: columns.vector(columns.text(), 2),
    });
    if (!atLeast('5.0')) {
      await assert.rejects(
        management.syncTable(Typed),
        instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /needs Cassandra (2\.2|3\.10|5\.0)/)),
      );
      return;
    }
    await management.syncTable(Typed);
    await Typed.create({
      id: 1,
      d: '2024-02-29',
      t: '12:34:56.789',
      sm: -32768,
      ti: 127,
      du: '1mo2d3h',
      emb: [0.5, -1, 2],
      names: ['a', 'b'],
    });
    const got = await Typed.get({ id: 1 });
    assert.equal(got.d!.toString(), '2024-02-29');
    assert.match(got.t!.toString(), /^12:34:56\.789(000000)?$/);
    assert.deepEqual([got.sm, got.ti], [-32768, 127]);
    assert.equal(String(got.du), '1mo2d3h');
    assert.ok(got.emb instanceof Float32Array);
    assert.deepEqual([...got.emb!], [0.5, -1, 2]);
    assert.deepEqual(got.names, ['a', 'b']);
  });

  it('indexes on map keys, values and entries, on a frozen collection, SASI and SAI, with their filters', async () => {
    const Indexed = model('indexed', {
      id: columns.int().partitionKey(),
      byKey: columns.map(columns.text(), columns.int()).index('keys'),
      byValue: columns.map(columns.text(), columns.int()).index('values'),
      byEntry: columns.map(columns.text(), columns.int()).index('entries'),
      whole: columns.list(columns.int(), { frozen: true }).index({ full: true }),
      name: columns.text().index({ using: 'org.apache.cassandra.index.sasi.SASIIndex', options: { mode: 'CONTAINS' } }),
      score: columns.int().index({ using: 'sai' }),
    });
    if (!atLeast('5.0')) {
      await assert.rejects(
        management.syncTable(Indexed),
        instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /needs Cassandra/)),
      );
      return;
    }
    await management.syncTable(Indexed);
    await Indexed.create({
      id: 1,
      byKey: { a: 1 },
      byValue: { a: 7 },
      byEntry: { a: 1, b: 2 },
      whole: [1, 2],
      name: 'alphabet',
      score: 10,
    });
    await Indexed.create({ id: 2, byKey: { b: 1 }, byValue: { b: 8 }, byEntry: { a: 2 }, whole: [2], name: 'beta', score: 20 });
    const ids = async (q: { all(): Promise<{ id: number }[]> }) => (await q.all()).map((r) => r.id).sort();
    assert.deepEqual(await ids(Indexed.filter({ byKey__contains_key: 'a' })), [1]);
    assert.deepEqual(await ids(Indexed.filter({ byValue__contains: 8 })), [2]);
    assert.deepEqual(await ids(Indexed.filter({ byEntry__entry: ['a', 2] })), [2]);
    assert.deepEqual(await ids(Indexed.filter({ whole: [1, 2] })), [1]);
    assert.deepEqual(await ids(Indexed.filter({ score: 20 })), [2]);
    // SAI also serves ranges: a custom index passes the client's check with any operator, as in cqlengine.
    assert.deepEqual(await ids(Indexed.filter({ score__gte: 15 })), [2]);
    assert.deepEqual(await ids(Indexed.filter({ score__lt: 15 })), [1]);
    // LIKE on the SASI index, as cqlengine's __like: its pattern is bound.
    assert.deepEqual(await ids(Indexed.filter({ name__like: '%phab%' })), [1]);
    assert.deepEqual(await ids(Indexed.filter({ name__like: '%ta' })), [2]);
  });
});

describe('vector search (5.0)', () => {
  const Item = model('items', {
    id: columns.int().partitionKey(),
    kind: columns.text().index({ using: 'sai' }),
    embedding: columns.vector(columns.float(), 3).index({ using: 'sai', options: { similarity_function: 'cosine' } }),
  });

  it('orders by approximate nearest neighbour, with the similarity and with filters; refused before 5.0', async () => {
    if (!atLeast('5.0')) {
      await assert.rejects(management.syncTable(Item), refused(/SAI|vector<float, 3>/, '5.0'));
      const OldItem = model('old_items', { id: columns.int().partitionKey(), v: columns.int() });
      await management.syncTable(OldItem);
      // The query itself is refused before it is sent, whatever the table.
      await assert.rejects(Item.objects().annOf('embedding', [1, 0, 0]).limit(2).all(), refused(/ANN OF/, '5.0'));
      return;
    }
    await management.syncTable(Item);
    await Item.create({ id: 1, kind: 'a', embedding: [1, 0, 0] });
    await Item.create({ id: 2, kind: 'b', embedding: [0.9, 0.1, 0] });
    await Item.create({ id: 3, kind: 'a', embedding: [0, 0, 1] });
    const q = Item.objects()
      .annOf('embedding', new Float32Array([1, 0, 0]))
      .limit(2);
    assert.match(q.toString(), /ORDER BY "embedding" ANN OF \? LIMIT \?$/);
    assert.deepEqual(
      (await q.all()).map((r) => r.id),
      [1, 2],
    );
    const scored = await q.scored('cosine');
    assert.deepEqual(
      scored.map((s) => s.row.id),
      [1, 2],
    );
    assert.ok(scored[0]!.similarity > scored[1]!.similarity && scored[0]!.similarity <= 1.0001);
    assert.deepEqual(
      (await Item.filter({ kind: 'a' }).annOf('embedding', [0, 0.2, 1]).limit(5).all()).map((r) => r.id),
      [3, 1],
    );
    assert.throws(() => Item.objects().annOf('embedding', [1, 0]), CQLEngineError);
    await assert.rejects(Item.objects().annOf('embedding', [1, 0, 0]).all(), /limit/);
  });
});

describe('syncTable diff', () => {
  it('a second sync of an unchanged model sends no DDL; a missing index is created, an existing one is not', async () => {
    const defs = {
      id: columns.int().partitionKey(),
      m: columns.map(columns.text(), columns.int()).index('keys'),
      m2: columns.map(columns.text(), columns.int()).index('values'),
      s: columns.text(),
    };
    const options = {
      tableOptions: {
        comment: 'twice',
        compaction: { class: 'LeveledCompactionStrategy', sstable_size_in_mb: 64 },
        compression: { class: 'LZ4Compressor', chunk_length_in_kb: 16 },
        caching: { keys: 'ALL', rows_per_partition: 'NONE' },
        speculative_retry: '99PERCENTILE',
        gc_grace_seconds: 3600,
        default_time_to_live: 0,
        bloom_filter_fp_chance: 0.05,
      },
    };
    // Option names 2.1 spells differently.
    if (!atLeast('3.0')) {
      options.tableOptions.compression = { sstable_compression: 'LZ4Compressor', chunk_length_kb: 16 } as never;
    }
    // 4.0's options, which the driver's table metadata does not report (read from system_schema.tables).
    if (atLeast('4.0')) Object.assign(options.tableOptions, { read_repair: 'NONE', additional_write_policy: '95p', cdc: false });
    if (atLeast('5.0')) Object.assign(options.tableOptions, { incremental_backups: false, allow_auto_snapshot: true });
    const Twice = model('twice', defs, options);
    const ddl: string[] = [];
    const stop = connection.onStatement((e) => e.kind === 'ddl' && ddl.push(e.cql));
    try {
      await management.syncTable(Twice);
      assert.ok(ddl.some((c) => c.startsWith('CREATE TABLE')));
      ddl.length = 0;
      await management.syncTable(Twice);
      if (atLeast('3.0')) assert.deepEqual(ddl, [], 'the second sync sends no DDL');
      else
        assert.ok(
          ddl.every((c) => !c.startsWith('CREATE INDEX')),
          ddl.join('\n'),
        );

      const More = model('twice', { ...defs, s: columns.text().index() }, options);
      ddl.length = 0;
      await management.syncTable(More);
      assert.deepEqual(
        ddl.filter((c) => c.startsWith('CREATE')),
        [`CREATE INDEX IF NOT EXISTS twice_s_idx ON "${ks}"."twice" ("s")`],
      );
      ddl.length = 0;
      await management.syncTable(More);
      if (atLeast('3.0')) assert.deepEqual(ddl, []);
    } finally {
      stop();
    }
  });
});

describe('two indexes on one map column', () => {
  it('an index on its keys beside one on its values gets a name of its own, so both exist', async (t) => {
    if (!atLeast('3.0')) return t.skip('Cassandra 2.1 allows one index per column');
    const Values = model('two_idx', { id: columns.int().partitionKey(), m: columns.map(columns.text(), columns.int()).index() });
    const Keys = model('two_idx', { id: columns.int().partitionKey(), m: columns.map(columns.text(), columns.int()).index('keys') });
    await management.syncTable(Values);
    await management.syncTable(Keys);
    const client = await connection.getSession();
    const table = await client.metadata.getTable(ks, 'two_idx');
    assert.deepEqual(table!.indexes.map((i) => [i.name, i.target]).sort(), [
      ['two_idx_m_idx', 'values(m)'],
      ['two_idx_m_keys_idx', 'keys(m)'],
    ]);
    await Keys.create({ id: 1, m: { a: 1 } });
    assert.equal((await Keys.filter({ m__contains_key: 'a' }).all()).length, 1);
    assert.equal((await Values.filter({ m__contains: 1 }).all()).length, 1);
  });
});

describe('plan() with the 5.0 diff', () => {
  it('an unchanged table plans nothing, an index of a new kind plans a CREATE INDEX, vectors show no drift; SAI refused before 5.0', async () => {
    const defs = {
      id: columns.int().partitionKey(),
      m: columns.map(columns.text(), columns.int()).index('keys'),
      s: columns.text(),
    };
    const options = {
      tableOptions: {
        comment: 'planned',
        compaction: { class: 'LeveledCompactionStrategy', sstable_size_in_mb: 64 },
        caching: { keys: 'ALL', rows_per_partition: 'NONE' },
        speculative_retry: '99PERCENTILE',
        gc_grace_seconds: 3600,
      },
    };
    const Planned = model('planned', defs, options);
    await management.syncTable(Planned);
    const again = await management.plan([Planned]);
    assert.deepEqual(again.drift, []);
    if (atLeast('3.0')) assert.deepEqual(again.statements, []);
    else
      assert.ok(
        again.statements.every((s) => s.action !== 'create index'),
        JSON.stringify(again.statements),
      );

    const Indexed = model('planned', { ...defs, s: columns.text().index() }, options);
    const indexed = await management.plan([Indexed]);
    assert.deepEqual(
      indexed.statements.filter((s) => s.action === 'create index').map((s) => s.cql),
      [`CREATE INDEX IF NOT EXISTS planned_s_idx ON "${ks}"."planned" ("s")`],
    );

    const Vectors = model('planned_vectors', {
      id: columns.int().partitionKey(),
      embedding: columns.vector(columns.float(), 3).index({ using: 'sai', options: { similarity_function: 'cosine' } }),
      counts: columns.vector(columns.int(), 2),
    });
    if (!atLeast('5.0')) {
      await assert.rejects(management.plan([Vectors]), refused(/SAI|vector</, '5.0'));
      const Sai = model('planned_sai', { id: columns.int().partitionKey(), n: columns.int().index({ using: 'sai' }) });
      await assert.rejects(management.plan([Sai]), refused(/storage-attached \(SAI\) index/, '5.0'));
      return;
    }
    await management.syncTable(Vectors);
    assert.deepEqual(await management.plan([Vectors]), { statements: [], drift: [] });
    // Values indexed, now wanted by entries: a new kind, so a new index.
    const Entries = model('planned', { ...defs, m: columns.map(columns.text(), columns.int()).index('entries') }, options);
    const entries = await management.plan([Entries]);
    assert.deepEqual(
      entries.statements.map((s) => [s.action, s.reason]),
      [['create index', `column ${ks}.planned.m has no entries index`]],
    );
  });
});
