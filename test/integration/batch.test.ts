/**
 * Batches against the real node: logged, unlogged and counter; the BatchQuery object and the scoped
 * batch() form; consistency, timestamp and timeout options; cqlengine's one-connection rules; LWT.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { errors, types } from 'cassandra-driver';
import { BatchQuery, CQLEngineError, LWTError, batch, columns, connection, management, model } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra, splitHost } from '../helpers/cassandra.js';
import { TcpProxy } from '../helpers/proxy.js';
import { instanceOf, unavailableAt } from '../helpers/util.js';

const { quorum } = types.consistencies;

let hosts: string[];
let keyspaces: TestKeyspaces;
let ks: string;
let ks3: string;

const Person = model('people', {
  id: columns.int().partitionKey(),
  name: columns.text(),
  age: columns.int(),
  tags: columns.set(columns.text()),
});

const Entry = model('entries', {
  owner: columns.text().partitionKey(),
  seq: columns.int().primaryKey(),
  body: columns.text(),
});

const Hits = model('hits', {
  page: columns.text().partitionKey(),
  views: columns.counter(),
  clicks: columns.counter(),
});

/** Same table as Person, but the model names a connection of its own. */
const OtherPerson = model(
  'people',
  { id: columns.int().partitionKey(), name: columns.text(), age: columns.int() },
  { connection: 'other' },
);
/** Same table again, on a connection that is never registered: only a batch connection can run it. */
const GhostPerson = model(
  'people',
  { id: columns.int().partitionKey(), name: columns.text(), age: columns.int() },
  { connection: 'ghost' },
);

async function rowOf(table: string, where: string, params: unknown[], keyspace = ks): Promise<types.Row | undefined> {
  // Quoted: `entries` is a reserved word on Cassandra 5.0.
  const rs = await keyspaces.execute(`SELECT * FROM ${keyspace}."${table}" WHERE ${where}`, params);
  return rs.first() ?? undefined;
}
const person = (id: number, keyspace = ks) => rowOf('people', 'id = ?', [id], keyspace);

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ks = await keyspaces.create();
  ks3 = await keyspaces.create({ replicationFactor: 3 });
  await connection.setup(hosts, ks);
  for (const M of [Person, Entry, Hits]) await management.syncTable(M);
  await management.syncTable(Person, { keyspaces: [ks3] });
});

