/**
 * contextQuery: models bound to a connection and/or keyspace for a block. Nothing leaks out of the
 * block (also when it throws), concurrent blocks never see each other's choice, and using() inside
 * a block overrides it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errors } from 'cassandra-driver';
import {
  CQLEngineError,
  ConfigurationError,
  ConnectionFailedError,
  columns,
  connection,
  contextQuery,
  management,
  model,
} from '../../src/index.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';
import { FAST_FAIL, instanceOf } from '../helpers/util.js';

const Note = model('ctx_notes', {
  id: columns.int().partitionKey(),
  body: columns.text(),
});

const Tag = model('ctx_tags', {
  name: columns.text().partitionKey(),
  uses: columns.int(),
});

let hosts: string[];
let keyspaces: TestKeyspaces;
/** The default keyspace, and two others. */
let ksDefault: string;
let ksA: string;
let ksB: string;

function deadHost(err: unknown): true {
  assert.ok(
    err instanceof errors.NoHostAvailableError || err instanceof ConnectionFailedError,
    `expected a connect failure, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
  );
  return true;
}

/** The body of Note `id` in a keyspace, read with the tests' own client (undefined: no row). */
async function bodyIn(keyspace: string, id: number): Promise<string | null | undefined> {
  const rs = await keyspaces.execute(`SELECT body FROM ${keyspace}.ctx_notes WHERE id = ?`, [id]);
  return rs.first()?.get('body');
}

/** Strict turns between concurrent blocks: wait(me) resolves when pass(me) was called. */
class Baton {
  #turn: string;
  readonly #waiting = new Map<string, () => void>();
  constructor(first: string) {
    this.#turn = first;
  }
  wait(who: string): Promise<void> {
    if (this.#turn === who) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.set(who, resolve));
  }
  pass(to: string): void {
    this.#turn = to;
    const waiter = this.#waiting.get(to);
    this.#waiting.delete(to);
    waiter?.();
  }
}

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ksDefault = await keyspaces.create();
  ksA = await keyspaces.create();
  ksB = await keyspaces.create();
  await connection.setup(hosts, ksDefault);
  await connection.registerConnection('live', { hosts });
  await connection.registerConnection('dead', { hosts: ['127.0.0.1:1'], lazyConnect: true, clusterOptions: FAST_FAIL });
  await management.syncTable(Note, { keyspaces: [ksDefault, ksA, ksB] });
  await management.syncTable(Tag, { keyspaces: [ksDefault, ksA, ksB] });
  for (const [keyspace, body] of [
    [ksDefault, 'default'],
    [ksA, 'A'],
    [ksB, 'B'],
  ] as const) {
    await keyspaces.execute(`INSERT INTO ${keyspace}.ctx_notes (id, body) VALUES (?, ?)`, [1, body]);
  }
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('contextQuery binds models for a block', () => {
  it('hands the block bound models, and returns what the block returns', async () => {
    const result = await contextQuery([Note], { keyspace: ksA }, async (N) => {
      assert.notEqual(N, Note);
      assert.equal(N.name, Note.name);
      assert.equal(N.schema, Note.schema);
      const row = await N.get({ id: 1 });
      assert.ok(row instanceof Note, 'instances of a bound model are instances of the model');
      assert.ok(row instanceof N);
      return row.body;
    });
    assert.equal(result, 'A');
    // A synchronous block works too.
    assert.equal(await contextQuery([Note], { keyspace: ksA }, (N) => N.objects().toString()), `SELECT * FROM "${ksA}"."ctx_notes"`);
  });

  it('binds several models at once, each to the same scope', async () => {
    await contextQuery([Note, Tag], { keyspace: ksB }, async (N, T) => {
      assert.equal((await N.get({ id: 1 })).body, 'B');
      await T.create({ name: 'x', uses: 1 });
      await N.create({ id: 2, body: 'both' });
    });
    assert.equal(await bodyIn(ksB, 2), 'both');
    assert.equal(await bodyIn(ksDefault, 2), undefined);
    const tags = await keyspaces.execute(`SELECT uses FROM ${ksB}.ctx_tags WHERE name = ?`, ['x']);
    assert.equal(tags.first()?.get('uses'), 1);
    assert.equal(await Tag.filter({ name: 'x' }).count(), 0, 'not in the default keyspace');
    // The same model twice gives two independent bound classes.
    await contextQuery([Note, Note], { keyspace: ksA }, (N1, N2) => {
      assert.notEqual(N1, N2);
      assert.match(N1.objects().toString(), new RegExp(ksA));
      assert.match(N2.objects().toString(), new RegExp(ksA));
    });
  });

  it('binds a connection, a keyspace, or both', async () => {
    await contextQuery([Note], { connection: 'dead' }, async (N) => {
      await assert.rejects(N.get({ id: 1 }), deadHost);
      await assert.rejects(N.create({ id: 3, body: 'never' }), deadHost);
    });
    await contextQuery([Note], { connection: 'live' }, async (N) => {
      assert.equal((await N.get({ id: 1 })).body, 'default');
    });
    await contextQuery([Note], { connection: 'live', keyspace: ksA }, async (N) => {
      assert.equal((await N.get({ id: 1 })).body, 'A');
      await N.create({ id: 3, body: 'live A' });
      const row = await N.get({ id: 3 });
      row.body = 'live A2';
      await row.save();
      await N.filter({ id: 3 }).update({ body: 'live A3' });
    });
    assert.equal(await bodyIn(ksA, 3), 'live A3');
    await contextQuery([Note], { keyspace: ksA }, (N) => N.filter({ id: 3 }).delete());
    assert.equal(await bodyIn(ksA, 3), undefined);
  });

  it('nested blocks: the inner binding rules for what it names, the outer for the rest', async () => {
    await contextQuery([Note], { connection: 'dead', keyspace: ksA }, async (Outer) => {
      await contextQuery([Outer], { connection: 'live' }, async (Inner) => {
        assert.equal((await Inner.get({ id: 1 })).body, 'A');
        await contextQuery([Inner], { keyspace: ksB }, async (Innermost) => {
          assert.equal((await Innermost.get({ id: 1 })).body, 'B');
        });
        assert.equal((await Inner.get({ id: 1 })).body, 'A');
      });
      await assert.rejects(Outer.get({ id: 1 }), deadHost);
    });
  });
});

describe('no leakage', () => {
  it('the model keeps its own scope after the block', async () => {
    await contextQuery([Note], { keyspace: ksA, connection: 'dead' }, async (N) => {
      await assert.rejects(N.get({ id: 1 }), deadHost);
      // The original model, used inside the block, is not bound.
      assert.equal((await Note.get({ id: 1 })).body, 'default');
    });
    assert.equal(Note.scope, undefined);
    assert.equal((await Note.get({ id: 1 })).body, 'default');
    assert.equal(Note.objects().toString(), `SELECT * FROM "${ksDefault}"."ctx_notes"`);
  });

  it('also after the block throws, and the error comes out unchanged', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      contextQuery([Note, Tag], { keyspace: ksB, connection: 'live' }, async (N) => {
        assert.equal((await N.get({ id: 1 })).body, 'B');
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal((await Note.get({ id: 1 })).body, 'default');
    // A block failing on the server's side.
    await assert.rejects(
      contextQuery([Note], { connection: 'dead' }, (N) => N.get({ id: 1 })),
      deadHost,
    );
    assert.equal((await Note.get({ id: 1 })).body, 'default');
    await assert.rejects(
      contextQuery([Note], { keyspace: ksA }, (N) => N.get({ id: 404 })),
      instanceOf(Note.DoesNotExist),
    );
    assert.equal(await Note.filter({ id: 1 }).count(), 1);
  });

  it('a bound model that escapes the block keeps its binding; the original does not gain it', async () => {
    const Escaped = await contextQuery([Note], { keyspace: ksA }, (N) => N);
    assert.equal((await Escaped.get({ id: 1 })).body, 'A');
    assert.equal((await Note.get({ id: 1 })).body, 'default');
    // An instance of the bound model writes where its class is bound.
    const inst = await contextQuery([Note], { keyspace: ksB }, (N) => new N({ id: 4, body: 'made inside' }));
    await inst.save();
    assert.equal(await bodyIn(ksB, 4), 'made inside');
    assert.equal(await bodyIn(ksDefault, 4), undefined);
    await inst.delete();
    assert.equal(await bodyIn(ksB, 4), undefined);
  });
});

describe('concurrent blocks', () => {
  it('on different keyspaces, interleaving awaits, never see each other', async () => {
    const baton = new Baton('A');
    const log: string[] = [];
    const block = (me: 'A' | 'B', other: 'A' | 'B', keyspace: string) =>
      contextQuery([Note], { keyspace }, async (N) => {
        for (let i = 0; i < 4; i++) {
          await baton.wait(me);
          log.push(`${me}${i}`);
          // Start the query, then let the other block run while it is in flight.
          const reading = N.get({ id: 1 });
          const writing = N.create({ id: 100 + i, body: `${me}${i}` });
          baton.pass(other);
          assert.equal((await reading).body, me);
          await writing;
          assert.equal(N.objects().toString(), `SELECT * FROM "${keyspace}"."ctx_notes"`);
        }
        return (await N.filter({ id__in: [100, 101, 102, 103] }).all()).map((n) => n.body);
      });
    const [a, b] = await Promise.all([block('A', 'B', ksA), block('B', 'A', ksB)]);
    assert.deepEqual(log, ['A0', 'B0', 'A1', 'B1', 'A2', 'B2', 'A3', 'B3'], 'the blocks interleaved');
    assert.deepEqual(a.sort(), ['A0', 'A1', 'A2', 'A3']);
    assert.deepEqual(b.sort(), ['B0', 'B1', 'B2', 'B3']);
    for (let i = 0; i < 4; i++) {
      assert.equal(await bodyIn(ksA, 100 + i), `A${i}`);
      assert.equal(await bodyIn(ksB, 100 + i), `B${i}`);
      assert.equal(await bodyIn(ksDefault, 100 + i), undefined);
    }
  });

  it('on different connections, interleaving awaits, never see each other', async () => {
    const baton = new Baton('dead');
    const outcomes: string[] = [];
    const onDead = contextQuery([Note], { connection: 'dead', keyspace: ksA }, async (N) => {
      for (let i = 0; i < 3; i++) {
        await baton.wait('dead');
        const attempt = N.get({ id: 1 });
        baton.pass('live');
        await assert.rejects(attempt, deadHost);
        outcomes.push(`dead${i}:failed`);
      }
    });
    const onLive = contextQuery([Note], { connection: 'live', keyspace: ksA }, async (N) => {
      for (let i = 0; i < 3; i++) {
        await baton.wait('live');
        const attempt = N.get({ id: 1 });
        baton.pass('dead');
        assert.equal((await attempt).body, 'A');
        outcomes.push(`live${i}:ok`);
      }
    });
    await Promise.all([onDead, onLive]);
    assert.deepEqual(outcomes.sort(), ['dead0:failed', 'dead1:failed', 'dead2:failed', 'live0:ok', 'live1:ok', 'live2:ok']);
    assert.equal((await Note.get({ id: 1 })).body, 'default');
  });

  it('many blocks at once on alternating keyspaces', async () => {
    const bodies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        contextQuery([Note], { keyspace: i % 2 ? ksA : ksB }, async (N) => {
          await new Promise((resolve) => setImmediate(resolve));
          return (await N.get({ id: 1 })).body;
        }),
      ),
    );
    assert.deepEqual(
      bodies,
      Array.from({ length: 20 }, (_, i) => (i % 2 ? 'A' : 'B')),
    );
  });
});

describe('using() inside a block', () => {
  it('overrides the binding, on QuerySets and instances', async () => {
    await contextQuery([Note], { connection: 'dead', keyspace: ksA }, async (N) => {
      assert.equal((await N.using({ connection: 'live' }).get({ id: 1 })).body, 'A');
      assert.equal((await N.using({ connection: 'live', keyspace: ksB }).get({ id: 1 })).body, 'B');
      await N.using({ connection: 'live', keyspace: ksB }).create({ id: 5, body: 'using' });
      const inst = new N({ id: 6, body: 'instance' }).using({ connection: 'live' });
      await inst.save();
      await assert.rejects(new N({ id: 7, body: 'bound' }).save(), deadHost);
    });
    await contextQuery([Note], { connection: 'live', keyspace: ksA }, async (N) => {
      await assert.rejects(N.using({ connection: 'dead' }).get({ id: 1 }), deadHost);
      assert.equal((await N.using({ keyspace: ksDefault }).get({ id: 1 })).body, 'default');
    });
    assert.equal(await bodyIn(ksB, 5), 'using');
    assert.equal(await bodyIn(ksA, 6), 'instance');
    assert.equal(await bodyIn(ksA, 7), undefined);
  });
});

describe('bad arguments', () => {
  it('are CQLEngineErrors, raised before the block runs', async () => {
    let ran = false;
    const block = () => {
      ran = true;
    };
    await assert.rejects(contextQuery([Note], { keyspace: 'bad-name' }, block), instanceOf(ConfigurationError));
    await assert.rejects(contextQuery([Note], { keyspace: '' }, block), instanceOf(ConfigurationError));
    await assert.rejects(contextQuery([Note], { connection: '' }, block), instanceOf(ConfigurationError));
    await assert.rejects(contextQuery([Note], { connection: 42 } as never, block), instanceOf(ConfigurationError));
    await assert.rejects(contextQuery([], { keyspace: ksA }, block), instanceOf(CQLEngineError));
    await assert.rejects(contextQuery([42] as never, { keyspace: ksA }, block), instanceOf(CQLEngineError));
    await assert.rejects(contextQuery([Note], { keyspace: ksA, unknown: 1 } as never, block), instanceOf(ConfigurationError));
    assert.equal(ran, false);
  });

  it('an unknown connection name fails on use, inside the block', async () => {
    await contextQuery([Note], { connection: 'nowhere' }, async (N) => {
      await assert.rejects(N.get({ id: 1 }), (err: unknown) => err instanceof CQLEngineError && /nowhere/.test(err.message));
    });
  });
});
