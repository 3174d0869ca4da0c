/**
 * Models and instances against the real node: create/get/save/update/delete, change tracking (only
 * changed columns are written, collections and counters by delta), TTL, timestamp, consistency,
 * timeouts, lightweight transactions, per-model errors, class form, abstract models, static columns
 * and dbField names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errors, types, type Client } from 'cassandra-driver';
import {
  CQLEngineError,
  ConfigurationError,
  DoesNotExist,
  LWTError,
  MultipleObjectsReturned,
  ValidationError,
  abstractModel,
  columns,
  connection,
  extend,
  management,
  model,
} from '../../src/index.js';
import { TestKeyspaces, ensureCassandra, splitHost, versionAtLeast } from '../helpers/cassandra.js';
import { TcpProxy } from '../helpers/proxy.js';
import { instanceOf, unavailableAt } from '../helpers/util.js';

let hosts: string[];
let serverVersion: string;
let keyspaces: TestKeyspaces;
let ks: string;
let ks3: string;

const Person = model('people', {
  id: columns
    .uuid()
    .partitionKey()
    .default(() => types.Uuid.random()),
  name: columns.text().required(),
  age: columns.int(),
  status: columns.text().default('active'),
  created: columns.timestamp().default(() => new Date()),
  tags: columns.set(columns.text()),
  scores: columns.list(columns.int()),
  attrs: columns.map(columns.text(), columns.text()),
});

const Hits = model('hits', {
  page: columns.text().partitionKey(),
  views: columns.counter(),
  clicks: columns.counter(),
});

const Reading = model('readings', {
  sensor: columns.text().partitionKey(),
  at: columns.int().primaryKey(),
  value: columns.double(),
  site: columns.text().static(),
});

const Other = model('others', { id: columns.int().partitionKey(), v: columns.text() });

class Greeter extends model('greeters', {
  id: columns.int().partitionKey(),
  first: columns.text(),
  last: columns.text(),
}) {
  fullName(): string {
    return `${this.first} ${this.last}`;
  }
}

const Renamed = model('renamed', {
  id: columns.int().partitionKey(),
  source: columns.inet().dbField('source_ip'),
  label: columns.text().dbField('the_label').index(),
});

const Audited = abstractModel({
  id: columns
    .uuid()
    .partitionKey()
    .default(() => types.Uuid.random()),
  createdBy: columns.text().default('system'),
});
const Invoice = extend(Audited, 'invoices', { total: columns.decimal().required() });

/** A model on the keyspace that wants three replicas: QUORUM cannot be met on one node. */
let Wide: ReturnType<typeof wideModel>;
const wideModel = (keyspace: string) => model('wide', { k: columns.int().partitionKey(), v: columns.text() }, { keyspace });

/**
 * A client-side timeout: the driver's OperationTimedOutError, or, for an idempotent statement that the
 * default retry policy tried again (on no other host), a NoHostAvailableError wrapping one.
 */
function timedOut(err: unknown): true {
  if (err instanceof errors.NoHostAvailableError) {
    const inner = Object.values(err.innerErrors as Record<string, unknown>);
    assert.ok(inner.length > 0 && inner.every((e) => e instanceof errors.OperationTimedOutError), err.message);
    return true;
  }
  assert.ok(err instanceof errors.OperationTimedOutError, `expected a timeout, got ${String(err)}`);
  return true;
}

/** Records the CQL each statement sends through the default connection's Client until stop(). */
async function captureCql(): Promise<{ statements: string[]; stop: () => void }> {
  const client = (await connection.getSession()) as Client & { execute: Client['execute'] };
  const original = client.execute;
  const statements: string[] = [];
  client.execute = function (this: Client, query: string, ...rest: unknown[]) {
    statements.push(query);
    return (original as (...args: unknown[]) => unknown).call(this, query, ...rest);
  } as Client['execute'];
  return { statements, stop: () => void (client.execute = original) };
}

