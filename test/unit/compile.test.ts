/**
 * The CQL the mapper generates, without Cassandra. SELECTs come from QuerySet.toString()/toCQL(),
 * which need no connection; writes and batches are captured by a stand-in Client registered as a
 * user session (it opens no socket) in a registry of the test's own. Every value is a bind marker,
 * every identifier is quoted, and the idempotence flag handed to the driver allows retries only
 * where they are safe.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { types, type Client } from 'cassandra-driver';
import {
  batch,
  BatchQuery,
  columns,
  CQLEngineError,
  ConfigurationError,
  LWTError,
  model,
  ValidationError,
  token,
} from '../../src/index.js';
import { compileDelete, compileInsert, compileSelect, compileUpdate } from '../../src/statements/compile.js';
import type { Assignment, AssignmentOp, TableRef } from '../../src/statements/nodes.js';
import { ConnectionRegistry } from '../../src/connection/index.js';
import { codecOf } from '../../src/schema/types.js';
import { FakeRow } from '../helpers/util.js';

// ---- a stand-in Client that records what would be sent ----

interface Sent {
  cql: string;
  params: unknown[];
  options: Record<string, unknown>;
}
interface SentBatch {
  queries: { query: string; params: unknown[] }[];
  options: Record<string, unknown>;
}

const sent: Sent[] = [];
const batches: SentBatch[] = [];
let nextRows: FakeRow[] = [];
const encoding = { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true };
const fakeClient = {
  keyspace: undefined,
  options: { contactPoints: ['127.0.0.1'], encoding },
  async execute(cql: string, params: unknown[], options: Record<string, unknown>) {
    sent.push({ cql, params, options });
    const rows = nextRows;
    nextRows = [];
    return { rows, first: () => rows[0] ?? null, pageState: null };
  },
  async batch(queries: SentBatch['queries'], options: Record<string, unknown>) {
    batches.push({ queries, options });
    const rows = nextRows;
    nextRows = [];
    return { rows, first: () => rows[0] ?? null };
  },
  async shutdown() {},
};

const registry = new ConnectionRegistry();

const Post = model(
  'posts',
  {
    blog: columns.text().partitionKey(),
    at: columns.int().primaryKey().clusteringOrder('desc'),
    title: columns.text(),
    userName: columns.text().dbField('user_name'),
    order: columns.int(),
    tags: columns.set(columns.text()),
    xs: columns.list(columns.int()),
    m: columns.map(columns.text(), columns.int()),
    kind: columns.text().index(),
  },
  { keyspace: 'ks', connection: 'unit', registry },
);

const Composite = model(
  'composite',
  {
    a: columns.text().partitionKey(),
    b: columns.int().partitionKey(),
    c: columns.int().primaryKey(),
    d: columns.int().primaryKey(),
    v: columns.text(),
  },
  { keyspace: 'ks', connection: 'unit', registry },
);

const Hits = model(
  'hits',
  { page: columns.text().partitionKey(), views: columns.counter(), clicks: columns.counter() },
  { keyspace: 'ks', connection: 'unit', registry },
);

const codec = codecOf({ encoding });
const persisted = (row: Record<string, unknown>) => Post.fromRow(row, codec);

const last = (): Sent => {
  assert.ok(sent.length > 0, 'nothing was sent');
  return sent[sent.length - 1]!;
};

/** Every marker is `?`: no literal values in the text. */
function onlyMarkers(cql: string): void {
  assert.doesNotMatch(cql, /'|\b\d+\b(?!\))/, cql);
}

before(async () => {
  await registry.register('unit', { session: fakeClient as unknown as Client });
});
after(async () => {
  await registry.shutdown();
});
beforeEach(() => {
  sent.length = 0;
  batches.length = 0;
  nextRows = [];
});

// ---- SELECT ----

describe('SELECT', () => {
  it('selects every column of the quoted keyspace and table', () => {
    assert.equal(Post.objects().toString(), 'SELECT * FROM "ks"."posts"');
    assert.deepEqual(Post.objects().toCQL(), {
      cql: 'SELECT * FROM "ks"."posts"',
      params: [],
    });
  });

  it('binds every filter value, IN lists and contains included; names are quoted and dbField used', () => {
    const q = Post.filter({ blog__in: ['a', 'b'], at__gte: 3, at__lt: 9 });
    assert.deepEqual(q.toCQL(), {
      cql: 'SELECT * FROM "ks"."posts" WHERE "blog" IN ? AND "at" >= ? AND "at" < ?',
      params: [['a', 'b'], 3, 9],
    });
    const byIndex = Post.filter({ kind: "x'; DROP TABLE posts; --" })
      .filter({ userName: 'u', order__lte: 2, tags__contains: 't', m__contains_key: 'k', xs__contains: 4 })
      .allowFiltering();
    assert.equal(
      byIndex.toString(),
      'SELECT * FROM "ks"."posts" ' +
        'WHERE "kind" = ? AND "user_name" = ? AND "order" <= ? AND "tags" CONTAINS ? AND "m" CONTAINS KEY ? AND "xs" CONTAINS ? ALLOW FILTERING',
    );
    assert.deepEqual(byIndex.toCQL().params, ["x'; DROP TABLE posts; --", 'u', 2, 't', 'k', 4]);
  });

  it('LIMIT is a bind marker too', () => {
    const q = Post.filter({ blog: 'a' }).limit(10);
    assert.deepEqual(q.toCQL(), {
      cql: 'SELECT * FROM "ks"."posts" WHERE "blog" = ? LIMIT ?',
      params: ['a', 10],
    });
    assert.equal(Post.filter({ blog: 'a' }).limit(10).limit(undefined).toString(), 'SELECT * FROM "ks"."posts" WHERE "blog" = ?');
    for (const none of [0, null])
      assert.equal(Post.filter({ blog: 'a' }).limit(10).limit(none).toString(), 'SELECT * FROM "ks"."posts" WHERE "blog" = ?');
    for (const bad of [-1, 1.5, NaN]) assert.throws(() => Post.objects().limit(bad), ConfigurationError);
  });

  it('the text depends on the shape only, never on the values', () => {
    const a = Post.filter({ blog: 'a', at__in: [1] })
      .limit(1)
      .toCQL();
    const b = Post.filter({ blog: 'zz', at__in: [1, 2, 3] })
      .limit(500)
      .toCQL();
    assert.equal(a.cql, b.cql);
    onlyMarkers(b.cql);
  });

  it('orders by clustering columns, ascending or descending', () => {
    assert.equal(Post.filter({ blog: 'a' }).orderBy('at').toString(), 'SELECT * FROM "ks"."posts" WHERE "blog" = ? ORDER BY "at" ASC');
    assert.equal(Post.filter({ blog: 'a' }).orderBy('-at').toString(), 'SELECT * FROM "ks"."posts" WHERE "blog" = ? ORDER BY "at" DESC');
    assert.equal(
      Composite.filter({ a: 'x', b: 1 }).orderBy('c', '-d').limit(3).toString(),
      'SELECT * FROM "ks"."composite" WHERE "a" = ? AND "b" = ? ORDER BY "c" ASC, "d" DESC LIMIT ?',
    );
    assert.throws(
      () => Post.objects().orderBy('blog'),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'orderBy',
    );
    assert.throws(() => Post.objects().orderBy('title'), ConfigurationError);
    assert.throws(() => Post.objects().orderBy('-nope'), ConfigurationError);
  });

  it('ALLOW FILTERING comes last', () => {
    assert.equal(
      Post.filter({ title: 't' }).limit(2).allowFiltering().toString(),
      'SELECT * FROM "ks"."posts" WHERE "title" = ? LIMIT ? ALLOW FILTERING',
    );
  });

  it('DISTINCT selects the partition key, or the columns given', () => {
    assert.equal(Post.objects().distinct().toString(), 'SELECT DISTINCT "blog" FROM "ks"."posts"');
    assert.equal(Composite.objects().distinct().toString(), 'SELECT DISTINCT "a", "b" FROM "ks"."composite"');
    assert.equal(Composite.objects().distinct('a', 'b').limit(5).toString(), 'SELECT DISTINCT "a", "b" FROM "ks"."composite" LIMIT ?');
  });

  it('only() reads the given columns and the key; defer() all but the given ones', () => {
    assert.equal(Post.objects().only('title', 'userName').toString(), 'SELECT "blog", "at", "title", "user_name" FROM "ks"."posts"');
    assert.equal(
      Post.objects().defer('tags', 'xs', 'm', 'kind', 'order').toString(),
      'SELECT "blog", "at", "title", "user_name" FROM "ks"."posts"',
    );
    assert.equal(
      Post.objects().defer('blog').toString(),
      'SELECT "blog", "at", "title", "user_name", "order", "tags", "xs", "m", "kind" FROM "ks"."posts"',
    );
    assert.throws(() => Post.objects().only('nope' as never), ConfigurationError);
    assert.throws(() => Post.objects().defer('nope' as never), ConfigurationError);
  });

  it('only() and defer() calls combine, as in cqlengine; a second only() is refused', () => {
    const cols = (q: { toString(): string }) => q.toString().replace(/^SELECT | FROM .*$/g, '');
    assert.equal(cols(Post.objects().defer('tags', 'xs').defer('m', 'kind', 'order')), '"blog", "at", "title", "user_name"');
    assert.equal(cols(Post.objects().only('title', 'order').defer('order')), '"blog", "at", "title"');
    assert.equal(cols(Post.objects().defer('order', 'title').only('order', 'userName')), '"blog", "at", "user_name"');
    assert.throws(() => Post.objects().only('title').only('order'), {
      name: 'ConfigurationError',
      message: /only\(\) was already given: title/,
    });
    assert.throws(() => Post.objects().only('title').defer('title'), { name: 'ConfigurationError', message: /No columns left to select/ });
    // The key is always read: naming it in only() or defer() changes nothing.
    assert.equal(cols(Post.objects().only('blog').defer('blog')), '"blog", "at"');
  });

  it('a QuerySet with a batch() refuses reads, as cqlengine does, before anything is sent', async () => {
    const b = new BatchQuery();
    const q = Post.filter({ blog: 'a' }).batch(b);
    const refused = { name: 'ConfigurationError', message: /a QuerySet with a batch\(\) only writes/ };
    await assert.rejects(q.all(), refused);
    await assert.rejects(q.get({ at: 1 }), refused);
    await assert.rejects(q.first(), refused);
    await assert.rejects(q.count(), refused);
    await assert.rejects(q.page(), refused);
    await assert.rejects(q[Symbol.asyncIterator]().next(), refused);
    // Its text can still be shown.
    assert.equal(q.toString(), 'SELECT * FROM "ks"."posts" WHERE "blog" = ?');
  });

  it('orderBy() with no names clears the order, as in cqlengine', () => {
    assert.equal(Post.filter({ blog: 'a' }).orderBy('at').orderBy().toString(), 'SELECT * FROM "ks"."posts" WHERE "blog" = ?');
  });

  it('token() bounds cover the whole partition key', () => {
    assert.deepEqual(Post.filter({ pk__token__gt: token('a') }).toCQL(), {
      cql: 'SELECT * FROM "ks"."posts" WHERE token("blog") > token(?)',
      params: ['a'],
    });
    const q = Composite.filter({ pk__token__gte: token('x', 1) })
      .filter({ pk__token__lt: token('y', 2) })
      .limit(100);
    assert.deepEqual(q.toCQL(), {
      cql: 'SELECT * FROM "ks"."composite" WHERE token("a", "b") >= token(?, ?) AND token("a", "b") < token(?, ?) LIMIT ?',
      params: ['x', 1, 'y', 2, 100],
    });
  });

  it('QuerySets are immutable', () => {
    const base = Post.filter({ blog: 'a' });
    base.limit(3);
    base.orderBy('at');
    base.filter({ at: 1 });
    base.allowFiltering();
    assert.equal(base.toString(), 'SELECT * FROM "ks"."posts" WHERE "blog" = ?');
  });

  it('using() and the model pick the keyspace; none at all is an error naming the model', () => {
    assert.equal(Post.using({ keyspace: 'other' }).filter({ blog: 'a' }).toString(), 'SELECT * FROM "other"."posts" WHERE "blog" = ?');
    const Loose = model('loose', { id: columns.int().primaryKey() });
    assert.throws(
      () => Loose.objects().toString(),
      (err: unknown) => err instanceof CQLEngineError && /loose/.test(err.message),
    );
    assert.equal(Loose.using({ keyspace: 'k2' }).toString(), 'SELECT * FROM "k2"."loose"');
    assert.throws(() => Post.using({ keyspace: 'bad-ks' }), ConfigurationError);
  });

  it('count(), first() and get() run their own SELECTs', async () => {
    await Post.filter({ blog: 'a' }).count();
    assert.deepEqual([last().cql, last().params], ['SELECT COUNT(*) FROM "ks"."posts" WHERE "blog" = ?', ['a']]);
    await Post.filter({ blog: 'a' }).limit(7).count();
    assert.deepEqual([last().cql, last().params], ['SELECT COUNT(*) FROM "ks"."posts" WHERE "blog" = ? LIMIT ?', ['a', 7]]);
    await Post.filter({ blog: 'a' }).first();
    assert.deepEqual([last().cql, last().params], ['SELECT * FROM "ks"."posts" WHERE "blog" = ? LIMIT ?', ['a', 1]]);
    await assert.rejects(Post.get({ blog: 'a', at: 1 }), Post.DoesNotExist);
    assert.deepEqual([last().cql, last().params], ['SELECT * FROM "ks"."posts" WHERE "blog" = ? AND "at" = ? LIMIT ?', ['a', 1, 2]]);
    for (const s of sent) {
      assert.equal(s.options['prepare'], true);
      assert.equal(s.options['isIdempotent'], true);
    }
  });
});

// ---- INSERT ----

describe('INSERT', () => {
  it('inserts the values given, each bound, and nulls for those given null or empty (which clear them, as in cqlengine)', async () => {
    await Post.create({ blog: "b'", at: 1, title: 't', userName: 'u', tags: ['x'] as never, xs: [], kind: null });
    assert.equal(
      last().cql,
      'INSERT INTO "ks"."posts" ("blog", "at", "title", "user_name", "tags", "xs", "kind") VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    assert.deepEqual(last().params, ["b'", 1, 't', 'u', new Set(['x']), null, null]);
    await Post.create({ blog: "b'", at: 1, title: 't' });
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at", "title") VALUES (?, ?, ?)');
    assert.equal(last().options['isIdempotent'], true);
    assert.equal(last().options['prepare'], true);
  });

  it('IF NOT EXISTS is conditional and not idempotent', async () => {
    await Post.create({ blog: 'b', at: 1 }, { ifNotExists: true });
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at") VALUES (?, ?) IF NOT EXISTS');
    assert.equal(last().options['isIdempotent'], false);
  });

  it('USING TTL ? AND TIMESTAMP ? bind their values after the columns', async () => {
    await Post.create({ blog: 'b', at: 1 }, { ttl: 60, timestamp: new Date(5) });
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at") VALUES (?, ?) USING TTL ? AND TIMESTAMP ?');
    assert.deepEqual(last().params, ['b', 1, 60, 5000n]);
    await Post.create({ blog: 'b', at: 1 }, { timestamp: 123n, ifNotExists: true });
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at") VALUES (?, ?) IF NOT EXISTS USING TIMESTAMP ?');
    assert.deepEqual(last().params, ['b', 1, 123n]);
  });

  it('rejects bad write options before sending', async () => {
    for (const ttl of [-1, 1.5, 630720001]) await assert.rejects(Post.create({ blog: 'b', at: 1 }, { ttl }), ConfigurationError);
    await assert.rejects(Post.create({ blog: 'b', at: 1 }, { timestamp: 5 as never }), ConfigurationError);
    await assert.rejects(Post.create({ blog: 'b', at: 1 }, { timeout: 0 }), ConfigurationError);
    assert.equal(sent.length, 0);
  });

  it("a TTL of 0 or null sends no USING TTL, so the table's default applies, as cqlengine's ttl(0) and ttl(None)", async () => {
    await Post.create({ blog: 'b', at: 1 }, { ttl: 0 });
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at") VALUES (?, ?)');
    await Post.objects().ttl(60).ttl(null).create({ blog: 'b', at: 1 });
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at") VALUES (?, ?)');
    await Post.filter({ blog: 'b', at: 1 }).ttl(0).update({ title: 't' });
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "title" = ? WHERE "blog" = ? AND "at" = ?');
  });

  it("Model.iff(), ifExists() and ifNotExists() start a QuerySet with the condition, as cqlengine's class methods", async () => {
    await Post.iff({ title: 't' }).filter({ blog: 'b', at: 1 }).update({ order: 2 });
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "order" = ? WHERE "blog" = ? AND "at" = ? IF "title" = ?');
    await Post.ifExists().filter({ blog: 'b', at: 1 }).delete();
    assert.equal(last().cql, 'DELETE FROM "ks"."posts" WHERE "blog" = ? AND "at" = ? IF EXISTS');
    await Post.ifNotExists().create({ blog: 'b', at: 3 });
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at") VALUES (?, ?) IF NOT EXISTS');
    const n = sent.length;
    await assert.rejects(
      Post.ifNotExists().filter({ blog: 'b', at: 1 }).update({ order: 2 }),
      /ifNotExists applies to create\(\), not to update\(\)/,
    );
    await assert.rejects(Post.ifNotExists().filter({ blog: 'b', at: 1 }).delete(), /not to delete\(\)/);
    assert.equal(sent.length, n);
  });

  it('QuerySet.create() carries the QuerySet TTL, timestamp and keyspace', async () => {
    await Post.using({ keyspace: 'ks2' }).ttl(5).timestamp(7n).create({ blog: 'b', at: 2 });
    assert.equal(last().cql, 'INSERT INTO "ks2"."posts" ("blog", "at") VALUES (?, ?) USING TTL ? AND TIMESTAMP ?');
    assert.deepEqual(last().params, ['b', 2, 5, 7n]);
  });
});

// ---- UPDATE (instances: only what changed, as deltas) ----

describe('UPDATE of a persisted instance', () => {
  it('writes nothing when nothing changed', async () => {
    const p = persisted({ blog: 'b', at: 1, title: 't' });
    await p.save();
    assert.equal(sent.length, 0);
  });

  it('assigns changed scalars; null deletes', async () => {
    const p = persisted({ blog: 'b', at: 1, title: 't', user_name: 'u' });
    p.title = 'new';
    p.userName = null;
    await p.save();
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "title" = ?, "user_name" = ? WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(last().params, ['new', null, 'b', 1]);
    assert.equal(last().options['isIdempotent'], true);
  });

  it('adds to and removes from sets by delta', async () => {
    const p = persisted({ blog: 'b', at: 1, tags: new Set(['a', 'b']) });
    p.tags.add('c');
    await p.save();
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "tags" = "tags" + ? WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(last().params[0], new Set(['c']));
    assert.equal(last().options['isIdempotent'], true);
    p.tags.delete('a');
    await p.save();
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "tags" = "tags" - ? WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(last().params[0], new Set(['a']));
    p.tags.delete('b');
    p.tags.add('d');
    await p.save();
    // Both deltas in one statement, so that elements others add meanwhile survive.
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "tags" = "tags" + ?, "tags" = "tags" - ? WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(last().params.slice(0, 2), [new Set(['d']), new Set(['b'])]);
  });

  it('appends to and prepends one element to lists, which are not idempotent', async () => {
    const p = persisted({ blog: 'b', at: 1, xs: [1, 2] });
    p.xs.push(3, 4);
    await p.save();
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "xs" = "xs" + ? WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(last().params[0], [3, 4]);
    assert.equal(last().options['isIdempotent'], false);
    p.xs.unshift(0);
    await p.save();
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "xs" = ? + "xs" WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(last().params[0], [0]);
    assert.equal(last().options['isIdempotent'], false);
    p.xs.splice(1, 1);
    await p.save();
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "xs" = ? WHERE "blog" = ? AND "at" = ?');
    assert.equal(last().options['isIdempotent'], true);
  });

  it('updates changed map entries; a removed key is deleted alone', async () => {
    const p = persisted({
      blog: 'b',
      at: 1,
      m: new Map([
        ['a', 1],
        ['b', 2],
      ]),
    });
    p.m.set('b', 3).set('c', 4);
    await p.save();
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "m" = "m" + ? WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(
      last().params[0],
      new Map([
        ['b', 3],
        ['c', 4],
      ]),
    );
    p.m.delete('a');
    await p.save();
    // Only that key: entries written meanwhile by others survive.
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "m"[?] = ? WHERE "blog" = ? AND "at" = ?');
    assert.deepEqual(last().params.slice(0, 2), ['a', null]);
  });

  it('increments counters by the difference, never idempotent', async () => {
    const h = Hits.fromRow({ page: '/', views: 10n, clicks: 1n }, codec);
    h.views = 13n;
    h.clicks = 0n;
    await h.save();
    assert.equal(last().cql, 'UPDATE "ks"."hits" SET "views" = "views" + ?, "clicks" = "clicks" + ? WHERE "page" = ?');
    assert.deepEqual(last().params.slice(0, 2), [3n, -1n]);
    assert.equal(last().options['isIdempotent'], false);
  });

  it('USING comes before SET; IF conditions and IF EXISTS come last, and are not idempotent', async () => {
    const p = persisted({ blog: 'b', at: 1, title: 't' });
    p.title = 'u';
    await p.save({ ttl: 30, timestamp: 9n, iff: { title: 't', order: null } });
    assert.equal(
      last().cql,
      'UPDATE "ks"."posts" USING TTL ? AND TIMESTAMP ? SET "title" = ? WHERE "blog" = ? AND "at" = ? IF "title" = ? AND "order" = ?',
    );
    assert.deepEqual(last().params, [30, 9n, 'u', 'b', 1, 't', null]);
    assert.equal(last().options['isIdempotent'], false);
    await p.update({ title: 'v' }, { ifExists: true });
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "title" = ? WHERE "blog" = ? AND "at" = ? IF EXISTS');
    assert.equal(last().options['isIdempotent'], false);
  });

  it('a lightweight transaction not applied throws LWTError with the existing row by property name', async () => {
    const p = persisted({ blog: 'b', at: 1, title: 't' });
    p.title = 'u';
    nextRows = [new FakeRow({ '[applied]': false, title: 'other', user_name: 'x' })];
    await assert.rejects(p.save({ iff: { title: 't' } }), (err: unknown) => {
      assert.ok(err instanceof LWTError);
      assert.deepEqual(err.existing, { title: 'other', userName: 'x' });
      return true;
    });
  });

  it('rejects ifNotExists on an update and a changed key in update()', async () => {
    const p = persisted({ blog: 'b', at: 1, title: 't' });
    p.title = 'u';
    await assert.rejects(p.save({ ifNotExists: true }), ConfigurationError);
    await assert.rejects(p.update({ blog: 'x' } as never), CQLEngineError);
    assert.equal(sent.length, 0);
  });

  it('a changed key makes a new row: an INSERT', async () => {
    const p = persisted({ blog: 'b', at: 1, title: 't' });
    p.at = 2;
    await p.save();
    assert.equal(last().cql, 'INSERT INTO "ks"."posts" ("blog", "at", "title") VALUES (?, ?, ?)');
  });
});

// ---- UPDATE (blind, from a QuerySet) ----

describe('change tracking of a model whose values are all immutable', () => {
  it('writes only the changed column, once, and the row read is left as read', async () => {
    const row = { a: 'x', b: 1, c: 2, d: 3, v: 'old' };
    const c = Composite.fromRow(row, codec);
    assert.deepEqual(c.changedColumns(), []);
    c.v = 'new';
    assert.deepEqual(c.changedColumns(), ['v']);
    const before = sent.length;
    await c.save();
    assert.equal(last().cql, 'UPDATE "ks"."composite" SET "v" = ? WHERE "a" = ? AND "b" = ? AND "c" = ? AND "d" = ?');
    assert.deepEqual(c.changedColumns(), []);
    await c.save();
    assert.equal(sent.length, before + 1, 'an unchanged instance sends nothing');
    c.v = 'newer';
    c.v = 'new';
    assert.deepEqual(c.changedColumns(), [], 'set back to the saved value');
    assert.equal(row.v, 'old');
  });
});

describe('blind UPDATE from a QuerySet', () => {
  it('binds plain values and collection operations', async () => {
    await Post.filter({ blog: 'b', at: 1 }).update({
      title: 'x',
      kind: null,
      tags__add: ['a'] as never,
      xs__append: [1],
      order: 4,
    });
    assert.equal(
      last().cql,
      'UPDATE "ks"."posts" SET "title" = ?, "kind" = ?, "tags" = "tags" + ?, "xs" = "xs" + ?, "order" = ? WHERE "blog" = ? AND "at" = ?',
    );
    assert.deepEqual(last().params, ['x', null, new Set(['a']), [1], 4, 'b', 1]);
    assert.equal(last().options['isIdempotent'], false);
  });

  it('set__remove, list__prepend, list__remove and map__update', async () => {
    await Post.filter({ blog: 'b', at__in: [1, 2] }).update({ tags__remove: ['a'] as never, m__update: { k: 1 } });
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "tags" = "tags" - ?, "m" = "m" + ? WHERE "blog" = ? AND "at" IN ?');
    assert.equal(last().options['isIdempotent'], true);
    await Post.filter({ blog: 'b', at: 1 }).update({ xs__prepend: [0] });
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "xs" = ? + "xs" WHERE "blog" = ? AND "at" = ?');
    assert.equal(last().options['isIdempotent'], false);
    await Post.filter({ blog: 'b', at: 1 }).update({ xs__remove: [0] });
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "xs" = "xs" - ? WHERE "blog" = ? AND "at" = ?');
    assert.equal(last().options['isIdempotent'], false);
  });

  it('map__remove deletes keys in the same UPDATE (m[?] = null, bound), so that the update applies whole', async () => {
    await Post.filter({ blog: 'b', at: 1 }).update({ m__remove: ['k1', 'k2'], title: 't' });
    assert.deepEqual(
      sent.map((s) => [s.cql, s.params]),
      [
        [
          'UPDATE "ks"."posts" SET "title" = ?, "m"[?] = ?, "m"[?] = ? WHERE "blog" = ? AND "at" = ?',
          ['t', 'k1', null, 'k2', null, 'b', 1],
        ],
      ],
    );
    assert.equal(sent[0]!.options['isIdempotent'], true);
  });

  it('an empty IN is written IN (), binding nothing, and leaves the shape with values as it was', async () => {
    await Post.filter({ blog: 'b', at__in: [] }).update({ title: 't' });
    assert.deepEqual([last().cql, last().params], ['UPDATE "ks"."posts" SET "title" = ? WHERE "blog" = ? AND "at" IN ()', ['t', 'b']]);
    await Post.filter({ blog: 'b', at__in: [1, 2] }).update({ title: 't' });
    assert.deepEqual(
      [last().cql, last().params],
      ['UPDATE "ks"."posts" SET "title" = ? WHERE "blog" = ? AND "at" IN ?', ['t', 'b', [1, 2]]],
    );
  });

  it('counter__incr / counter__decr', async () => {
    await Hits.filter({ page: '/' }).update({ views__incr: 2, clicks__decr: 3n });
    assert.equal(last().cql, 'UPDATE "ks"."hits" SET "views" = "views" + ?, "clicks" = "clicks" + ? WHERE "page" = ?');
    assert.deepEqual(last().params, [2n, -3n, '/']);
    assert.equal(last().options['isIdempotent'], false);
  });

  it('ttl, timestamp, iff and ifExists of the QuerySet', async () => {
    await Post.filter({ blog: 'b', at: 1 }).ttl(10).timestamp(new Date(2)).iff({ title: 'old' }).update({ title: 'new' });
    assert.equal(
      last().cql,
      'UPDATE "ks"."posts" USING TTL ? AND TIMESTAMP ? SET "title" = ? WHERE "blog" = ? AND "at" = ? IF "title" = ?',
    );
    assert.deepEqual(last().params, [10, 2000n, 'new', 'b', 1, 'old']);
    assert.equal(last().options['isIdempotent'], false);
    await Post.filter({ blog: 'b', at: 1 }).ifExists().update({ title: 'new' });
    assert.equal(last().cql, 'UPDATE "ks"."posts" SET "title" = ? WHERE "blog" = ? AND "at" = ? IF EXISTS');
  });

  it('an update with nothing to do sends nothing', async () => {
    await Post.filter({ blog: 'b', at: 1 }).update({ tags__add: [] as never, title: undefined });
    assert.equal(sent.length, 0);
  });
});

// ---- DELETE ----

describe('DELETE', () => {
  it('an instance deletes its row by its full key', async () => {
    await persisted({ blog: 'b', at: 1 }).delete();
    assert.deepEqual([last().cql, last().params], ['DELETE FROM "ks"."posts" WHERE "blog" = ? AND "at" = ?', ['b', 1]]);
    assert.equal(last().options['isIdempotent'], true);
    await persisted({ blog: 'b', at: 1 }).delete({ timestamp: 5n, ifExists: true });
    assert.deepEqual(
      [last().cql, last().params],
      ['DELETE FROM "ks"."posts" USING TIMESTAMP ? WHERE "blog" = ? AND "at" = ? IF EXISTS', [5n, 'b', 1]],
    );
    assert.equal(last().options['isIdempotent'], false);
    await persisted({ blog: 'b', at: 1 }).delete({ iff: { title: 'x' } });
    assert.equal(last().cql, 'DELETE FROM "ks"."posts" WHERE "blog" = ? AND "at" = ? IF "title" = ?');
  });

  it('a QuerySet deletes rows or columns of rows', async () => {
    await Post.filter({ blog: 'b' }).delete();
    assert.equal(last().cql, 'DELETE FROM "ks"."posts" WHERE "blog" = ?');
    await Post.filter({ blog: 'b', at__in: [1, 2] }).delete('title', 'userName');
    assert.deepEqual(
      [last().cql, last().params],
      ['DELETE "title", "user_name" FROM "ks"."posts" WHERE "blog" = ? AND "at" IN ?', ['b', [1, 2]]],
    );
    await Post.filter({ blog: 'b' }).timestamp(1n).delete();
    assert.equal(last().cql, 'DELETE FROM "ks"."posts" USING TIMESTAMP ? WHERE "blog" = ?');
  });

  it('needs equality or IN on key columns', async () => {
    await assert.rejects(Post.objects().delete(), ValidationError);
    await assert.rejects(Composite.filter({ a: 'x' }).delete(), ValidationError);
    await assert.rejects(Post.filter({ title: 'x' }).allowFiltering().delete(), ConfigurationError);
    await assert.rejects(Post.filter({ pk__token__gt: token('a') }).delete(), ConfigurationError);
    await assert.rejects(Post.filter({ blog: 'b' }).delete('nope' as never), ConfigurationError);
    assert.equal(sent.length, 0);
  });

  it('an instance without its key cannot be deleted', async () => {
    await assert.rejects(new Post({ blog: 'b' } as never).delete(), ValidationError);
  });
});

// ---- batches ----

describe('batches', () => {
  it('collects statements and sends them as one logged batch, values bound', async () => {
    const b = new BatchQuery();
    await Post.create({ blog: 'b', at: 1, title: 't' }, { batch: b });
    await Post.filter({ blog: 'b', at: 2 }).batch(b).update({ title: 'u' });
    await Post.filter({ blog: 'b', at: 3 }).batch(b).delete();
    assert.equal(sent.length, 0);
    assert.equal(b.size, 3);
    await b.execute();
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0]!.queries, [
      { query: 'INSERT INTO "ks"."posts" ("blog", "at", "title") VALUES (?, ?, ?)', params: ['b', 1, 't'] },
      { query: 'UPDATE "ks"."posts" SET "title" = ? WHERE "blog" = ? AND "at" = ?', params: ['u', 'b', 2] },
      { query: 'DELETE FROM "ks"."posts" WHERE "blog" = ? AND "at" = ?', params: ['b', 3] },
    ]);
    assert.equal(batches[0]!.options['logged'], true);
    assert.equal(batches[0]!.options['counter'], false);
    assert.equal(batches[0]!.options['prepare'], true);
    // A second execute() warns and sends nothing, as cqlengine (see batch-callbacks.test.ts).
    assert.equal(await b.execute(), undefined);
    assert.equal(batches.length, 1);
  });

  it('unlogged and counter batches, with timestamp and consistency', async () => {
    await batch(
      async (b) => {
        await Hits.filter({ page: '/' }).batch(b).update({ views__incr: 1 });
      },
      { type: 'counter', timestamp: 10n, consistency: 'QUORUM', timeout: 500 },
    );
    const options = batches[0]!.options;
    assert.equal(options['counter'], true);
    assert.equal(options['logged'], true);
    assert.equal(String(options['timestamp']), '10');
    assert.ok(options['timestamp'] instanceof types.Long);
    assert.equal(options['consistency'], types.consistencies.quorum);
    assert.equal(options['readTimeout'], 500);
    await batch(
      async (b) => {
        await Post.create({ blog: 'b', at: 1 }, { batch: b });
      },
      { type: 'unlogged' },
    );
    assert.equal(batches[1]!.options['logged'], false);
  });

  it('an empty batch sends nothing; a failing block drops its batch', async () => {
    await batch(async () => {});
    await assert.rejects(
      batch(async (b) => {
        await Post.create({ blog: 'b', at: 1 }, { batch: b });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(batches.length, 0);
  });

  it('rejects bad batch options', () => {
    assert.throws(() => new BatchQuery({ type: 'fast' as never }), ConfigurationError);
    assert.throws(() => new BatchQuery({ timeout: -1 }), ConfigurationError);
    assert.throws(() => new BatchQuery({ connection: '' }), ConfigurationError);
    assert.throws(() => new BatchQuery({ consistency: 'SOMETIMES' as never }), ConfigurationError);
  });

  it('a lightweight transaction in a batch reports through LWTError', async () => {
    const b = new BatchQuery();
    await Post.create({ blog: 'b', at: 1 }, { batch: b, ifNotExists: true });
    nextRows = [new FakeRow({ '[applied]': false, blog: 'b', at: 1, user_name: 'z' })];
    await assert.rejects(
      b.execute(),
      (err: unknown) => err instanceof LWTError && (err.existing as Record<string, unknown>)['userName'] === 'z',
    );
  });
});

// ---- the idempotence flag, from the compile functions ----

describe('idempotence of compiled statements', () => {
  const table: TableRef = { keyspace: 'ks', table: 'posts' };
  const col = (name: string) => Post.schema.byName.get(name)!;
  const keys = [
    { column: col('blog'), op: '=' as const, value: 'b' },
    { column: col('at'), op: '=' as const, value: 1 },
  ];
  const update = (
    assignments: Assignment[],
    extra: { ifExists?: boolean; conditions?: { column: ReturnType<typeof col>; value: unknown }[] } = {},
  ) =>
    compileUpdate({
      kind: 'update',
      table,
      assignments,
      wheres: keys,
      conditions: extra.conditions ?? [],
      ifExists: extra.ifExists ?? false,
    });
  const assign = (name: string, op: AssignmentOp, value: unknown = 1): Assignment => ({ column: col(name), op, value });

  it('SELECT, plain INSERT, DELETE and assignments are idempotent', () => {
    assert.equal(
      compileSelect({
        kind: 'select',
        table,
        fields: Post.schema.columns,
        distinct: false,
        wheres: keys,
        orderBy: [],
        limit: 1,
        allowFiltering: false,
      }).template.idempotent,
      true,
    );
    const insert = compileInsert({ kind: 'insert', table, columns: [col('blog')], values: ['b'], ifNotExists: false, ttl: 3 });
    assert.deepEqual([insert.template.idempotent, insert.template.conditional], [true, false]);
    const del = compileDelete({
      kind: 'delete',
      table,
      columns: [],
      mapKeys: [{ column: col('m'), value: 'k' }],
      wheres: keys,
      conditions: [],
      ifExists: false,
    });
    assert.deepEqual([del.template.idempotent, del.template.conditional], [true, false]);
    assert.equal(
      update([assign('title', 'set'), assign('xs', 'set'), assign('tags', 'add'), assign('tags', 'remove'), assign('m', 'add')]).template
        .idempotent,
      true,
    );
  });

  it('list appends, prepends and removals, counters and conditions are not', () => {
    assert.equal(update([assign('title', 'set'), assign('xs', 'add')]).template.idempotent, false);
    assert.equal(update([assign('xs', 'prepend')]).template.idempotent, false);
    assert.equal(update([assign('xs', 'remove')]).template.idempotent, false);
    const views = Hits.schema.byName.get('views')!;
    const counter = compileUpdate({
      kind: 'update',
      table: { keyspace: 'ks', table: 'hits' },
      assignments: [{ column: views, op: 'add', value: 1n }],
      wheres: [{ column: Hits.schema.byName.get('page')!, op: '=', value: '/' }],
      conditions: [],
      ifExists: false,
    });
    assert.equal(counter.template.idempotent, false);
    const ifExists = update([assign('title', 'set')], { ifExists: true });
    assert.deepEqual([ifExists.template.idempotent, ifExists.template.conditional], [false, true]);
    const iff = update([assign('title', 'set')], { conditions: [{ column: col('title'), value: 'x' }] });
    assert.deepEqual([iff.template.idempotent, iff.template.conditional], [false, true]);
    const insert = compileInsert({ kind: 'insert', table, columns: [col('blog')], values: ['b'], ifNotExists: true });
    assert.deepEqual([insert.template.idempotent, insert.template.conditional], [false, true]);
    const del = compileDelete({ kind: 'delete', table, columns: [], mapKeys: [], wheres: keys, conditions: [], ifExists: true });
    assert.deepEqual([del.template.idempotent, del.template.conditional], [false, true]);
  });

  it('page() keeps its SELECT for the QuerySet, and compiles it again when the default keyspace moves', async () => {
    const Note = model('notes', { id: columns.int().partitionKey(), body: columns.text() }, { connection: 'unit', registry });
    const query = Note.filter({ id: 1 }).fetchSize(5);
    try {
      registry.defaultKeyspace = 'first';
      await query.page();
      await query.page('aa');
      const [a, b] = sent.slice(-2);
      assert.match(a!.cql, /FROM "first"\."notes"/);
      assert.equal(b!.cql, a!.cql);
      assert.deepEqual([a!.options['pageState'], b!.options['pageState']], [undefined, 'aa']);
      registry.defaultKeyspace = 'second';
      await query.page();
      assert.match(last().cql, /FROM "second"\."notes"/);
    } finally {
      registry.defaultKeyspace = undefined;
    }
  });

  it('the funnel hands the flag to the driver, with prepare and the per-call options', async () => {
    await Post.filter({ blog: 'b' }).consistency('ONE').timeout(50).fetchSize(10).page('abc');
    assert.deepEqual(last().options, {
      prepare: true,
      isIdempotent: true,
      consistency: 1,
      readTimeout: 50,
      fetchSize: 10,
      pageState: 'abc',
    });
    const paged = last().options;
    await Post.filter({ blog: 'b', at: 1 }).update({ xs__append: [1] });
    // The options not given are there as undefined (which the driver reads as not given): every
    // statement of the mapper's hands the driver an object of one shape.
    assert.deepEqual(last().options, {
      prepare: true,
      isIdempotent: false,
      consistency: undefined,
      readTimeout: undefined,
      fetchSize: undefined,
      pageState: undefined,
    });
    assert.deepEqual(Object.keys(last().options), Object.keys(paged));
  });
});
