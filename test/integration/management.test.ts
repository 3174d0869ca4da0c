/**
 * Schema management against the real node: keyspaces, syncTable (create and diff), dropTable, on
 * several keyspaces and named connections, checked from a client of the tests' own.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Client } from 'cassandra-driver';
import {
  CQLEngineError,
  ConfigurationError,
  UnknownConnectionError,
  abstractModel,
  columns,
  connection,
  management,
  model,
} from '../../src/index.js';
import { TestKeyspaces, adminClient, ensureCassandra, uniqueKeyspaceName } from '../helpers/cassandra.js';
import { captureLogs, instanceOf } from '../helpers/util.js';

type TableMeta = NonNullable<Awaited<ReturnType<Client['metadata']['getTable']>>>;

let hosts: string[];
let keyspaces: TestKeyspaces;
/** Two keyspaces made by the tests' own client. */
let ks1: string;
let ks2: string;
/** Keyspaces made through management, dropped in the after hook whatever the tests did. */
const made = new Set<string>();

const BOTH = ['plain', 'lazy'];

function newKeyspaceName(): string {
  const name = uniqueKeyspaceName();
  made.add(name);
  return name;
}

/** What a fresh client, made after the call under test resolved, sees of a table (null: no table). */
async function inspect(keyspace: string, table: string): Promise<TableMeta | null> {
  const client = await adminClient(hosts);
  try {
    return await client.metadata.getTable(keyspace, table);
  } finally {
    await client.shutdown();
  }
}

async function keyspaceMeta(
  name: string,
): Promise<{ strategy: string; strategyOptions: Record<string, string>; durableWrites: boolean } | undefined> {
  const client = await adminClient(hosts);
  try {
    await client.metadata.refreshKeyspace(name);
    return client.metadata.keyspaces[name] as never;
  } finally {
    await client.shutdown();
  }
}

/** The driver sets isStatic on its column metadata, though its typings do not declare it. */
const isStatic = (t: TableMeta, name: string) => (t.columnsByName[name] as unknown as { isStatic: boolean }).isStatic;
const columnNames = (t: TableMeta) => t.columns.map((c) => c.name).sort();
const isStrategy = (strategy: string, name: string) => strategy === name || strategy.endsWith(`.${name}`);

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ks1 = await keyspaces.create();
  ks2 = await keyspaces.create();
});

afterEach(async () => {
  await connection.shutdown();
});

after(async () => {
  await connection.shutdown();
  try {
    for (const name of made) await keyspaces.execute(`DROP KEYSPACE IF EXISTS ${name}`);
  } finally {
    await keyspaces.drop();
  }
});

/** 'plain' (the default) and 'lazy' (no socket until first use): two named connections to the same node. */
async function twoConnections(): Promise<void> {
  await connection.registerConnection('plain', { hosts, default: true });
  await connection.registerConnection('lazy', { hosts, lazyConnect: true });
}