/** Runs fn and returns the CQL it sent. */
async function cqlOf(fn: () => Promise<unknown>): Promise<string[]> {
  const capture = await captureCql();
  try {
    await fn();
  } finally {
    capture.stop();
  }
  return capture.statements;
}

const admin = (cql: string, params?: unknown[]) => keyspaces.execute(cql, params);

async function updateIfExistsSupported(): Promise<boolean> {
  const version = String((await admin('SELECT release_version FROM system.local')).first()['release_version']);
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(Number);
  return major > 2 || (major === 2 && (minor > 1 || (minor === 1 && patch >= 1)));
}
const row = async (cql: string, params: unknown[]) => (await admin(cql, params)).first();

before(async () => {
  ({ hosts, version: serverVersion } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ks = await keyspaces.create({ replicationFactor: 1 });
  ks3 = await keyspaces.create({ replicationFactor: 3 });
  await connection.setup(hosts, ks);
  Wide = wideModel(ks3);
  for (const m of [Person, Hits, Reading, Other, Greeter, Renamed, Invoice, Wide]) await management.syncTable(m);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('create and read', () => {
  it('create() applies defaults (values and functions) and get() reads the row back', async () => {
    const before = Date.now();
    const a = await Person.create({ name: 'Ada', tags: ['x'] });
    const b = await Person.create({ name: 'Bob' });
    assert.ok(a.id instanceof types.Uuid);
    assert.notEqual(a.id.toString(), b.id.toString(), 'a function default is called for each instance');
    assert.equal(a.status, 'active');
    assert.ok(a.created instanceof Date && a.created.getTime() >= before);
    assert.ok(a.isPersisted);

    const got = await Person.get({ id: a.id });
    assert.equal(got.name, 'Ada');
    assert.equal(got.status, 'active');
    assert.equal(got.created!.getTime(), a.created!.getTime());
    assert.deepEqual([...got.tags], ['x']);
    assert.deepEqual(got.scores, []);
    assert.equal(got.attrs.size, 0);
    assert.equal(got.age, null);
    assert.ok(got.isPersisted);
    assert.deepEqual(got.changedColumns(), []);
  });

  it('an explicit value (or null) wins over a default', async () => {
    const p = await Person.create({ name: 'Cy', status: 'banned', created: null });
    const got = await Person.get({ id: p.id });
    assert.equal(got.status, 'banned');
    assert.equal(got.created, null);
  });

  it('a required column left out (or empty) is a ValidationError and nothing is written', async () => {
    const id = types.Uuid.random();
    await assert.rejects(
      Person.create({ id } as never),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'name')),
    );
    await assert.rejects(Person.create({ id, name: null } as never), instanceOf(ValidationError));
    const p = new Person({ id });
    await assert.rejects(
      p.save(),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'name')),
    );
    assert.equal((await admin(`SELECT * FROM ${ks}.people WHERE id = ?`, [id])).rowLength, 0);
    await assert.rejects(Person.get({ id }), instanceOf(Person.DoesNotExist));
  });

  it('an unknown column is refused when the instance is made', () => {
    assert.throws(() => new Person({ nope: 1 } as never), instanceOf(ConfigurationError));
  });

  it('save() of a new instance inserts its non-null values only', async () => {
    const p = new Person({ name: 'Dee', age: 40 });
    const cql = await cqlOf(() => p.save());
    assert.equal(cql.length, 1);
    assert.match(cql[0]!, /^INSERT INTO/);
    assert.match(cql[0]!, /"name"/);
    assert.doesNotMatch(cql[0]!, /"tags"|"scores"|"attrs"/, 'empty collections are not written');
    assert.equal((await Person.get({ id: p.id })).age, 40);
  });

  it('update() writes the given values, delete() removes the row', async () => {
    const p = await Person.create({ name: 'Eve', age: 1 });
    await p.update({ age: 2, status: 'gone' });
    const got = await Person.get({ id: p.id });
    assert.equal(got.age, 2);
    assert.equal(got.status, 'gone');
    await assert.rejects(
      p.update({ id: types.Uuid.random() } as never),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'id')),
    );
    await got.delete();
    assert.equal(got.isPersisted, false);
    await assert.rejects(Person.get({ id: p.id }), instanceOf(Person.DoesNotExist));
  });

  it('changing the key of a read instance inserts a new row (as cqlengine does)', async () => {
    const p = await Person.create({ name: 'Fay' });
    const oldId = p.id;
    p.id = types.Uuid.random();
    await p.save();
    assert.equal((await Person.get({ id: oldId })).name, 'Fay');
    assert.equal((await Person.get({ id: p.id })).name, 'Fay');
  });
});