afterEach(async () => {
  // Only 'default' stays between tests.
  for (const c of connection.listConnections()) if (c.name !== 'default') await connection.unregisterConnection(c.name);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('BatchQuery', () => {
  it('a logged batch sends nothing until execute(), then every statement', async () => {
    const b = new BatchQuery();
    assert.equal(b.type, 'logged');
    await Person.create({ id: 1, name: 'ada', age: 36 }, { batch: b });
    await Person.create({ id: 2, name: 'bob', age: 40 }, { batch: b });
    await Entry.objects().batch(b).create({ owner: 'ada', seq: 1, body: 'hello' });
    assert.equal(b.size, 3);
    assert.equal(await person(1), undefined);
    assert.equal(await person(2), undefined);
    assert.equal(await rowOf('entries', 'owner = ?', ['ada']), undefined);

    const rs = await b.execute();
    assert.ok(rs);
    assert.equal(b.size, 0);
    assert.equal((await person(1))?.get('name'), 'ada');
    assert.equal((await person(2))?.get('age'), 40);
    assert.equal((await rowOf('entries', 'owner = ? AND seq = ?', ['ada', 1]))?.get('body'), 'hello');
  });

  it('unlogged batches work the same way', async () => {
    const b = new BatchQuery({ type: 'unlogged' });
    await Entry.create({ owner: 'u', seq: 1, body: 'one' }, { batch: b });
    await Entry.create({ owner: 'u', seq: 2, body: 'two' }, { batch: b });
    assert.equal((await keyspaces.execute(`SELECT * FROM ${ks}."entries" WHERE owner = ?`, ['u'])).rowLength, 0);
    await b.execute();
    assert.equal((await keyspaces.execute(`SELECT * FROM ${ks}."entries" WHERE owner = ?`, ['u'])).rowLength, 2);
  });

  it('counter batches increment and decrement through blind updates and instance saves', async () => {
    const b = new BatchQuery({ type: 'counter' });
    await Hits.filter({ page: '/' }).batch(b).update({ views__incr: 5, clicks__incr: 2 });
    await Hits.filter({ page: '/about' }).batch(b).update({ views__incr: 1 });
    await Hits.filter({ page: '/' }).batch(b).update({ clicks__decr: 1 });
    assert.equal(await rowOf('hits', 'page = ?', ['/']), undefined);
    await b.execute();
    const root = await rowOf('hits', 'page = ?', ['/']);
    assert.equal(BigInt(root!.get('views').toString()), 5n);
    assert.equal(BigInt(root!.get('clicks').toString()), 1n);
    assert.equal(BigInt((await rowOf('hits', 'page = ?', ['/about']))!.get('views').toString()), 1n);

    // create() on a counter model increments, as in cqlengine: 1 + 2 + 10.
    await batch(
      async (cb) => {
        for (const views of [1n, 2n, 10n]) await Hits.create({ page: '/created', views }, { batch: cb });
      },
      { type: 'counter' },
    );
    assert.equal((await Hits.get({ page: '/created' })).views, 13n);

    const hits = await Hits.get({ page: '/' });
    hits.views = 8n;
    await batch(
      async (cb) => {
        await hits.save({ batch: cb });
      },
      { type: 'counter' },
    );
    assert.equal(BigInt((await rowOf('hits', 'page = ?', ['/']))!.get('views').toString()), 8n);
  });

  it('a counter update in a logged batch is refused by the server', async () => {
    const b = new BatchQuery();
    await Hits.filter({ page: '/x' }).batch(b).update({ views__incr: 1 });
    await assert.rejects(
      b.execute(),
      instanceOf(errors.ResponseError, (e: errors.ResponseError) => assert.match(e.message, /[Cc]ounter/)),
    );
    assert.equal(await rowOf('hits', 'page = ?', ['/x']), undefined);
  });

  it('rejects an unknown type and a bad timeout before anything is sent', () => {
    assert.throws(() => new BatchQuery({ type: 'fast' as never }), instanceOf(CQLEngineError));
    assert.throws(() => new BatchQuery({ timeout: 0 }), instanceOf(CQLEngineError));
    assert.throws(() => new BatchQuery({ consistency: 'MOST' }), instanceOf(CQLEngineError));
  });

  it('saves, updates, deletes and blind QuerySet updates/deletes in one batch', async () => {
    await Person.create({ id: 10, name: 'ten', age: 10, tags: new Set(['a']) });
    await Person.create({ id: 11, name: 'eleven', age: 11 });
    await Person.create({ id: 12, name: 'twelve', age: 12 });
    await Person.create({ id: 13, name: 'thirteen', age: 13 });
    await Entry.create({ owner: 'z', seq: 1, body: 'x' });
    await Entry.create({ owner: 'z', seq: 2, body: 'y' });
    const ten = await Person.get({ id: 10 });
    const eleven = await Person.get({ id: 11 });

    const b = new BatchQuery();
    ten.tags.add('b');
    ten.name = 'TEN';
    await ten.save({ batch: b });
    await eleven.update({ age: 111 }, { batch: b });
    await (await Person.get({ id: 12 })).delete({ batch: b });
    await Person.filter({ id: 13 }).batch(b).update({ name: null, age: 130 });
    await Entry.filter({ owner: 'z', seq: 1 }).batch(b).delete();
    await Entry.filter({ owner: 'z', seq: 2 }).batch(b).delete('body');
    assert.equal(b.size, 6);

    // Nothing has changed yet.
    assert.equal((await person(10))?.get('name'), 'ten');
    assert.equal((await person(11))?.get('age'), 11);
    assert.ok(await person(12));
    assert.equal((await person(13))?.get('age'), 13);

    await b.execute();
    const t = await Person.get({ id: 10 });
    assert.equal(t.name, 'TEN');
    assert.deepEqual([...t.tags].sort(), ['a', 'b']);
    assert.equal((await person(11))?.get('age'), 111);
    assert.equal(await person(12), undefined);
    const thirteen = await person(13);
    assert.equal(thirteen?.get('name'), null);
    assert.equal(thirteen?.get('age'), 130);
    assert.equal(await rowOf('entries', 'owner = ? AND seq = ?', ['z', 1]), undefined);
    const two = await rowOf('entries', 'owner = ? AND seq = ?', ['z', 2]);
    assert.ok(two);
    assert.equal(two.get('body'), null);
  });

  it('an empty batch is a no-op: nothing is sent, not even a connect', async () => {
    assert.equal(await new BatchQuery().execute(), undefined);
    // A connection that does not exist is never looked up.
    assert.equal(await new BatchQuery({ connection: 'nowhere' }).execute(), undefined);
    assert.equal(await batch(async () => 'value'), 'value');
    // A blind update with nothing to set adds nothing.
    const b = new BatchQuery();
    await Person.filter({ id: 1 }).batch(b).update({});
    assert.equal(b.size, 0);
  });

  it('runs once: execute() again only warns (cqlengine), adding after execute() throws', async () => {
    const b = new BatchQuery();
    await Person.create({ id: 20, name: 'once' }, { batch: b });
    await b.execute();
    assert.equal(await b.execute(), undefined);
    await assert.rejects(Person.create({ id: 21, name: 'late' }, { batch: b }), instanceOf(CQLEngineError));
    assert.equal(await person(21), undefined);
  });
});

describe('batch() scoped form', () => {
  it('executes at the end of the block: rows are absent inside it and present after', async () => {
    const seen: (types.Row | undefined)[] = [];
    const value = await batch(async (b) => {
      await Person.create({ id: 30, name: 'thirty' }, { batch: b });
      await Person.filter({ id: 31 }).batch(b).update({ name: 'thirty-one' });
      seen.push(await person(30), await person(31));
      return 42;
    });
    assert.equal(value, 42);
    assert.deepEqual(seen, [undefined, undefined]);
    assert.equal((await person(30))?.get('name'), 'thirty');
    assert.equal((await person(31))?.get('name'), 'thirty-one');
  });

  it('sends nothing when the block throws, and rethrows the error', async () => {
    const boom = new Error('boom');
    let added = 0;
    await assert.rejects(
      batch(async (b) => {
        await Person.create({ id: 32, name: 'never' }, { batch: b });
        added = b.size;
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal(added, 1);
    assert.equal(await person(32), undefined);
  });

  it('executeOnException: executes the batch even when the block throws, and still rethrows', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      batch(
        async (b) => {
          await Person.create({ id: 33, name: 'anyway' }, { batch: b });
          throw boom;
        },
        { executeOnException: true },
      ),
      (err) => err === boom,
    );
    assert.equal((await person(33))?.get('name'), 'anyway');
  });
});

describe('batch options', () => {
  it('consistency is sent: QUORUM is unavailable with three replicas wanted on one node, ONE works', async () => {
    const Q = model('people', { id: columns.int().partitionKey(), name: columns.text() }, { keyspace: ks3 });
    for (const type of ['logged', 'unlogged'] as const) {
      await assert.rejects(
        batch(
          async (b) => {
            await Q.create({ id: 1, name: 'q' }, { batch: b });
          },
          { type, consistency: 'QUORUM' },
        ),
        unavailableAt(quorum),
      );
    }
    assert.equal(await person(1, ks3), undefined);
    await batch(
      async (b) => {
        await Q.create({ id: 1, name: 'one' }, { batch: b });
      },
      { consistency: 'ONE' },
    );
    assert.equal((await person(1, ks3))?.get('name'), 'one');
  });

  it("the connection's default consistency applies to a batch, and the batch's own overrides it", async () => {
    const Q = model('people', { id: columns.int().partitionKey(), name: columns.text() }, { keyspace: ks3, connection: 'q' });
    await connection.registerConnection('q', { hosts, consistency: 'QUORUM' });
    const b = new BatchQuery();
    await Q.create({ id: 2, name: 'q' }, { batch: b });
    await assert.rejects(b.execute(), unavailableAt(quorum));
    const ok = new BatchQuery({ consistency: types.consistencies.one });
    await Q.create({ id: 2, name: 'one' }, { batch: ok });
    await ok.execute();
    assert.equal((await person(2, ks3))?.get('name'), 'one');
  });

  it('timestamp is the write time of every statement (Date or microseconds)', async () => {
    const when = new Date('2020-01-02T03:04:05.678Z');
    await batch(
      async (b) => {
        await Person.create({ id: 40, name: 'then' }, { batch: b });
        await Entry.create({ owner: 'ts', seq: 1, body: 'then' }, { batch: b });
      },
      { timestamp: when },
    );
    const micros = BigInt(when.getTime()) * 1000n;
    const w1 = await keyspaces.execute(`SELECT WRITETIME(name) AS w FROM ${ks}.people WHERE id = ?`, [40]);
    const w2 = await keyspaces.execute(`SELECT WRITETIME(body) AS w FROM ${ks}."entries" WHERE owner = ? AND seq = ?`, ['ts', 1]);
    assert.equal(BigInt(w1.first().get('w').toString()), micros);
    assert.equal(BigInt(w2.first().get('w').toString()), micros);

    const b = new BatchQuery({ timestamp: 1_500_000_000_000_123n });
    await Person.filter({ id: 40 }).batch(b).update({ age: 7 });
    await b.execute();
    const w3 = await keyspaces.execute(`SELECT WRITETIME(age) AS w FROM ${ks}.people WHERE id = ?`, [40]);
    assert.equal(BigInt(w3.first().get('w').toString()), 1_500_000_000_000_123n);

    // An older batch timestamp loses to the newer write.
    await batch(
      async (b2) => {
        await Person.filter({ id: 40 }).batch(b2).update({ age: 1 });
      },
      { timestamp: 1_000_000n },
    );
    assert.equal((await person(40))?.get('age'), 7);
  });

  // The connection's read timeout is two minutes and the test's limit 30 s: only the batch's timeout ends the wait.
  it('timeout is the client-side read timeout of the batch', { timeout: 30_000 }, async () => {
    const target = splitHost(hosts[0]!);
    const proxy = await TcpProxy.start({ targetHost: target.host, targetPort: target.port });
    try {
      await connection.registerConnection('slow', {
        hosts: [proxy.contactPoint],
        clusterOptions: { socketOptions: { readTimeout: 120_000 } },
      });
      // The statement is prepared first, while the node answers: preparing is a request of its own, which
      // the driver runs with the connection's read timeout, not the batch's.
      await batch(
        async (warm) => {
          await Person.create({ id: 41, name: 'warm' }, { batch: warm });
        },
        { connection: 'slow' },
      );
      proxy.stall();
      const b = new BatchQuery({ connection: 'slow', timeout: 300 });
      await Person.create({ id: 41, name: 'slow' }, { batch: b });
      await assert.rejects(b.execute(), instanceOf(errors.OperationTimedOutError));
      proxy.resume();
    } finally {
      await connection.unregisterConnection('slow');
      await proxy.close();
    }
  });
});

describe('connections', () => {
  it('all statements run on one connection: the models’ when they agree', async () => {
    const target = splitHost(hosts[0]!);
    const proxy = await TcpProxy.start({ targetHost: target.host, targetPort: target.port });
    try {
      await connection.registerConnection('other', { hosts: [proxy.contactPoint] });
      const b = new BatchQuery();
      await OtherPerson.create({ id: 50, name: 'o1' }, { batch: b });
      await OtherPerson.filter({ id: 51 }).batch(b).update({ name: 'o2' });
      const rs = await b.execute();
      assert.equal(rs!.info.queriedHost, proxy.contactPoint);
      assert.equal((await person(50))?.get('name'), 'o1');
      assert.equal((await person(51))?.get('name'), 'o2');
    } finally {
      await connection.unregisterConnection('other');
      await proxy.close();
    }
  });

  it('models of different connections in one batch without a batch connection: CQLEngineError', async () => {
    await connection.registerConnection('other', { hosts });
    await connection.registerConnection('other2', { hosts });
    const Other2Person = model('people', { id: columns.int().partitionKey(), name: columns.text() }, { connection: 'other2' });
    await assert.rejects(
      batch(async (b) => {
        await OtherPerson.create({ id: 55, name: 'other' }, { batch: b });
        await Other2Person.create({ id: 56, name: 'other2' }, { batch: b });
      }),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /same connection/)),
    );
    assert.equal(await person(55), undefined);
    assert.equal(await person(56), undefined);

    // The default connection counts as a connection of its own.
    const b = new BatchQuery();
    await Person.create({ id: 52, name: 'default' }, { batch: b });
    await assert.rejects(
      OtherPerson.create({ id: 53, name: 'other' }, { batch: b }),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /same connection/)),
    );
    await assert.rejects(OtherPerson.filter({ id: 53 }).batch(b).delete(), instanceOf(CQLEngineError));
    // using() naming another connection counts as another connection too.
    await assert.rejects(
      Person.using({ connection: 'other' }).filter({ id: 73 }).batch(b).update({ name: 'x' }),
      instanceOf(CQLEngineError),
    );
    await assert.rejects(new Person({ id: 54, name: 'x' }).using({ connection: 'other' }).save({ batch: b }), instanceOf(CQLEngineError));
    // Naming the same connection explicitly is fine when the batch has none of its own.
    await Person.using({ connection: 'default' }).filter({ id: 52 }).batch(b).update({ age: 5 });
    assert.equal(b.size, 2);
    await b.execute();
    // The statements that were accepted ran; the refused ones were never added.
    assert.equal((await person(52))?.get('name'), 'default');
    assert.equal(await person(53), undefined);
    assert.equal(await person(54), undefined);
  });

  it('a batch with its own connection runs models of any connection on it', async () => {
    const target = splitHost(hosts[0]!);
    const proxy = await TcpProxy.start({ targetHost: target.host, targetPort: target.port });
    try {
      await connection.registerConnection('viaProxy', { hosts: [proxy.contactPoint] });
      await connection.registerConnection('other', { hosts });
      const b = new BatchQuery({ connection: 'viaProxy' });
      await Person.create({ id: 60, name: 'default model' }, { batch: b });
      await OtherPerson.create({ id: 61, name: 'other model' }, { batch: b });
      // 'ghost' is registered nowhere: running on it would fail.
      await GhostPerson.create({ id: 62, name: 'ghost model' }, { batch: b });
      const rs = await b.execute();
      assert.equal(rs!.info.queriedHost, proxy.contactPoint);
      for (const [id, name] of [
        [60, 'default model'],
        [61, 'other model'],
        [62, 'ghost model'],
      ] as const) {
        assert.equal((await person(id))?.get('name'), name);
      }
      // Without the batch connection the ghost model cannot run.
      await assert.rejects(GhostPerson.create({ id: 63, name: 'x' }), instanceOf(CQLEngineError));
    } finally {
      await connection.unregisterConnection('viaProxy');
      await proxy.close();
    }
  });

  it('an explicit using(connection) inside a batch that has its own connection: CQLEngineError', async () => {
    await connection.registerConnection('other', { hosts });
    await batch(
      async (b) => {
        await assert.rejects(
          Person.using({ connection: 'other' }).filter({ id: 73 }).batch(b).update({ name: 'x' }),
          instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /own connection/)),
        );
        await assert.rejects(Person.using({ connection: 'default' }).batch(b).create({ id: 70, name: 'x' }), instanceOf(CQLEngineError));
        await assert.rejects(
          new Person({ id: 71, name: 'x' }).using({ connection: 'other' }).save({ batch: b }),
          instanceOf(CQLEngineError),
        );
        const p = await Person.create({ id: 72, name: 'before' });
        await assert.rejects(p.using({ connection: 'other' }).delete({ batch: b }), instanceOf(CQLEngineError));
        // Refused whether or not the write has anything to send, as cqlengine refuses it at once.
        const unchanged = await Person.get({ id: 72 });
        await assert.rejects(unchanged.using({ connection: 'other' }).save({ batch: b }), instanceOf(CQLEngineError));
        await assert.rejects(unchanged.using({ connection: 'other' }).update({}, { batch: b }), instanceOf(CQLEngineError));
        // A keyspace-only using() is fine.
        await Person.using({ keyspace: ks }).filter({ id: 74 }).batch(b).update({ age: 1 });
        assert.equal(b.size, 1);
      },
      { connection: 'other' },
    );
    assert.equal(await person(70), undefined);
    assert.equal(await person(71), undefined);
    assert.equal((await person(72))?.get('name'), 'before');
  });
});

