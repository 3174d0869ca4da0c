/**
 * Every statement the mapper sends leaves through one funnel: each kind (query, page, batch, DDL and
 * connection.execute) reaches the driver once, is observed once on 'cqlengine:statement' and logged
 * once. A stand-in Client in a registry of the test's own records what is sent; no socket is opened.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { type Client, types } from 'cassandra-driver';
import { batch, columns, connection, contextQuery, LWTError, management, model } from '../../src/index.js';
import { ConnectionRegistry, type StatementEvent } from '../../src/connection/index.js';
import { FakeRow, captureLogs, recordingClient, type SentStatement } from '../helpers/util.js';

interface Call {
  method: 'execute' | 'batch';
  cql: string;
  options: Record<string, unknown>;
}

const calls: Call[] = [];
let rows: FakeRow[] = [];
let failure: Error | undefined;
const fakeClient = {
  keyspace: undefined,
  options: { contactPoints: ['127.0.0.1'], encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true } },
  async execute(cql: string, _params: unknown, options: Record<string, unknown>) {
    calls.push({ method: 'execute', cql, options });
    if (failure) throw failure;
    const out = rows;
    rows = [];
    return { rows: out, first: () => out[0] ?? null, pageState: null };
  },
  async batch(queries: { query: string }[], options: Record<string, unknown>) {
    calls.push({ method: 'batch', cql: queries.map((q) => q.query).join('; '), options });
    const out = rows;
    rows = [];
    return { rows: out, first: () => out[0] ?? null };
  },
  async shutdown() {},
};

const registry = new ConnectionRegistry();
const Note = model('notes', { id: columns.int().partitionKey(), body: columns.text() }, { keyspace: 'ks', registry });

let events: StatementEvent[] = [];
let stop: () => void = () => undefined;

before(async () => {
  await registry.register('fake', { session: fakeClient as unknown as Client, default: true });
});
after(() => registry.shutdown());
beforeEach(() => {
  calls.length = 0;
  events = [];
  rows = [];
  failure = undefined;
  stop = connection.onStatement((e) => events.push(e));
});
afterEach(() => stop());

function once(kind: StatementEvent['kind'], cql: RegExp): StatementEvent {
  assert.equal(calls.length, 1, `one call to the driver, got ${calls.map((c) => c.cql).join(' | ')}`);
  assert.equal(events.length, 1, 'observed once');
  const [event] = events;
  assert.equal(event!.kind, kind);
  assert.match(event!.cql, cql);
  assert.equal(event!.connection, 'fake');
  assert.ok(event!.durationMs >= 0);
  return event!;
}

describe('the statement funnel', () => {
  it('a write is one query, observed with its model, keyspace and number of values', async () => {
    await Note.create({ id: 1, body: 'x' });
    const e = once('query', /^INSERT INTO "ks"."notes"/);
    assert.deepEqual([e.keyspace, e.model, e.params, e.error], ['ks', 'notes', 2, undefined]);
    assert.equal(calls[0]!.options['isIdempotent'], true);
  });

  it('a read is one page; a count is one query', async () => {
    rows = [new FakeRow({ id: 1, body: 'x' })];
    const found = await Note.get({ id: 1 });
    assert.equal(found.body, 'x');
    assert.equal(once('page', /^SELECT \* FROM "ks"."notes" WHERE "id" = \? LIMIT \?$/).params, 2);
    calls.length = 0;
    events = [];
    rows = [new FakeRow({ count: 3n })];
    assert.equal(await Note.count(), 3);
    once('query', /^SELECT COUNT\(\*\)/);
  });

  it('a read of every column is SELECT *, and names its columns to a server older than 2.1.3', async () => {
    const texts: Record<string, string> = {};
    for (const version of ['2.1.0', '2.1.2', '2.1.3', '5.0.9']) {
      const own = new ConnectionRegistry();
      const { client, sent } = recordingClient(undefined, () => [], version);
      await own.register('c', { session: client, default: true });
      try {
        await Note.withRegistry(own).filter({ id: 1 }).all();
        await Note.withRegistry(own).filter({ id: 1 }).only('body').all();
        texts[version] = sent[0]!.cql;
        assert.match(sent[1]!.cql, /^SELECT "id", "body" FROM/, 'only() names its columns everywhere');
      } finally {
        await own.shutdown();
      }
    }
    assert.deepEqual(texts, {
      '2.1.0': 'SELECT "id", "body" FROM "ks"."notes" WHERE "id" = ?',
      '2.1.2': 'SELECT "id", "body" FROM "ks"."notes" WHERE "id" = ?',
      '2.1.3': 'SELECT * FROM "ks"."notes" WHERE "id" = ?',
      '5.0.9': 'SELECT * FROM "ks"."notes" WHERE "id" = ?',
    });
  });

  it('a batch is one driver call and one event, whatever it holds', async () => {
    await batch(
      async (b) => {
        await Note.create({ id: 1, body: 'a' }, { batch: b });
        await Note.create({ id: 2, body: 'b' }, { batch: b });
      },
      { timeout: 100 },
    );
    const e = once('batch', /^INSERT INTO "ks"."notes" .*; INSERT INTO "ks"."notes"/);
    assert.deepEqual([e.model, e.keyspace, e.params], ['notes', 'ks', 4]);
    assert.equal(calls[0]!.method, 'batch');
    assert.equal(calls[0]!.options['readTimeout'], 100);
  });

  it('a null timeout is none: the driver gets a readTimeout of 0, as cqlengine takes timeout(None)', async () => {
    await Note.create({ id: 1, body: 'a' }, { timeout: null });
    await Note.objects().timeout(null).all();
    await batch(async (b) => void (await Note.create({ id: 2, body: 'b' }, { batch: b })), { timeout: null });
    await connection.execute('SELECT * FROM ks.notes', [], { registry, timeout: null });
    assert.deepEqual(
      calls.map((c) => c.options['readTimeout']),
      [0, 0, 0, 0],
    );
  });

  it('a timeout given to a statement in a batch is refused, as cqlengine refuses it, before anything is sent', async () => {
    const refused = { name: 'ConfigurationError', message: /runs with the batch's timeout/ };
    await batch(async (b) => {
      await assert.rejects(Note.create({ id: 1, body: 'a' }, { batch: b, timeout: 50 }), refused);
      const note = new Note({ id: 2, body: 'b' });
      await assert.rejects(note.delete({ batch: b, timeout: 50 }), refused);
      assert.throws(() => Note.objects().timeout(50).batch(b), refused);
      assert.throws(() => Note.objects().batch(b).timeout(50), refused);
    });
    assert.equal(calls.length, 0);
  });

  it('DDL is one unprepared statement of kind ddl', async () => {
    await management.dropTable(Note);
    const e = once('ddl', /^DROP TABLE IF EXISTS "ks"."notes"$/);
    assert.equal(e.params, 0);
    assert.equal(calls[0]!.options['prepare'], false);
  });

  it('connection.execute and Connection.execute are queries through the same funnel', async () => {
    await connection.execute('SELECT * FROM ks.notes WHERE id = ?', [1], { registry, timeout: 20, consistency: 'ONE' });
    const e = once('query', /^SELECT \* FROM ks.notes/);
    assert.deepEqual([e.model, e.params], [undefined, 1]);
    assert.deepEqual(calls[0]!.options, { prepare: true, readTimeout: 20, consistency: 1 });
    calls.length = 0;
    events = [];
    await registry.peek('fake').execute('SELECT now() FROM system.local');
    once('query', /now\(\)/);
  });

  it('a failed statement is observed once, with its error, and the error reaches the caller', async () => {
    failure = new Error('boom');
    await assert.rejects(Note.create({ id: 1 }), /boom/);
    assert.equal(once('query', /^INSERT/).error, failure);
  });

  it('a lightweight transaction not applied throws LWTError, the statement observed once without error', async () => {
    rows = [new FakeRow({ '[applied]': false, id: 1, body: 'old' })];
    await assert.rejects(
      Note.create({ id: 1, body: 'new' }, { ifNotExists: true }),
      (err: unknown) => err instanceof LWTError && err.existing['body'] === 'old',
    );
    assert.equal(once('query', /IF NOT EXISTS/).error, undefined);
    assert.equal(calls[0]!.options['isIdempotent'], false);
  });

  it('diagnostics_channel subscribers see the same events; an unsubscribed listener sees none', async () => {
    const seen: unknown[] = [];
    const fn = (m: unknown) => seen.push(m);
    subscribe('cqlengine:statement', fn);
    stop();
    try {
      await contextQuery([Note], { keyspace: 'other' }, (N) => N.create({ id: 5 }));
    } finally {
      unsubscribe('cqlengine:statement', fn);
    }
    assert.equal(events.length, 0);
    assert.equal(seen.length, 1);
    assert.equal((seen[0] as StatementEvent).keyspace, 'other');
  });

  it('logs one debug line per statement with the count of values; the values only when asked', async () => {
    const log = captureLogs();
    try {
      await Note.create({ id: 7, body: 'secret' });
      const lines = log.entries.filter((e) => e.level === 'debug').map((e) => e.message);
      assert.deepEqual(lines, ['[Connection: fake, Keyspace: ks] query: INSERT INTO "ks"."notes" ("id", "body") VALUES (?, ?) (2 values)']);
    } finally {
      log.restore();
    }
    const entries: string[] = [];
    const { setLogger } = await import('../../src/log.js');
    setLogger({ debug: (m) => entries.push(m), info() {}, warn() {}, error() {} }, { logValues: true });
    try {
      await Note.create({ id: 7, body: 'secret' });
    } finally {
      setLogger();
    }
    assert.equal(entries.length, 1);
    assert.match(entries[0]!, /\(2 values\) \[7,"secret"\]$/);
  });
});

describe('values as each Client takes them', () => {
  it('one statement shape is converted for a Client that encodes Sets and Maps otherwise, after it went as it is to one that does not', async () => {
    const native = recordingClient({ map: Map, set: Set });
    const plain = recordingClient({});
    const own = new ConnectionRegistry();
    await own.register('native', { session: native.client, default: true });
    await own.register('plain', { session: plain.client });
    try {
      const Bag = model(
        'bags',
        { id: columns.int().partitionKey(), tags: columns.set(columns.text()), n: columns.map(columns.text(), columns.int()) },
        {
          keyspace: 'ks',
          registry: own,
        },
      );
      const row = { id: 1, tags: new Set(['a']), n: new Map([['k', 1]]) };
      await Bag.create(row);
      await Bag.create(row);
      await contextQuery([Bag], { connection: 'plain' }, (B) => B.create(row));
      await Bag.create(row);
      // In the order sent: two to native, one to plain, one more to native.
      const kinds = (sent: SentStatement[]) => sent.map((s) => [s.params[1] instanceof Set, s.params[2] instanceof Map]);
      assert.deepEqual(kinds(native.sent), [
        [true, true],
        [true, true],
        [true, true],
      ]);
      assert.deepEqual(kinds(plain.sent), [[false, false]]);
      assert.deepEqual(plain.sent[0]!.params.slice(1), [['a'], { k: 1 }]);
    } finally {
      await own.shutdown();
    }
  });

  it("a row's collections are kept as the driver made them where the Client's encoding gives the column's form, converted elsewhere", async () => {
    const { dataTypes } = types;
    // As the driver describes a result's columns: the table's types, whatever the model says.
    const columnsRead = [
      { name: 'id', type: { code: dataTypes.int } },
      { name: 'tags', type: { code: dataTypes.set } },
      { name: 'scores', type: { code: dataTypes.map } },
      { name: 'xs', type: { code: dataTypes.list } },
    ];
    const driverRow = (values: unknown[], columnsOfRow = columnsRead) => {
      // The driver's own Row class (not in its type declarations): what the mapper reads in place.
      const Row = (types as unknown as { Row: new (columns: unknown[]) => Record<string, unknown> }).Row;
      const row = new Row(columnsOfRow);
      columnsOfRow.forEach(({ name }, i) => {
        row[name] = values[i];
      });
      return row as unknown as FakeRow;
    };
    const tags = new Set(['a']);
    const native = recordingClient({ map: Map, set: Set }, () => [driverRow([1, tags, null, undefined])]);
    // Without `encoding.set` and `encoding.map` the driver reads sets as arrays and maps as objects.
    const plain = recordingClient({}, () => [driverRow([2, ['b'], { k: 1 }, [3]])]);
    // A table that drifted from its model: its `tags` is a list, which the driver reads as an array.
    const drifted = columnsRead.map((c) => (c.name === 'tags' ? { name: 'tags', type: { code: dataTypes.list } } : c));
    const listed = recordingClient({ map: Map, set: Set }, () => [driverRow([3, ['c', 'c'], null, null], drifted)]);
    const own = new ConnectionRegistry();
    await own.register('native', { session: native.client, default: true });
    await own.register('plain', { session: plain.client });
    await own.register('listed', { session: listed.client });
    try {
      const Bag = model(
        'bags',
        {
          id: columns.int().partitionKey(),
          tags: columns.set(columns.text()),
          scores: columns.map(columns.text(), columns.int()),
          xs: columns.list(columns.int()),
        },
        { keyspace: 'ks', registry: own },
      );
      const one = await Bag.get({ id: 1 });
      assert.deepEqual(one.tags, tags);
      assert.deepEqual([one.scores, one.xs], [new Map(), []], 'null and unset read empty');
      const two = await Bag.using({ connection: 'plain' }).get({ id: 2 });
      assert.deepEqual([two.tags, two.scores, two.xs], [new Set(['b']), new Map([['k', 1]]), [3]]);
      const three = await Bag.using({ connection: 'listed' }).get({ id: 3 });
      assert.deepEqual(three.tags, new Set(['c']), 'an array in a set column is still made a Set');
    } finally {
      await own.shutdown();
    }
  });

  it('collections go serialized once the Client has negotiated protocol v3+; a log line shows the values given', async () => {
    const recording = recordingClient({ map: Map, set: Set });
    // The driver's own field; null until its control connection is up.
    const control: { protocolVersion: number | null } = { protocolVersion: null };
    Object.assign(recording.client, { controlConnection: control });
    const own = new ConnectionRegistry();
    await own.register('v4', { session: recording.client, default: true });
    const entries: string[] = [];
    const { setLogger } = await import('../../src/log.js');
    try {
      const Scores = model(
        'scores',
        { id: columns.int().partitionKey(), xs: columns.list(columns.int()), tags: columns.set(columns.text()) },
        { keyspace: 'ks', registry: own },
      );
      await Scores.create({ id: 1, xs: [1, 2] });
      control.protocolVersion = 4;
      setLogger({ debug: (m) => entries.push(m), info() {}, warn() {}, error() {} }, { logValues: true });
      await Scores.create({ id: 2, xs: [1, 2], tags: new Set(['a']) });
      assert.deepEqual(recording.sent[0]!.params[1], [1, 2], 'version unknown: the array as it is');
      assert.deepEqual(recording.sent[1]!.params[1], Buffer.from([0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2]));
      assert.equal(entries.length, 1);
      assert.match(entries[0]!, /\(3 values\) \[2,\[1,2\],\["a"\]\]$/);
    } finally {
      setLogger();
      await own.shutdown();
    }
  });
});