describe('change tracking', () => {
  it('save() writes only the changed columns: a concurrent write to another column survives', async () => {
    const p = await Person.create({ name: 'Gus', age: 30 });
    await admin(`UPDATE ${ks}.people SET name = 'changed elsewhere', status = 'elsewhere' WHERE id = ?`, [p.id]);
    p.age = 31;
    assert.deepEqual(p.changedColumns(), ['age']);
    const cql = await cqlOf(() => p.save());
    assert.equal(cql.length, 1);
    assert.match(cql[0]!, /^UPDATE .* SET "age" = \? WHERE "id" = \?$/);
    const got = await row(`SELECT name, status, age FROM ${ks}.people WHERE id = ?`, [p.id]);
    assert.equal(got['name'], 'changed elsewhere');
    assert.equal(got['status'], 'elsewhere');
    assert.equal(got['age'], 31);
    assert.deepEqual(p.changedColumns(), []);
  });

  it('save() of an unchanged persisted instance sends nothing', async () => {
    const p = await Person.create({ name: 'Hal' });
    assert.deepEqual(await cqlOf(() => p.save()), []);
    const got = await Person.get({ id: p.id });
    assert.deepEqual(await cqlOf(() => got.save()), []);
    got.name = 'Hal';
    assert.deepEqual(await cqlOf(() => got.save()), [], 'the same value again is no change');
  });

  it('update() writes only what it changes', async () => {
    const p = await Person.create({ name: 'Ida', age: 5 });
    await admin(`UPDATE ${ks}.people SET name = 'other' WHERE id = ?`, [p.id]);
    const cql = await cqlOf(() => p.update({ age: 6, status: 'active' }));
    assert.equal(cql.length, 1);
    assert.match(cql[0]!, /SET "age" = \? WHERE/);
    const got = await Person.get({ id: p.id });
    assert.equal(got.name, 'other');
    assert.equal(got.age, 6);
  });

  it('setting a column to null deletes its value', async () => {
    const p = await Person.create({ name: 'Jo', age: 9, tags: ['a'] });
    p.age = null;
    p.tags = null as never;
    assert.deepEqual(p.tags, new Set(), 'a collection set to null reads as empty');
    await p.save();
    const got = await row(`SELECT age, tags FROM ${ks}.people WHERE id = ?`, [p.id]);
    assert.equal(got['age'], null);
    assert.equal(got['tags'], null);
    await p.update({ status: null });
    assert.equal((await Person.get({ id: p.id })).status, null);
  });
});

