/**
 * Collections the mapper serializes itself (src/schema/pack.ts), against the real node: every
 * element type it packs round-trips in a list, a set and a map, through an INSERT, a batch and
 * each collection update; a frozen collection works as a partition and a clustering key (the driver
 * routes by its bytes); and the statements really carry serialized values (protocol v3+).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { batch, columns, connection, management, model } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';

let keyspaces: TestKeyspaces;
let ks: string;
/** Frozen collections (and so collections in keys) came in Cassandra 2.1.3. */
let frozenCollections: boolean;

const u1 = types.Uuid.random();
const u2 = types.Uuid.random();
const t1 = types.TimeUuid.now();
const d1 = new Date(-1);
const d2 = new Date(1_700_000_000_123);

const Packed = model('packed', {
  id: columns.int().partitionKey(),
  texts: columns.list(columns.text()),
  asciis: columns.set(columns.ascii()),
  ints: columns.set(columns.int()),
  bigs: columns.list(columns.bigint()),
  doubles: columns.list(columns.double()),
  floats: columns.set(columns.float()),
  flags: columns.list(columns.boolean()),
  times: columns.set(columns.timestamp()),
  ids: columns.set(columns.uuid()),
  tids: columns.list(columns.timeuuid()),
  byName: columns.map(columns.text(), columns.int()),
  byId: columns.map(columns.uuid(), columns.bigint()),
  byTime: columns.map(columns.timestamp(), columns.text()),
});

/** Frozen collections as keys: the driver computes the token from the serialized partition key. */
const Keyed = model('packed_keyed', {
  tags: columns.set(columns.text(), { frozen: true }).partitionKey(),
  scores: columns.map(columns.text(), columns.int(), { frozen: true }).primaryKey(),
  note: columns.text(),
});

const full = {
  texts: ['', 'a', 'é', '日本語 😀', 'x'.repeat(100)],
  asciis: new Set(['plain', '']),
  ints: new Set([0, -2147483648, 2147483647]),
  bigs: [-9223372036854775808n, 0n, 9223372036854775807n],
  doubles: [-0, 1.5, Number.MAX_VALUE, Number.NEGATIVE_INFINITY],
  floats: new Set([0.5, -2.25]),
  flags: [true, false, true],
  times: new Set([d1, d2]),
  ids: new Set([u1, u2]),
  tids: [t1],
  byName: new Map([
    ['one', 1],
    ['négatif', -1],
  ]),
  byId: new Map([[u1, 2n ** 62n]]),
  byTime: new Map([[d2, 'later']]),
};

function assertFull(got: InstanceType<typeof Packed>): void {
  assert.deepEqual(got.texts, full.texts);
  assert.deepEqual([...got.asciis].sort(), ['', 'plain']);
  assert.deepEqual(
    [...got.ints].sort((a, b) => a - b),
    [-2147483648, 0, 2147483647],
  );
  assert.deepEqual(got.bigs, full.bigs);
  assert.ok(Object.is(got.doubles[0], -0));
  assert.deepEqual(got.doubles.slice(1), [1.5, Number.MAX_VALUE, Number.NEGATIVE_INFINITY]);
  assert.deepEqual(
    [...got.floats].sort((a, b) => a - b),
    [-2.25, 0.5],
  );
  assert.deepEqual(got.flags, [true, false, true]);
  assert.deepEqual(
    [...got.times].map((d) => d.getTime()).sort((a, b) => a - b),
    [-1, d2.getTime()],
  );
  assert.deepEqual([...got.ids].map(String).sort(), [String(u1), String(u2)].sort());
  assert.deepEqual(got.tids.map(String), [String(t1)]);
  assert.deepEqual(Object.fromEntries(got.byName), { one: 1, négatif: -1 });
  assert.deepEqual(
    [...got.byId].map(([k, v]) => [String(k), v]),
    [[String(u1), 2n ** 62n]],
  );
  assert.deepEqual(
    [...got.byTime].map(([k, v]) => [k.getTime(), v]),
    [[d2.getTime(), 'later']],
  );
}

