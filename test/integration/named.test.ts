/**
 * NamedTable / NamedKeyspace against the node (after cqlengine's test_named.py): tables and
 * materialized views queried by name, their types from the server's metadata, rows as plain objects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import {
  CQLEngineError,
  ConfigurationError,
  MultipleObjectsReturned,
  NamedKeyspace,
  NamedTable,
  ValidationError,
  connection,
  token,
} from '../../src/index.js';
import { TestKeyspaces, ensureCassandra, needsServer, type TestCassandra } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

let cluster: TestCassandra;
let keyspaces: TestKeyspaces;
let ks: string;

before(async () => {
  cluster = await ensureCassandra();
  keyspaces = new TestKeyspaces(cluster.hosts);
  ks = await keyspaces.create();
  await keyspaces.execute(
    `CREATE TABLE ${ks}.scores (game text, player text, at timestamp, score int, tags set<text>, meta map<text, int>, ` +
      'note text STATIC, pair frozen<tuple<int, text>>, PRIMARY KEY (game, player, at)) WITH CLUSTERING ORDER BY (player DESC, at ASC)',
  );
  await keyspaces.execute(`CREATE INDEX scores_score ON ${ks}.scores (score)`);
  await keyspaces.execute(`CREATE TYPE ${ks}.place (city text, zip int)`);
  await keyspaces.execute(`CREATE TABLE ${ks}.people (id uuid PRIMARY KEY, home frozen<place>, nums list<int>)`);
  await keyspaces.execute(`CREATE TABLE ${ks}.hits (page text PRIMARY KEY, n counter)`);
  await connection.setup(cluster.hosts, ks);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('NamedTable', () => {
  it('creates, reads, filters, counts, updates and deletes rows as plain objects', async () => {
    const scores = new NamedKeyspace(ks).table('scores');
    const at = new Date(Date.UTC(2026, 0, 1));
    for (const [player, score] of [
      ['ann', 10],
      ['bob', 20],
      ['cy', 30],
    ] as const) {
      const row = await scores.create({ game: 'g1', player, at, score, tags: ['x'], meta: { a: 1 } });
      assert.equal(row.player, player);
    }
    assert.equal(await scores.count(), 3);
    const bob = await scores.get({ game: 'g1', player: 'bob' });
    assert.deepEqual(bob, {
      game: 'g1',
      player: 'bob',
      at,
      score: 20,
      tags: new Set(['x']),
      meta: new Map([['a', 1]]),
      note: null,
      pair: null,
    });
    assert.equal(Object.getPrototypeOf(bob), Object.prototype);
    // Clustering order from the server: player DESC.
    assert.deepEqual(
      (await scores.filter({ game: 'g1' }).all()).map((r) => r.player),
      ['cy', 'bob', 'ann'],
    );
    assert.deepEqual(
      (await scores.filter({ game: 'g1' }).orderBy('player').limit(2).all()).map((r) => r.player),
      ['ann', 'bob'],
    );
    // The secondary index the server reports serves filters without allowFiltering.
    assert.equal((await scores.filter({ score: 30 }).first())?.player, 'cy');
    assert.equal(await scores.filter({ game: 'g1', player__gt: 'ann' }).count(), 2);
    await scores.filter({ game: 'g1', player: 'ann', at }).update({ score: 11, tags__add: ['y'], meta__update: { b: 2 } });
    const ann = await scores.get({ game: 'g1', player: 'ann' });
    assert.equal(ann.score, 11);
    assert.deepEqual(ann.tags, new Set(['x', 'y']));
    await scores.filter({ game: 'g1', player: 'cy', at }).delete();
    assert.equal(await scores.filter({ game: 'g1' }).count(), 2);
    await scores.filter({ game: 'g1' }).update({ note: 'static note' });
    assert.equal((await scores.get({ game: 'g1', player: 'bob' })).note, 'static note');
    assert.equal(await scores.filter({ pk__token: token('g1') }).count(), 2);
  });

  it('values are checked with the types the server reports: user types, tuples, lists, uuids', async () => {
    const people = new NamedTable(ks, 'people');
    const id = types.Uuid.random();
    await people.create({ id: id.toString(), home: { city: 'Springfield' }, nums: [1, 2] });
    assert.deepEqual(await people.get({ id }), { id, home: { city: 'Springfield', zip: null }, nums: [1, 2] });
    await assert.rejects(
      people.create({ id: types.Uuid.random(), nums: ['x'] }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'nums[0]')),
    );
    await assert.rejects(people.create({ id: types.Uuid.random(), home: { town: 'x' } }), instanceOf(ValidationError));
    await assert.rejects(people.create({ id: types.Uuid.random(), nope: 1 }), instanceOf(ConfigurationError));
    await assert.rejects(people.filter({ nope: 1 }).all(), instanceOf(ConfigurationError));
    const scores = new NamedTable(ks, 'scores');
    await scores.create({ game: 'g2', player: 'p', at: 0, pair: [1, 'one'] });
    assert.deepEqual((await scores.get({ game: 'g2' })).pair, [1, 'one']);
  });

  it('counters, and the errors of get() as a model has them', async () => {
    const hits = new NamedTable(ks, 'hits');
    await hits.filter({ page: '/' }).update({ n__incr: 2 });
    await hits.filter({ page: '/' }).update({ n: 3 });
    assert.equal((await hits.get({ page: '/' })).n, 5n);
    await assert.rejects(hits.get({ page: '/none' }), (e: Error) => e.name === 'hits.DoesNotExist' && e instanceof hits.DoesNotExist);
    await hits.filter({ page: '/2' }).update({ n: 1 });
    await assert.rejects(
      hits.objects().get(),
      (e: Error) =>
        e.name === 'hits.MultipleObjectsReturned' && e instanceof hits.MultipleObjectsReturned && e instanceof MultipleObjectsReturned,
    );
    // A named query is iterated as a model's QuerySet is, its rows plain objects.
    const pages: string[] = [];
    for await (const row of hits.objects().fetchSize(1)) pages.push(row.page as string);
    assert.deepEqual(pages.sort(), ['/', '/2']);
  });

  it('a table that does not exist rejects with CQLEngineError naming it, and is looked up again later', async () => {
    const later = new NamedTable(ks, 'later');
    await assert.rejects(
      later.all(),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, new RegExp(`${ks}\\.later`))),
    );
    await keyspaces.execute(`CREATE TABLE ${ks}.later (id int PRIMARY KEY, v text)`);
    await (await connection.getSession()).metadata.refreshKeyspace(ks);
    await later.create({ id: 1, v: 'now' });
    assert.deepEqual(await later.all(), [{ id: 1, v: 'now' }]);
  });

  it('finds a table in a keyspace another client made a moment ago', async () => {
    // The keyspace reaches this connection's driver metadata about a second after it is made.
    const fresh = await keyspaces.create();
    await keyspaces.execute(`CREATE TABLE ${fresh}.fresh (id int PRIMARY KEY, v int)`);
    await keyspaces.execute(`INSERT INTO ${fresh}.fresh (id, v) VALUES (1, 2)`);
    assert.equal(await new NamedTable(fresh, 'fresh').objects().count(), 1);
  });

  it('refuses bad names before anything is looked up', () => {
    assert.throws(() => new NamedTable(ks, 'bad name'), instanceOf(ConfigurationError));
    assert.throws(() => new NamedKeyspace('bad-ks'), instanceOf(ConfigurationError));
    assert.throws(() => new NamedTable(ks, 'x', { connection: '' }), instanceOf(ConfigurationError));
  });
});

describe('NamedTable on a materialized view', () => {
  it('reads a view by name; writes are refused before the wire', async (t) => {
    const skip = needsServer(cluster, '3.0');
    if (skip) return t.skip(skip);
    await keyspaces.execute(
      `CREATE MATERIALIZED VIEW ${ks}.scores_by_score AS SELECT game, player, at, score FROM ${ks}.scores ` +
        'WHERE score IS NOT NULL AND game IS NOT NULL AND player IS NOT NULL AND at IS NOT NULL PRIMARY KEY (score, game, player, at)',
    );
    const scores = new NamedTable(ks, 'scores');
    await scores.create({ game: 'mv', player: 'zed', at: 0, score: 77 });
    const view = new NamedKeyspace(ks).table('scores_by_score');
    assert.equal(await view.isView(), true);
    assert.equal(await scores.isView(), false);
    // The view is filled asynchronously; a local single node applies it with the base write, but wait for it to be sure.
    let rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) rows = await view.filter({ score: 77 }).all();
    assert.deepEqual(rows, [{ score: 77, game: 'mv', player: 'zed', at: new Date(0) }]);
    await assert.rejects(
      view.create({ score: 1, game: 'g', player: 'p', at: 0 }),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /materialized view/)),
    );
    await assert.rejects(
      view.filter({ score: 77 }).delete(),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /materialized view/)),
    );
  });
});