describe('collections: partial updates, so concurrent changes survive', () => {
  const fetch = (id: types.Uuid) => Person.get({ id });

  it('set add and remove', async () => {
    const p = await Person.create({ name: 'S', tags: ['a', 'b'] });
    await admin(`UPDATE ${ks}.people SET tags = tags + {'oob'} WHERE id = ?`, [p.id]);
    p.tags.add('c');
    let cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "tags" = "tags" \+ \?/);
    assert.deepEqual([...(await fetch(p.id)).tags].sort(), ['a', 'b', 'c', 'oob']);

    p.tags.delete('a');
    cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "tags" = "tags" - \?/);
    assert.deepEqual([...(await fetch(p.id)).tags].sort(), ['b', 'c', 'oob']);

    await admin(`UPDATE ${ks}.people SET tags = tags + {'oob2'} WHERE id = ?`, [p.id]);
    p.tags.delete('b');
    p.tags.add('d');
    cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "tags" = "tags" \+ \?, "tags" = "tags" - \?/);
    assert.deepEqual([...(await fetch(p.id)).tags].sort(), ['c', 'd', 'oob', 'oob2']);
  });

  it('list append and single-element prepend', async () => {
    const p = await Person.create({ name: 'L', scores: [1, 2] });
    await admin(`UPDATE ${ks}.people SET scores = scores + [99] WHERE id = ?`, [p.id]);
    p.scores.push(3, 4);
    let cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "scores" = "scores" \+ \?/);
    assert.deepEqual((await fetch(p.id)).scores, [1, 2, 99, 3, 4]);

    p.scores.unshift(0);
    cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "scores" = \? \+ "scores"/);
    assert.deepEqual((await fetch(p.id)).scores, [0, 1, 2, 99, 3, 4]);
  });

  it('a multi-element prepend is a delta where the server keeps its order, else (2.1.0 reverses it) written whole', async () => {
    const p = await Person.create({ name: 'L2', scores: [1, 2] });
    await admin(`UPDATE ${ks}.people SET scores = scores + [99] WHERE id = ?`, [p.id]);
    p.scores.unshift(-2, -1);
    p.scores.push(3, 4);
    const cql = await cqlOf(() => p.save());
    if (versionAtLeast(serverVersion, '3.0')) {
      // As cqlengine: prepended and appended in one UPDATE, so the element another client appended survives.
      assert.match(cql[0]!, /SET "scores" = \? \+ "scores", "scores" = "scores" \+ \? WHERE/);
      assert.deepEqual((await fetch(p.id)).scores, [-2, -1, 1, 2, 99, 3, 4]);
    } else {
      assert.match(cql[0]!, /SET "scores" = \? WHERE/);
      assert.deepEqual((await fetch(p.id)).scores, [-2, -1, 1, 2, 3, 4]);
    }
  });

  it('a list changed in the middle is written whole', async () => {
    const p = await Person.create({ name: 'L3', scores: [1, 2, 3] });
    p.scores[1] = 20;
    await p.save();
    assert.deepEqual((await fetch(p.id)).scores, [1, 20, 3]);
    p.scores = [];
    await p.save();
    assert.deepEqual((await fetch(p.id)).scores, []);
  });

  it('map: changed keys are added without touching other keys', async () => {
    const p = await Person.create({ name: 'M', attrs: { a: '1', b: '2' } });
    await admin(`UPDATE ${ks}.people SET attrs['oob'] = 'x' WHERE id = ?`, [p.id]);
    p.attrs.set('a', 'one');
    p.attrs.set('c', '3');
    const cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "attrs" = "attrs" \+ \?/);
    assert.deepEqual(Object.fromEntries((await fetch(p.id)).attrs), { a: 'one', b: '2', c: '3', oob: 'x' });
  });

  it('map: a deleted key is removed', async () => {
    const p = await Person.create({ name: 'M2', attrs: { a: '1', b: '2' } });
    p.attrs.delete('a');
    const cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "attrs"\[\?\] = \? WHERE/);
    assert.deepEqual(Object.fromEntries((await fetch(p.id)).attrs), { b: '2' });
    p.attrs.clear();
    await p.save();
    assert.equal((await fetch(p.id)).attrs.size, 0);
  });

  it('map: deleting a key keeps keys written concurrently (cqlengine deletes only that key)', async () => {
    const p = await Person.create({ name: 'M3', attrs: { a: '1', b: '2' } });
    await admin(`UPDATE ${ks}.people SET attrs['oob'] = 'x' WHERE id = ?`, [p.id]);
    p.attrs.delete('a');
    p.attrs.set('c', '3');
    const cql = await cqlOf(() => p.save());
    assert.match(cql[0]!, /SET "attrs" = "attrs" \+ \?, "attrs"\[\?\] = \? WHERE/);
    assert.deepEqual(Object.fromEntries((await fetch(p.id)).attrs), { b: '2', c: '3', oob: 'x' });
  });

  it('counters: increments and decrements, so concurrent increments survive', async () => {
    const h = new Hits({ page: '/a' });
    h.views = 5n;
    await h.save();
    await admin(`UPDATE ${ks}.hits SET views = views + 100, clicks = clicks + 7 WHERE page = '/a'`);
    h.views = h.views! - 2n;
    const cql = await cqlOf(() => h.save());
    assert.equal(cql.length, 1);
    assert.match(cql[0]!, /SET "views" = "views" \+ \? WHERE/);
    let got = await Hits.get({ page: '/a' });
    assert.equal(got.views, 103n);
    assert.equal(got.clicks, 7n);

    got.clicks = got.clicks! + 1n;
    await got.save();
    await Hits.filter({ page: '/a' }).update({ views__decr: 3, clicks__incr: 2n });
    got = await Hits.get({ page: '/a' });
    assert.equal(got.views, 100n);
    assert.equal(got.clicks, 10n);
  });
});