before(async () => {
  const { hosts } = await ensureCassandra();
  keyspaces = new TestKeyspaces(hosts);
  ks = await keyspaces.create();
  await connection.setup(hosts, ks);
  await management.syncTable(Packed);
  const release = String((await keyspaces.execute('SELECT release_version FROM system.local')).first()['release_version']);
  const [major = 0, minor = 0, patch = 0] = release.split(/[.-]/).map(Number);
  frozenCollections = major > 2 || (major === 2 && (minor > 1 || patch >= 3));
  if (frozenCollections) await management.syncTable(Keyed);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('collections serialized by the mapper', () => {
  it('are what the mapper hands the driver, on this server', async () => {
    const seen: unknown[][] = [];
    const client = await connection.getSession();
    const original = client.execute.bind(client);
    client.execute = ((query: string, params: unknown[], options: object) => {
      seen.push(params);
      return original(query, params, options);
    }) as typeof client.execute;
    try {
      await Packed.create({ id: 0, texts: ['a'], byName: { a: 1 } });
    } finally {
      client.execute = original;
    }
    const params = seen.at(-1)!;
    assert.ok(
      params.some((p) => Buffer.isBuffer(p)),
      'a list and a map went serialized',
    );
  });

  it('every packed element type round-trips through create and get', async () => {
    await Packed.create({ id: 1, ...full });
    assertFull(await Packed.get({ id: 1 }));
  });

  it('and through a batch, and a QuerySet update', async () => {
    await batch(async (b) => {
      await Packed.create({ id: 2, ...full }, { batch: b });
      await Packed.create({ id: 3, texts: ['only'] }, { batch: b });
    });
    assertFull(await Packed.get({ id: 2 }));
    await Packed.filter({ id: 3 }).update({ ints: new Set([5, 6]), byTime: new Map([[d1, 'early']]) });
    const three = await Packed.get({ id: 3 });
    assert.deepEqual(three.texts, ['only']);
    assert.deepEqual([...three.ints].sort(), [5, 6]);
    assert.deepEqual(
      [...three.byTime].map(([k, v]) => [k.getTime(), v]),
      [[-1, 'early']],
    );
  });

  it('collection changes save as additions, removals, appends, prepends and map puts', async () => {
    const item = await Packed.create({ id: 4, ...full });
    item.texts = ['first', ...item.texts];
    item.ints.add(42);
    item.ints.delete(0);
    item.bigs = [...item.bigs, 7n];
    item.byName.set('two', 2);
    item.byName.delete('one');
    item.ids.delete(u1);
    await item.save();
    const got = await Packed.get({ id: 4 });
    assert.deepEqual(got.texts, ['first', ...full.texts]);
    assert.deepEqual(
      [...got.ints].sort((a, b) => a - b),
      [-2147483648, 42, 2147483647],
    );
    assert.deepEqual(got.bigs, [...full.bigs, 7n]);
    assert.deepEqual(Object.fromEntries(got.byName), { négatif: -1, two: 2 });
    assert.deepEqual([...got.ids].map(String), [String(u2)]);
  });

  it('a frozen set and map as keys: written, found by get and by filter, deleted (2.1.3+; refused clearly before)', async () => {
    if (!frozenCollections) {
      await assert.rejects(management.syncTable(Keyed), /frozen<set<text>>, which needs Cassandra 2\.1\.3/);
      return;
    }
    const tags = new Set(['b', 'a', 'é']);
    const scores = new Map([
      ['x', 1],
      ['y', -2],
    ]);
    await Keyed.create({ tags, scores, note: 'found' });
    const got = await Keyed.get({ tags, scores });
    assert.equal(got.note, 'found');
    assert.equal((await Keyed.filter({ tags }).all()).length, 1);
    // The server's own reading of the key agrees with the mapper's bytes.
    const rows = await keyspaces.execute(`SELECT note FROM "${ks}"."packed_keyed" WHERE tags = ?`, [['a', 'b', 'é']]);
    assert.equal(rows.first()?.['note'], 'found');
    await got.delete();
    assert.equal(await Keyed.filter({ tags }).count(), 0);
  });
});