describe('lightweight transactions in a batch', () => {
  it('ifNotExists on an existing row: LWTError with the existing row, and nothing of the batch applied', async () => {
    await Entry.create({ owner: 'lwt', seq: 1, body: 'first' });
    const b = new BatchQuery();
    await Entry.create({ owner: 'lwt', seq: 1, body: 'second' }, { batch: b, ifNotExists: true });
    await Entry.create({ owner: 'lwt', seq: 2, body: 'other' }, { batch: b });
    await assert.rejects(
      b.execute(),
      instanceOf(LWTError, (e: LWTError) => {
        assert.equal(e.existing.owner, 'lwt');
        assert.equal(e.existing.seq, 1);
        assert.equal(e.existing.body, 'first');
      }),
    );
    assert.equal((await rowOf('entries', 'owner = ? AND seq = ?', ['lwt', 1]))?.get('body'), 'first');
    assert.equal(await rowOf('entries', 'owner = ? AND seq = ?', ['lwt', 2]), undefined);

    // On a new row it applies.
    await batch(async (ok) => {
      await Entry.create({ owner: 'lwt', seq: 3, body: 'new' }, { batch: ok, ifNotExists: true });
    });
    assert.equal((await rowOf('entries', 'owner = ? AND seq = ?', ['lwt', 3]))?.get('body'), 'new');
  });

  it('a failing iff: LWTError with the current values', async () => {
    const e = await Entry.create({ owner: 'iff', seq: 1, body: 'current' });
    await assert.rejects(
      batch(async (b) => {
        await e.update({ body: 'changed' }, { batch: b, iff: { body: 'something else' } });
      }),
      instanceOf(LWTError, (err: LWTError) => assert.equal(err.existing.body, 'current')),
    );
    assert.equal((await rowOf('entries', 'owner = ? AND seq = ?', ['iff', 1]))?.get('body'), 'current');

    await batch(async (b) => {
      await Entry.filter({ owner: 'iff', seq: 1 }).iff({ body: 'current' }).batch(b).update({ body: 'swapped' });
    });
    assert.equal((await rowOf('entries', 'owner = ? AND seq = ?', ['iff', 1]))?.get('body'), 'swapped');
  });
});