describe('write options', () => {
  it('ttl: the columns written expire (TTL() as the node reports it)', async () => {
    const p = await Person.create({ name: 'T', age: 1 }, { ttl: 3600 });
    let got = await row(`SELECT TTL(name) AS t FROM ${ks}.people WHERE id = ?`, [p.id]);
    assert.ok(got['t'] > 3500 && got['t'] <= 3600, `TTL ${got['t']}`);
    await p.update({ age: 2 }, { ttl: 60 });
    got = await row(`SELECT TTL(age) AS a, TTL(name) AS n FROM ${ks}.people WHERE id = ?`, [p.id]);
    assert.ok(got['a'] > 0 && got['a'] <= 60, `TTL ${got['a']}`);
    assert.ok(got['n'] > 3500, 'the other column keeps its own TTL');
    const q = await Person.objects().ttl(120).create({ name: 'T2' });
    got = await row(`SELECT TTL(name) AS t FROM ${ks}.people WHERE id = ?`, [q.id]);
    assert.ok(got['t'] > 0 && got['t'] <= 120);
    await assert.rejects(Person.create({ name: 'bad' }, { ttl: -1 }), instanceOf(ConfigurationError));
  });

  it('timestamp: WRITETIME() is the given Date or microseconds; an older delete does not remove a newer row', async () => {
    const at = new Date('2021-06-01T12:00:00.000Z');
    const p = await Person.create({ name: 'W' }, { timestamp: at });
    let got = await row(`SELECT WRITETIME(name) AS w FROM ${ks}.people WHERE id = ?`, [p.id]);
    assert.equal(BigInt(got['w'].toString()), BigInt(at.getTime()) * 1000n);

    const micros = BigInt(at.getTime()) * 1000n + 123n;
    await p.update({ age: 3 }, { timestamp: micros });
    got = await row(`SELECT WRITETIME(age) AS w FROM ${ks}.people WHERE id = ?`, [p.id]);
    assert.equal(BigInt(got['w'].toString()), micros);

    await p.delete({ timestamp: new Date('2020-01-01T00:00:00Z') });
    assert.equal((await Person.get({ id: p.id })).name, 'W', 'a delete older than the write leaves it');
    await p.delete({ timestamp: new Date('2022-01-01T00:00:00Z') });
    await assert.rejects(Person.get({ id: p.id }), instanceOf(Person.DoesNotExist));
  });

  it('consistency: QUORUM is unavailable with three replicas wanted on one node, ONE succeeds', async () => {
    const quorum = types.consistencies.quorum;
    await assert.rejects(Wide.create({ k: 1, v: 'a' }, { consistency: 'QUORUM' }), unavailableAt(quorum));
    const w = await Wide.create({ k: 1, v: 'a' }, { consistency: 'ONE' });
    await assert.rejects(w.update({ v: 'b' }, { consistency: 'QUORUM' }), unavailableAt(quorum));
    await w.update({ v: 'b' }, { consistency: 'one' });
    await assert.rejects(Wide.objects().consistency('QUORUM').get({ k: 1 }), unavailableAt(quorum));
    assert.equal((await Wide.objects().consistency('ONE').get({ k: 1 })).v, 'b');
    await assert.rejects(w.delete({ consistency: 'QUORUM' }), unavailableAt(quorum));
    await w.delete({ consistency: 'ONE' });
    assert.equal(await Wide.objects().consistency('ONE').count(), 0);
    await assert.rejects(Wide.create({ k: 2, v: 'x' }, { consistency: 'HALF' as never }), instanceOf(ConfigurationError));
  });

  it('timeout: a per-operation client-side timeout ends a wait the node never answers', { timeout: 60_000 }, async () => {
    const target = splitHost(hosts[0]!);
    const proxy = await TcpProxy.start({ targetHost: target.host, targetPort: target.port });
    try {
      await connection.registerConnection('slow', {
        hosts: [proxy.contactPoint],
        clusterOptions: { socketOptions: { readTimeout: 120_000 } },
      });
      const Slow = model('people', Person.schema.definitions, { connection: 'slow', keyspace: ks });
      const p = await Slow.create({ name: 'slow' });
      await assert.rejects(Slow.create({ name: 'x' }, { timeout: 0 }), instanceOf(ConfigurationError));
      // Each statement shape once while the node answers: the driver prepares a shape on first use,
      // and a PREPARE waits for the connection's read timeout, not the statement's.
      const warm = await Slow.create({ name: 'warm' });
      await warm.update({ age: 1 });
      await Slow.objects().timeout(300).get({ id: warm.id });
      await warm.delete();
      const keep = await Slow.create({ name: 'keep' });
      proxy.stall();
      await assert.rejects(p.update({ age: 1 }, { timeout: 300 }), timedOut);
      await assert.rejects(Slow.create({ name: 'late' }, { timeout: 300 }), timedOut);
      await assert.rejects(p.delete({ timeout: 300 }), timedOut);
      await assert.rejects(Slow.objects().timeout(300).get({ id: p.id }), timedOut);
      proxy.resume();
      // The connection serves again (the timed-out requests may still have been applied late).
      assert.equal((await Slow.get({ id: keep.id })).name, 'keep');
    } finally {
      await connection.unregisterConnection('slow');
      await proxy.close();
    }
  });
});