describe('keyspaces', () => {
  it('createKeyspaceSimple on two connections, then dropKeyspace', async () => {
    await twoConnections();
    const name = newKeyspaceName();
    assert.equal(connection.listConnections().find((c) => c.name === 'lazy')!.state, 'lazy');
    await management.createKeyspaceSimple(name, 2, { connections: BOTH });
    assert.equal(connection.listConnections().find((c) => c.name === 'lazy')!.state, 'connected');
    const meta = await keyspaceMeta(name);
    assert.ok(meta, 'keyspace created');
    assert.ok(isStrategy(meta.strategy, 'SimpleStrategy'), meta.strategy);
    assert.equal(String(meta.strategyOptions['replication_factor']), '2');
    assert.equal(meta.durableWrites, true);
    // IF NOT EXISTS: again is fine, and changes nothing.
    await management.createKeyspaceSimple(name, 1);
    assert.equal(String((await keyspaceMeta(name))!.strategyOptions['replication_factor']), '2');

    await management.dropKeyspace(name, { connections: ['lazy'] });
    assert.equal(await keyspaceExistsFresh(name), false);
    // Dropping a missing keyspace is a no-op.
    await management.dropKeyspace(name, { connections: BOTH });
  });

  it('durableWrites: false', async () => {
    await twoConnections();
    const name = newKeyspaceName();
    await management.createKeyspaceSimple(name, 1, { durableWrites: false });
    assert.equal((await keyspaceMeta(name))!.durableWrites, false);
    await management.dropKeyspace(name);
    assert.equal(await keyspaceExistsFresh(name), false);
  });

  it("createKeyspaceNetworkTopology with the node's data centre, usable by a model", async () => {
    await twoConnections();
    const name = newKeyspaceName();
    await management.createKeyspaceNetworkTopology(name, { datacenter1: 1 }, { connections: BOTH });
    const meta = await keyspaceMeta(name);
    assert.ok(meta);
    assert.ok(isStrategy(meta.strategy, 'NetworkTopologyStrategy'), meta.strategy);
    assert.equal(String(meta.strategyOptions['datacenter1']), '1');

    const Thing = model('things', { id: columns.int().partitionKey(), v: columns.text() }, { keyspace: name });
    await management.syncTable(Thing);
    await Thing.create({ id: 1, v: 'nts' }, { consistency: 'LOCAL_QUORUM' });
    assert.equal((await Thing.get({ id: 1 })).v, 'nts');
    await management.dropKeyspace(name, { connections: BOTH });
    assert.equal(await keyspaceExistsFresh(name), false);
  });

  it('bad names and arguments are rejected with a CQLEngineError before anything is sent', async () => {
    // No connection is registered at all: reaching for one would be an UnknownConnectionError.
    const bad = ['bad-name', 'a'.repeat(49), '', 'x"; DROP KEYSPACE system; --', 'with space', 'ünïcode'];
    for (const name of bad) {
      for (const call of [
        () => management.createKeyspaceSimple(name, 1),
        () => management.createKeyspaceNetworkTopology(name, { datacenter1: 1 }),
        () => management.dropKeyspace(name),
      ]) {
        await assert.rejects(
          call(),
          instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.value, name)),
        );
      }
    }
    for (const rf of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(management.createKeyspaceSimple('fine_name', rf), instanceOf(ConfigurationError));
    }
    await assert.rejects(management.createKeyspaceNetworkTopology('fine_name', {}), instanceOf(ConfigurationError));
    await assert.rejects(management.createKeyspaceNetworkTopology('fine_name', { datacenter1: -1 }), instanceOf(ConfigurationError));
    await assert.rejects(management.createKeyspaceSimple('fine_name', 1, { connections: [] }), instanceOf(ConfigurationError));

    const Fine = model('fine', { id: columns.int().partitionKey() }, { keyspace: ks1 });
    for (const name of ['bad-name', 'a'.repeat(49), 'x"y']) {
      await assert.rejects(management.syncTable(Fine, { keyspaces: [name] }), instanceOf(ConfigurationError));
      await assert.rejects(management.dropTable(Fine, { keyspaces: [name] }), instanceOf(ConfigurationError));
    }
    await assert.rejects(management.syncTable(Fine, { keyspaces: [] }), instanceOf(ConfigurationError));
    // Bad table and column names fail when the model is defined.
    assert.throws(() => model('bad-table', { id: columns.int().partitionKey() }), instanceOf(ConfigurationError));
    assert.throws(() => model('t'.repeat(49), { id: columns.int().partitionKey() }), instanceOf(ConfigurationError));
    assert.throws(() => model('ok', { id: columns.int().partitionKey().dbField('bad col') }), instanceOf(ConfigurationError));
    assert.throws(() => model('ok', { id: columns.int().partitionKey() }, { keyspace: 'bad-ks' }), instanceOf(ConfigurationError));
    assert.throws(
      () => model('ok', { id: columns.int().partitionKey() }, { tableOptions: { 'bad option': 1 } }),
      instanceOf(ConfigurationError),
    );

    // Valid names do reach for a connection: none is registered.
    await assert.rejects(management.createKeyspaceSimple('fine_name', 1), instanceOf(UnknownConnectionError));
  });
});

async function keyspaceExistsFresh(name: string): Promise<boolean> {
  return (await keyspaceMeta(name)) !== undefined;
}