describe('lightweight transactions', () => {
  it('ifNotExists: a second create raises LWTError carrying the existing row', async () => {
    const id = types.Uuid.random();
    await Person.create({ id, name: 'first', age: 1 }, { ifNotExists: true });
    await assert.rejects(
      Person.create({ id, name: 'second', age: 2 }, { ifNotExists: true }),
      instanceOf(LWTError, (e: LWTError) => {
        assert.ok(e instanceof CQLEngineError);
        assert.equal(e.existing['name'], 'first');
        assert.equal(e.existing['age'], 1);
        assert.equal(String(e.existing['id']), String(id));
        assert.equal('[applied]' in e.existing, false);
      }),
    );
    assert.equal((await Person.get({ id })).name, 'first');
  });

  it('ifExists: delete of a missing row raises LWTError; UPDATE … IF EXISTS needs Cassandra 2.1.1', async () => {
    const ghost = new Person({ name: 'ghost' });
    await assert.rejects(
      ghost.delete({ ifExists: true }),
      instanceOf(LWTError, (e: LWTError) => assert.deepEqual(e.existing, {})),
    );
    const real = await Person.create({ name: 'real' });

    if (await updateIfExistsSupported()) {
      await assert.rejects(ghost.update({ age: 3 }, { ifExists: true }), instanceOf(LWTError));
      await assert.rejects(ghost.save({ ifExists: true }), instanceOf(LWTError));
      await real.update({ age: 4 }, { ifExists: true });
      assert.equal((await Person.get({ id: real.id })).age, 4);
    } else {
      // Cassandra 2.1.0's grammar has no UPDATE … IF EXISTS (CASSANDRA-8610, 2.1.1): the library refuses it before sending.
      const refused = instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /UPDATE … IF EXISTS needs Cassandra 2\.1\.1/));
      await assert.rejects(ghost.update({ age: 3 }, { ifExists: true }), refused);
      await assert.rejects(real.update({ age: 4 }, { ifExists: true }), refused);
    }
    assert.equal((await admin(`SELECT * FROM ${ks}.people WHERE id = ?`, [ghost.id])).rowLength, 0);
    await real.delete({ ifExists: true });
    await assert.rejects(Person.get({ id: real.id }), instanceOf(Person.DoesNotExist));
  });

  it('iff: a failed condition raises LWTError whose existing holds the current values', async () => {
    const p = await Person.create({ name: 'cond', age: 10 });
    await admin(`UPDATE ${ks}.people SET age = 11 WHERE id = ?`, [p.id]);
    await assert.rejects(
      p.update({ status: 'x' }, { iff: { age: 10 } }),
      instanceOf(LWTError, (e: LWTError) => assert.deepEqual(e.existing, { age: 11 })),
    );
    assert.equal((await Person.get({ id: p.id })).status, 'active');
    await p.update({ status: 'y' }, { iff: { age: 11 } });
    assert.equal((await Person.get({ id: p.id })).status, 'y');

    await assert.rejects(
      p.delete({ iff: { name: 'nope' } }),
      instanceOf(LWTError, (e: LWTError) => assert.equal(e.existing['name'], 'cond')),
    );
    await p.delete({ iff: { name: 'cond' } });
    await assert.rejects(Person.get({ id: p.id }), instanceOf(Person.DoesNotExist));
  });

  it('iff on a dbField column reports existing values by property name', async () => {
    const r = await Renamed.create({ id: 7, label: 'one' });
    await assert.rejects(
      r.update({ source: '10.0.0.1' }, { iff: { label: 'two' } }),
      instanceOf(LWTError, (e: LWTError) => assert.deepEqual(e.existing, { label: 'one' })),
    );
  });
});

describe('per-model errors', () => {
  it('DoesNotExist and MultipleObjectsReturned are distinct per model and subclass the exported ones', async () => {
    assert.notEqual(Person.DoesNotExist, Other.DoesNotExist);
    assert.notEqual(Person.MultipleObjectsReturned, Other.MultipleObjectsReturned);
    await assert.rejects(
      Other.get({ id: 404 }),
      instanceOf(Other.DoesNotExist, (e: Error) => {
        assert.ok(e instanceof DoesNotExist);
        assert.ok(e instanceof CQLEngineError);
        assert.equal(e instanceof Person.DoesNotExist, false);
      }),
    );

    await Reading.create({ sensor: 's-multi', at: 1, value: 1 });
    await Reading.create({ sensor: 's-multi', at: 2, value: 2 });
    await assert.rejects(
      Reading.get({ sensor: 's-multi' }),
      instanceOf(Reading.MultipleObjectsReturned, (e: Error) => {
        assert.ok(e instanceof MultipleObjectsReturned);
        assert.ok(e instanceof CQLEngineError);
        assert.equal(e instanceof Person.MultipleObjectsReturned, false);
      }),
    );
    assert.equal((await Reading.get({ sensor: 's-multi', at: 2 })).value, 2);
  });
});

describe('model forms', () => {
  it('a model class extended with user methods: create and get give instances of the class', async () => {
    const g = await Greeter.create({ id: 1, first: 'Ada', last: 'Lovelace' });
    assert.ok(g instanceof Greeter);
    assert.equal(g.fullName(), 'Ada Lovelace');
    const got = await Greeter.get({ id: 1 });
    assert.ok(got instanceof Greeter);
    assert.equal(got.fullName(), 'Ada Lovelace');
    const all = await Greeter.objects().all();
    assert.ok(all.every((x) => x instanceof Greeter));
    await assert.rejects(Greeter.get({ id: 2 }), instanceOf(Greeter.DoesNotExist));
  });

  it('abstract models have no table; extend() adds their columns (and defaults) to a concrete model', async () => {
    await assert.rejects(management.syncTable(Audited), instanceOf(CQLEngineError));
    await assert.rejects(Audited.create({} as never), instanceOf(CQLEngineError));
    assert.throws(() => Audited.objects(), instanceOf(CQLEngineError));

    const inv = await Invoice.create({ total: '12.50' });
    const got = await Invoice.get({ id: inv.id });
    assert.equal(got.createdBy, 'system');
    assert.equal(got.total.toString(), '12.50');
    const cols = (await admin(`SELECT * FROM ${ks}.invoices WHERE id = ?`, [inv.id])).columns.map((c) => c.name).sort();
    assert.deepEqual(cols, ['createdBy', 'id', 'total']);
  });

  it('methods of an abstract model extended as a class reach models made with extend()', async () => {
    class Named extends abstractModel({ id: columns.int().partitionKey(), name: columns.text() }) {
      shout(): string {
        return `${this.name}!`;
      }
    }
    const Shouter = extend(Named, 'shouters', { extra: columns.text() });
    await management.syncTable(Shouter);
    const s = await Shouter.create({ id: 1, name: 'hey' });
    assert.equal((s as unknown as { shout(): string }).shout(), 'hey!');
  });

  it('static columns: one value per partition', async () => {
    await Reading.create({ sensor: 'st', at: 1, value: 1.5, site: 'north' });
    const second = await Reading.create({ sensor: 'st', at: 2, value: 2.5, site: 'south' });
    let rows = await Reading.filter({ sensor: 'st' }).all();
    assert.deepEqual(
      rows.map((r) => [r.at, r.site]),
      [
        [1, 'south'],
        [2, 'south'],
      ],
    );
    second.site = 'east';
    await second.save();
    rows = await Reading.filter({ sensor: 'st' }).all();
    assert.deepEqual(
      rows.map((r) => r.site),
      ['east', 'east'],
    );
    await Reading.create({ sensor: 'other', at: 1, value: 0 });
    assert.equal((await Reading.get({ sensor: 'other', at: 1 })).site, null);
  });

  it('dbField: the table column has its own name, the model uses the property name', async () => {
    const r = await Renamed.create({ id: 1, source: '192.168.0.1', label: 'lbl' });
    const raw = await row(`SELECT source_ip, the_label FROM ${ks}.renamed WHERE id = ?`, [1]);
    assert.equal(raw['source_ip'].toString(), '192.168.0.1');
    assert.equal(raw['the_label'], 'lbl');
    const got = await Renamed.get({ id: 1 });
    assert.equal(got.source!.toString(), '192.168.0.1');
    assert.equal((await Renamed.filter({ label: 'lbl' }).get()).id, 1);
    await admin(`UPDATE ${ks}.renamed SET the_label = 'oob' WHERE id = 1`);
    r.source = types.InetAddress.fromString('10.1.1.1');
    await r.save();
    const after = await Renamed.get({ id: 1 });
    assert.equal(after.label, 'oob');
    assert.equal(after.source!.toString(), '10.1.1.1');
    assert.ok(!('source_ip' in after.toObject()));
  });
});