describe('syncTable and dropTable', () => {
  it('across two keyspaces and two named connections', async () => {
    await twoConnections();
    const Pair = model('pairs', { id: columns.int().partitionKey(), v: columns.text().index() });
    await management.syncTable(Pair, { keyspaces: [ks1, ks2], connections: BOTH });
    for (const ks of [ks1, ks2]) {
      const t = await inspect(ks, 'pairs');
      assert.ok(t, `table in ${ks}`);
      assert.deepEqual(columnNames(t), ['id', 'v']);
      assert.equal(t.indexes.length, 1);
    }
    // Usable through either connection in either keyspace.
    await Pair.using({ connection: 'lazy', keyspace: ks1 }).create({ id: 1, v: 'lazy/ks1' });
    await Pair.using({ connection: 'plain', keyspace: ks2 }).create({ id: 1, v: 'plain/ks2' });
    assert.equal((await keyspaces.execute(`SELECT v FROM ${ks1}.pairs WHERE id = 1`)).first().get('v'), 'lazy/ks1');
    assert.equal((await Pair.using({ keyspace: ks2 }).get({ v: 'plain/ks2' })).id, 1);

    await management.dropTable(Pair, { keyspaces: [ks1, ks2], connections: BOTH });
    assert.equal(await inspect(ks1, 'pairs'), null);
    assert.equal(await inspect(ks2, 'pairs'), null);
    // Dropping again is a no-op.
    await management.dropTable(Pair, { keyspaces: [ks1, ks2], connections: ['lazy'] });
  });

  it("defaults to the model's keyspace and connection", async () => {
    await twoConnections();
    const Own = model('own', { id: columns.int().partitionKey() }, { keyspace: ks2, connection: 'lazy' });
    await management.syncTable(Own);
    assert.ok(await inspect(ks2, 'own'));
    assert.equal(connection.listConnections().find((c) => c.name === 'lazy')!.state, 'connected');
    await management.dropTable(Own);
    assert.equal(await inspect(ks2, 'own'), null);

    const Unknown = model('own', { id: columns.int().partitionKey() }, { keyspace: ks2, connection: 'nowhere' });
    await assert.rejects(management.syncTable(Unknown), instanceOf(UnknownConnectionError));
    const NoKeyspace = model('nks', { id: columns.int().partitionKey() });
    await assert.rejects(
      management.syncTable(NoKeyspace),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /keyspace/)),
    );
    const Abstract = abstractModel({ id: columns.int().partitionKey() });
    await assert.rejects(
      management.syncTable(Abstract),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /abstract/)),
    );
  });

  it('a missing keyspace is a clear CQLEngineError and nothing is created', async () => {
    await twoConnections();
    const missing = newKeyspaceName();
    const M = model('m', { id: columns.int().partitionKey() }, { keyspace: missing });
    await assert.rejects(
      management.syncTable(M),
      instanceOf(CQLEngineError, (e: Error) => {
        assert.match(e.message, new RegExp(missing));
        assert.match(e.message, /does not exist/);
      }),
    );
    await assert.rejects(management.syncTable(M, { keyspaces: [ks1, missing] }), instanceOf(CQLEngineError));
    assert.equal(await keyspaceExistsFresh(missing), false);
  });

  it('once syncTable resolves, a different fresh client sees the table and can use it', async () => {
    await twoConnections();
    const Fresh = model('fresh', { id: columns.int().partitionKey(), v: columns.text() }, { keyspace: ks1 });
    await management.syncTable(Fresh, { connections: ['lazy'] });
    const other = await adminClient(hosts);
    try {
      assert.ok(await other.metadata.getTable(ks1, 'fresh'));
      await other.execute(`INSERT INTO ${ks1}.fresh (id, v) VALUES (1, 'seen')`);
    } finally {
      await other.shutdown();
    }
    assert.equal((await Fresh.get({ id: 1 })).v, 'seen');
  });

  it("refuses an option the existing table does not have before anything is sent (3.0+; the server's refusal before)", async () => {
    await twoConnections();
    const Plain = model('bogus_opt', { id: columns.int().partitionKey() }, { keyspace: ks1, tableOptions: { comment: 'x' } });
    await management.syncTable(Plain);
    const Bogus = model(
      'bogus_opt',
      { id: columns.int().partitionKey(), extra: columns.text() },
      { keyspace: ks1, tableOptions: { comment: 'y', no_way_option: 'what' } },
    );
    const release = String((await connection.execute('SELECT release_version FROM system.local')).first()['release_version']);
    const sent: string[] = [];
    const stop = connection.onStatement((e) => e.kind === 'ddl' && sent.push(e.cql));
    try {
      if (Number(release.split('.')[0]) >= 3) {
        await assert.rejects(management.syncTable(Bogus), (err: unknown) => {
          assert.ok(err instanceof ConfigurationError, String(err));
          assert.equal(err.option, 'tableOptions');
          assert.equal(err.value, 'no_way_option');
          assert.match(err.message, /no option 'no_way_option'.*comment/);
          return true;
        });
        assert.deepEqual(sent, [], 'nothing sent: not the new column, not the comment');
      } else {
        // 2.x: the table's options are not listed anywhere to check against; the server refuses the ALTER.
        await assert.rejects(management.syncTable(Bogus), /no_way_option/);
      }
    } finally {
      stop();
    }
  });

  it('brings an existing table up to the model: new columns, missing indexes, changed options; idempotent', async () => {
    await twoConnections();
    const V1 = model('evolve', { id: columns.int().partitionKey(), a: columns.text() }, { keyspace: ks1, tableOptions: { comment: 'v1' } });
    await management.syncTable(V1);
    await V1.create({ id: 1, a: 'kept' });
    let t = (await inspect(ks1, 'evolve'))!;
    assert.equal(t.comment, 'v1');
    assert.deepEqual(columnNames(t), ['a', 'id']);

    const V2 = model(
      'evolve',
      {
        id: columns.int().partitionKey(),
        a: columns.text().index(),
        b: columns.int(),
        tags: columns.set(columns.text()),
        c: columns.text().index(),
      },
      { keyspace: ks1, tableOptions: { comment: "v2 'quoted'", default_time_to_live: 1000, gc_grace_seconds: 3600 } },
    );
    await management.syncTable(V2);
    t = (await inspect(ks1, 'evolve'))!;
    assert.deepEqual(columnNames(t), ['a', 'b', 'c', 'id', 'tags']);
    assert.deepEqual(t.indexes.map((i) => i.target).sort(), ['a', 'c']);
    assert.equal(t.comment, "v2 'quoted'");
    assert.equal(t.defaultTtl, 1000);
    assert.equal(t.gcGraceSeconds, 3600);
    // The data is still there, and the new columns are usable.
    const row = await V2.get({ id: 1 });
    assert.equal(row.a, 'kept');
    assert.equal(row.b, null);
    await row.update({ b: 2, c: 'see' });
    assert.equal((await V2.get({ c: 'see' })).b, 2);

    // A second sync changes nothing and sends no ALTER.
    const log = captureLogs();
    try {
      await management.syncTable(V2);
    } finally {
      log.restore();
    }
    const ddl = log.entries.map((e) => e.message).filter((m) => /\b(ALTER|CREATE|DROP)\b/.test(m));
    assert.deepEqual(ddl, []);
    const again = (await inspect(ks1, 'evolve'))!;
    assert.deepEqual(columnNames(again), columnNames(t));
    assert.equal(again.indexes.length, 2);
    assert.equal(again.comment, t.comment);
    assert.equal(again.defaultTtl, 1000);

    // Columns the table has but the model lacks are left alone (as cqlengine does).
    await management.syncTable(V1);
    t = (await inspect(ks1, 'evolve'))!;
    assert.deepEqual(columnNames(t), ['a', 'b', 'c', 'id', 'tags']);
    assert.equal(t.comment, 'v1');
  });

  it('an index made outside cqlengine, under another name, counts as the index the model wants', async () => {
    await twoConnections();
    const Plain = model(
      'hand',
      { id: columns.int().partitionKey(), v: columns.text(), m: columns.map(columns.text(), columns.int()) },
      { keyspace: ks2 },
    );
    await management.syncTable(Plain);
    await keyspaces.execute(`CREATE INDEX hand_made_v ON ${ks2}.hand (v)`);
    await keyspaces.execute(`CREATE INDEX hand_made_m ON ${ks2}.hand (m)`);
    const Indexed = model(
      'hand',
      { id: columns.int().partitionKey(), v: columns.text().index(), m: columns.map(columns.text(), columns.int()).index() },
      { keyspace: ks2 },
    );
    const log = captureLogs();
    try {
      await management.syncTable(Indexed);
    } finally {
      log.restore();
    }
    assert.deepEqual(
      log.entries.map((e) => e.message).filter((m) => /CREATE INDEX/.test(m)),
      [],
    );
    const t = (await inspect(ks2, 'hand'))!;
    assert.deepEqual(t.indexes.map((i) => i.name).sort(), ['hand_made_m', 'hand_made_v']);
    await Indexed.create({ id: 1, v: 'x', m: new Map([['k', 7]]) });
    assert.equal((await Indexed.get({ v: 'x' })).id, 1);
    assert.equal((await Indexed.filter({ m__contains: 7 }).all()).length, 1);
  });

  it('primary-key-only tables, compaction and bloom filter options are updated on sync', async () => {
    await twoConnections();
    const defs = { first: columns.int().partitionKey(), second: columns.int().primaryKey() };
    const Leveled = model('keys_only', defs, {
      keyspace: ks1,
      tableOptions: { compaction: { class: 'LeveledCompactionStrategy' }, bloom_filter_fp_chance: 0.5 },
    });
    await management.syncTable(Leveled);
    let t = (await inspect(ks1, 'keys_only'))!;
    assert.match(String(t.compactionClass), /LeveledCompactionStrategy/);
    assert.equal(t.bloomFilterFalsePositiveChance, 0.5);
    const Sized = model('keys_only', defs, {
      keyspace: ks1,
      tableOptions: { compaction: { class: 'SizeTieredCompactionStrategy' }, bloom_filter_fp_chance: 0.25 },
    });
    await management.syncTable(Sized);
    t = (await inspect(ks1, 'keys_only'))!;
    assert.match(String(t.compactionClass), /SizeTieredCompactionStrategy/);
    assert.equal(t.bloomFilterFalsePositiveChance, 0.25);
    assert.deepEqual(columnNames(t), ['first', 'second']);
  });

  it('case-sensitive table and column names, and indexes on collections, sync twice', async () => {
    await twoConnections();
    const Camel = model(
      'CamelTable',
      {
        firstKey: columns.int().partitionKey(),
        secondKey: columns.int().primaryKey(),
        someData: columns.text().index(),
        intSet: columns.set(columns.int()).index(),
        intList: columns.list(columns.int()).index(),
        textMap: columns.map(columns.text(), columns.timestamp()).index(),
      },
      { keyspace: ks2 },
    );
    await management.syncTable(Camel);
    await management.syncTable(Camel);
    assert.equal(await inspect(ks2, 'cameltable'), null);
    const t = (await inspect(ks2, 'CamelTable'))!;
    assert.deepEqual(columnNames(t), ['firstKey', 'intList', 'intSet', 'secondKey', 'someData', 'textMap']);
    assert.equal(t.indexes.length, 4);
    await Camel.create({
      firstKey: 1,
      secondKey: 2,
      someData: 'Camel',
      intSet: new Set([7]),
      intList: [8],
      textMap: new Map([['k', new Date(0)]]),
    });
    assert.equal((await Camel.get({ someData: 'Camel' })).secondKey, 2);
    assert.equal((await Camel.filter({ intSet__contains: 7 }).all()).length, 1);
    assert.equal((await Camel.filter({ intList__contains: 8 }).all()).length, 1);
  });

  it('refuses a primary-key change with a clear CQLEngineError and changes nothing', async () => {
    await twoConnections();
    const Keyed = model(
      'keyed',
      { id: columns.int().partitionKey(), seq: columns.int().primaryKey(), v: columns.text() },
      { keyspace: ks1 },
    );
    await management.syncTable(Keyed);
    const before = (await inspect(ks1, 'keyed'))!;

    const changes = [
      // Another clustering key, plus a new column that must not be added.
      model(
        'keyed',
        { id: columns.int().partitionKey(), other: columns.int().primaryKey(), v: columns.text(), extra: columns.text() },
        { keyspace: ks1 },
      ),
      // No clustering key.
      model('keyed', { id: columns.int().partitionKey(), extra: columns.text() }, { keyspace: ks1, tableOptions: { comment: 'changed' } }),
      // A composite partition key.
      model('keyed', { id: columns.int().partitionKey(), seq: columns.int().partitionKey(), extra: columns.text() }, { keyspace: ks1 }),
    ];
    for (const Changed of changes) {
      await assert.rejects(
        management.syncTable(Changed),
        instanceOf(CQLEngineError, (e: Error) => {
          assert.match(e.message, /primary key/);
          assert.match(e.message, /keyed/);
        }),
      );
    }
    const afterwards = (await inspect(ks1, 'keyed'))!;
    assert.deepEqual(columnNames(afterwards), columnNames(before));
    assert.deepEqual(columnNames(afterwards), ['id', 'seq', 'v']);
    assert.equal(afterwards.comment, before.comment);
  });

  it('counter tables: created, extended with a counter column, and usable', async () => {
    await twoConnections();
    const C1 = model('counts', { page: columns.text().partitionKey(), views: columns.counter() }, { keyspace: ks2 });
    await management.syncTable(C1, { connections: ['lazy'] });
    const C2 = model(
      'counts',
      { page: columns.text().partitionKey(), views: columns.counter(), clicks: columns.counter() },
      { keyspace: ks2 },
    );
    await management.syncTable(C2, { connections: ['lazy'] });
    const t = (await inspect(ks2, 'counts'))!;
    assert.deepEqual(columnNames(t), ['clicks', 'page', 'views']);
    for (const name of ['views', 'clicks']) assert.equal(t.columnsByName[name]!.type.code, 5 /* counter */);
    await C2.filter({ page: '/' }).update({ views__incr: 3, clicks__incr: 1 });
    const row = await C2.get({ page: '/' });
    assert.equal(row.views, 3n);
    assert.equal(row.clicks, 1n);
  });

  it('clustering order and static columns survive creation and later syncs', async () => {
    await twoConnections();
    const defs = {
      day: columns.text().partitionKey(),
      at: columns.int().primaryKey().clusteringOrder('desc'),
      n: columns.int().primaryKey(),
      owner: columns.text().static(),
      v: columns.text(),
    };
    const Log1 = model('log', defs, { keyspace: ks1 });
    await management.syncTable(Log1);
    const Log2 = model('log', { ...defs, extra: columns.text(), note: columns.text().static() }, { keyspace: ks1 });
    await management.syncTable(Log2);
    await management.syncTable(Log2);
    const t = (await inspect(ks1, 'log'))!;
    assert.deepEqual(
      t.clusteringKeys.map((c) => c.name),
      ['at', 'n'],
    );
    assert.deepEqual(
      t.clusteringOrder.map((o) => o.toUpperCase()),
      ['DESC', 'ASC'],
    );
    assert.equal(isStatic(t, 'owner'), true);
    assert.equal(isStatic(t, 'note'), true);
    assert.equal(isStatic(t, 'v'), false);
    assert.equal(isStatic(t, 'extra'), false);

    for (const at of [1, 3, 2]) await Log2.create({ day: 'd', at, n: 0, v: `v${at}`, owner: `o${at}` });
    const rows = await Log2.filter({ day: 'd' }).all();
    assert.deepEqual(
      rows.map((r) => r.at),
      [3, 2, 1],
    );
    assert.deepEqual(new Set(rows.map((r) => r.owner)), new Set(['o2']));
  });

  it('types newer than the server are refused with a clear error and no table; on a server that has them, created', async () => {
    await twoConnections();
    const version = String((await keyspaces.execute('SELECT release_version FROM system.local')).first().get('release_version'));
    const [major = 0, minor = 0] = version.split('.').map(Number);
    const before22 = major < 2 || (major === 2 && minor < 2);
    const before310 = major < 3 || (major === 3 && minor < 10);
    const cases = [
      { name: 'with_date', col: columns.date(), since: '2.2', too: before22 },
      { name: 'with_time', col: columns.time(), since: '2.2', too: before22 },
      { name: 'with_smallint', col: columns.smallint(), since: '2.2', too: before22 },
      { name: 'with_tinyint', col: columns.tinyint(), since: '2.2', too: before22 },
      { name: 'with_duration', col: columns.duration(), since: '3.10', too: before310 },
      { name: 'with_date_list', col: columns.list(columns.date()), since: '2.2', too: before22 },
      { name: 'with_date_map', col: columns.map(columns.text(), columns.smallint()), since: '2.2', too: before22 },
    ];
    // On 2.1 the refusals run; on a newer server every table is created (CI runs both).
    for (const { name, col, since, too } of cases) {
      const M = model(name, { id: columns.int().partitionKey(), x: col }, { keyspace: ks2 });
      if (too) {
        await assert.rejects(
          management.syncTable(M, { connections: BOTH }),
          instanceOf(CQLEngineError, (e: Error) => {
            assert.match(e.message, new RegExp(`${name}\\.x`));
            assert.ok(e.message.includes(`Cassandra ${since}`), e.message);
          }),
        );
        assert.equal(await inspect(ks2, name), null);
      } else {
        await management.syncTable(M, { connections: BOTH });
        assert.ok(await inspect(ks2, name));
      }
    }
    // Adding such a column to an existing table is refused too.
    const Base = model('grow', { id: columns.int().partitionKey() }, { keyspace: ks2 });
    await management.syncTable(Base);
    const Grown = model('grow', { id: columns.int().partitionKey(), d: columns.date() }, { keyspace: ks2 });
    if (before22) {
      await assert.rejects(
        management.syncTable(Grown),
        instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /2\.2/)),
      );
      assert.deepEqual(columnNames((await inspect(ks2, 'grow'))!), ['id']);
    } else {
      await management.syncTable(Grown);
      assert.deepEqual(columnNames((await inspect(ks2, 'grow'))!).sort(), ['d', 'id']);
    }
  });
});
