/**
 * QuerySet against the real node: immutability, filters, reads with paging, ordering, projections,
 * blind updates and deletes, CQL inspection, and bad filters rejected before reaching the wire.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from 'cassandra-driver';
import {
  CQLEngineError,
  ConfigurationError,
  DoesNotExist,
  MultipleObjectsReturned,
  QuerySet,
  columns,
  connection,
  model,
  token,
  ValidationError,
} from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { FAST_FAIL, instanceOf } from '../helpers/util.js';

/** A partition per `part`, rows clustered by `seq`. */
const Item = model('qs_items', {
  part: columns.text().partitionKey(),
  seq: columns.int().primaryKey(),
  label: columns.text(),
  kind: columns.text().index(),
  score: columns.int(),
});

/** Same shape, clustered in descending order. */
const Desc = model('qs_desc', {
  part: columns.text().partitionKey(),
  seq: columns.int().primaryKey().clusteringOrder('desc'),
  label: columns.text(),
});

/** One row per partition, for paging, IN, token walks and DISTINCT. */
const Many = model('qs_many', {
  id: columns.int().partitionKey(),
  n: columns.int(),
});

/** Indexed collections for CONTAINS and CONTAINS KEY. */
const Tagged = model('qs_tagged', {
  id: columns.int().partitionKey(),
  tags: columns.set(columns.text()).index(),
  items: columns.list(columns.text()).index(),
  props: columns.map(columns.text(), columns.text()).index('keys'),
  attrs: columns.map(columns.text(), columns.text()).index(),
});

/** Blind updates on every kind of column. */
const Doc = model('qs_docs', {
  id: columns.int().partitionKey(),
  name: columns.text(),
  count: columns.int(),
  tags: columns.set(columns.text()),
  items: columns.list(columns.text()),
  props: columns.map(columns.text(), columns.int()),
});

const Hits = model('qs_hits', {
  page: columns.text().partitionKey(),
  hits: columns.counter(),
});

const MANY = 1050;

const db = useTestKeyspace([Item, Desc, Many, Tagged, Doc, Hits], async () => {
  for (const part of ['a', 'b', 'c']) {
    for (let seq = 0; seq < 10; seq++) {
      await Item.create({ part, seq, label: `${part}${seq}`, kind: seq % 2 === 0 ? 'even' : 'odd', score: seq * 10 });
      await Desc.create({ part, seq, label: `${part}${seq}` });
    }
  }
  await inParallel(
    Array.from({ length: MANY }, (_, i) => i),
    32,
    (id) => Many.create({ id, n: id * 2 }),
  );
  await Tagged.create({ id: 1, tags: ['red', 'blue'], items: ['x', 'y'], props: { colour: 'red', size: 'L' }, attrs: { k: 'v1' } });
  await Tagged.create({ id: 2, tags: ['blue'], items: ['y', 'z'], props: { size: 'S' }, attrs: { k: 'v2', j: 'v1' } });
  await Tagged.create({ id: 3, tags: ['green'], items: [], props: { colour: 'green' } });
});

const invalidRequest = instanceOf(errors.ResponseError, (e: errors.ResponseError) => assert.equal(e.code, 0x2200));

/** Runs `work` over `items`, at most `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('QuerySet immutability', () => {
  it('every step returns a new QuerySet and leaves the original unchanged', () => {
    const base = Item.objects();
    const before = base.toString();
    const steps: [string, (q: QuerySet<typeof Item>) => QuerySet<typeof Item>][] = [
      ['filter', (q) => q.filter({ part: 'a' })],
      ['using', (q) => q.using({ keyspace: 'elsewhere' })],
      ['limit', (q) => q.limit(3)],
      ['orderBy', (q) => q.orderBy('-seq')],
      ['allowFiltering', (q) => q.allowFiltering()],
      ['only', (q) => q.only('label')],
      ['defer', (q) => q.defer('label')],
      ['distinct', (q) => q.distinct()],
      ['fetchSize', (q) => q.fetchSize(10)],
      ['consistency', (q) => q.consistency('ONE')],
      ['timeout', (q) => q.timeout(1000)],
      ['ttl', (q) => q.ttl(60)],
      ['timestamp', (q) => q.timestamp(new Date())],
      ['ifExists', (q) => q.ifExists()],
      ['iff', (q) => q.iff({ label: 'x' })],
    ];
    for (const [name, step] of steps) {
      const next = step(base);
      assert.ok(next instanceof QuerySet, name);
      assert.notEqual(next, base, `${name} returns a new QuerySet`);
      assert.equal(base.toString(), before, `${name} leaves the original unchanged`);
    }
  });

  it('a derived QuerySet does not change its parent, and siblings are independent', async () => {
    const a = Item.filter({ part: 'a' });
    const upper = a.filter({ seq__gte: 5 });
    const lower = a.filter({ seq__lt: 5 });
    const limited = a.limit(2);
    assert.equal((await a.all()).length, 10);
    assert.deepEqual(
      (await upper.all()).map((i) => i.seq),
      [5, 6, 7, 8, 9],
    );
    assert.deepEqual(
      (await lower.all()).map((i) => i.seq),
      [0, 1, 2, 3, 4],
    );
    assert.equal((await limited.all()).length, 2);
    assert.equal(await a.count(), 10);
    assert.equal(a.toString(), `SELECT * FROM "${db.name}"."qs_items" WHERE "part" = ?`);
  });
});

describe('filters', () => {
  it('equality and IN', async () => {
    const row = await Item.filter({ part: 'b', seq: 3 }).first();
    assert.equal(row?.label, 'b3');
    const many = await Many.filter({ id__in: [3, 5, 7, 100000] }).all();
    assert.deepEqual(
      many.map((m) => m.id).sort((x, y) => x - y),
      [3, 5, 7],
    );
    const seqs = await Item.filter({ part: 'c', seq__in: [1, 4, 9] }).all();
    assert.deepEqual(
      seqs.map((i) => i.seq),
      [1, 4, 9],
    );
  });

  it('gt, gte, lt, lte on a clustering column', async () => {
    const seqs = async (f: Parameters<typeof Item.filter>[0]) => (await Item.filter({ part: 'a', ...f }).all()).map((i) => i.seq);
    assert.deepEqual(await seqs({ seq__gt: 7 }), [8, 9]);
    assert.deepEqual(await seqs({ seq__gte: 7 }), [7, 8, 9]);
    assert.deepEqual(await seqs({ seq__lt: 2 }), [0, 1]);
    assert.deepEqual(await seqs({ seq__lte: 2 }), [0, 1, 2]);
    assert.deepEqual(await seqs({ seq__gt: 2, seq__lte: 4 }), [3, 4]);
    // Chained filters add up.
    assert.deepEqual(
      (await Item.filter({ part: 'a' }).filter({ seq__gte: 3 }).filter({ seq__lt: 5 }).all()).map((i) => i.seq),
      [3, 4],
    );
  });

  it('equality on an indexed column', async () => {
    const odd = await Item.filter({ kind: 'odd' }).all();
    assert.equal(odd.length, 15);
    assert.ok(odd.every((i) => i.seq % 2 === 1));
  });

  it('contains on an indexed set, list and map (its values)', async () => {
    const blue = await Tagged.filter({ tags__contains: 'blue' }).all();
    assert.deepEqual(blue.map((t) => t.id).sort(), [1, 2]);
    const green = await Tagged.filter({ tags__contains: 'green' }).all();
    assert.deepEqual(
      green.map((t) => t.id),
      [3],
    );
    const y = await Tagged.filter({ items__contains: 'y' }).all();
    assert.deepEqual(y.map((t) => t.id).sort(), [1, 2]);
    assert.deepEqual(await Tagged.filter({ tags__contains: 'none' }).all(), []);
    const v1 = await Tagged.filter({ attrs__contains: 'v1' }).all();
    assert.deepEqual(v1.map((t) => t.id).sort(), [1, 2]);
  });

  it('contains_key on a map with a keys index', async () => {
    const withColour = await Tagged.filter({ props__contains_key: 'colour' }).all();
    assert.deepEqual(withColour.map((t) => t.id).sort(), [1, 3]);
    const withSize = await Tagged.filter({ props__contains_key: 'size' }).all();
    assert.deepEqual(withSize.map((t) => t.id).sort(), [1, 2]);
    assert.equal(withSize.find((t) => t.id === 2)?.props.get('size'), 'S');
    // A values index does not serve CONTAINS KEY (nor a keys index CONTAINS): refused before the wire.
    const refused = (column: string) => instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, column));
    assert.throws(() => Tagged.filter({ attrs__contains_key: 'k' }).toString(), refused('attrs'));
    assert.throws(() => Tagged.filter({ props__contains: 'S' }).toString(), refused('props'));
  });

  it('refuses a filter on an unindexed column unless allowFiltering, which the server then accepts', async () => {
    // score has no index: Cassandra refuses the restriction without ALLOW FILTERING.
    const q = Item.filter({ kind: 'even', score__gte: 60 });
    await assert.rejects(q.all(), invalidRequest);
    const rows = await q.allowFiltering().all();
    assert.deepEqual(rows.map((r) => `${r.part}${r.seq}`).sort(), ['a6', 'a8', 'b6', 'b8', 'c6', 'c8']);
    assert.match(q.allowFiltering().toString(), / ALLOW FILTERING$/);
    // A clustering-column range without the partition key: refused (by cqlengine's own check, or else
    // by the server) without allowFiltering; a scan of every partition with it.
    const range = Item.filter({ seq__gte: 8 });
    await assert.rejects(range.all(), (err: unknown) => {
      assert.ok(err instanceof ConfigurationError || (err instanceof errors.ResponseError && err.code === 0x2200), String(err));
      return true;
    });
    const scanned = await range.allowFiltering().all();
    assert.deepEqual(scanned.map((r) => `${r.part}${r.seq}`).sort(), ['a8', 'a9', 'b8', 'b9', 'c8', 'c9']);
  });

  it('rejects unknown columns and operators with a CQLEngineError before anything reaches the wire', async () => {
    // A model on a lazy connection to an unreachable host: had anything been sent, it would try to connect.
    await connection.registerConnection('qs-dead', { hosts: ['127.0.0.1:1'], lazyConnect: true, clusterOptions: FAST_FAIL });
    try {
      const dead = Item.using({ connection: 'qs-dead' });
      const isConfig = (key: string) =>
        instanceOf(ConfigurationError, (e: ConfigurationError) => {
          assert.ok(e instanceof CQLEngineError);
          assert.equal(e.option, key);
        });
      assert.throws(() => dead.filter({ nope: 1 } as never), isConfig('nope'));
      assert.throws(() => dead.filter({ nope__gt: 1 } as never), isConfig('nope__gt'));
      assert.throws(() => dead.filter({ score__like: 1 } as never), isConfig('score__like'));
      assert.throws(() => dead.filter({ score__contains: 1 } as never), isConfig('score__contains'));
      assert.throws(() => Tagged.filter({ tags__contains_key: 'x' } as never), isConfig('tags__contains_key'));
      assert.throws(() => dead.orderBy('nope'), isConfig('orderBy'));
      assert.throws(() => dead.orderBy('label'), isConfig('orderBy'));
      assert.throws(() => dead.only('nope' as never), isConfig('only'));
      assert.throws(() => dead.defer('nope' as never), isConfig('defer'));
      await assert.rejects(Item.get({ nope: 1 } as never), isConfig('nope'));
      await assert.rejects(dead.filter({ part: 'a', seq: 1 }).update({ nope: 1 } as never), isConfig('nope'));
      await assert.rejects(dead.filter({ part: 'a', seq: 1 }).delete('nope' as never), isConfig('delete'));
      // Wrong value types are ValidationErrors, also CQLEngineErrors.
      assert.throws(() => dead.filter({ seq: 'one' } as never), instanceOf(CQLEngineError));
      assert.equal(connection.listConnections().find((c) => c.name === 'qs-dead')?.state, 'lazy');
    } finally {
      await connection.unregisterConnection('qs-dead');
    }
  });
});

describe('reading', () => {
  it('get: the one row, DoesNotExist, MultipleObjectsReturned', async () => {
    const one = await Item.get({ part: 'a', seq: 4 });
    assert.equal(one.label, 'a4');
    assert.ok(one instanceof Item);
    assert.equal((await Item.filter({ part: 'a' }).get({ seq: 5 })).label, 'a5');
    await assert.rejects(Item.get({ part: 'a', seq: 99 }), (e: unknown) => {
      assert.ok(e instanceof Item.DoesNotExist);
      assert.ok(e instanceof DoesNotExist);
      assert.ok(e instanceof CQLEngineError);
      assert.ok(!(e instanceof Doc.DoesNotExist), "another model's DoesNotExist does not match");
      return true;
    });
    await assert.rejects(Item.get({ part: 'a' }), (e: unknown) => {
      assert.ok(e instanceof Item.MultipleObjectsReturned);
      assert.ok(e instanceof MultipleObjectsReturned);
      return true;
    });
    await assert.rejects(Item.filter({ part: 'zzz' }).get(), instanceOf(DoesNotExist));
  });

  it('first, count, all', async () => {
    assert.equal((await Item.filter({ part: 'b' }).first())?.seq, 0);
    assert.equal(await Item.filter({ part: 'nothing' }).first(), undefined);
    assert.equal(await Item.filter({ part: 'b' }).count(), 10);
    assert.equal(await Item.filter({ part: 'b', seq__gte: 8 }).count(), 2);
    assert.equal(await Item.count(), 30);
    assert.equal(await Item.filter({ part: 'nothing' }).count(), 0);
    const all = await Item.filter({ part: 'b' }).all();
    assert.deepEqual(
      all.map((i) => i.label),
      Array.from({ length: 10 }, (_, i) => `b${i}`),
    );
    assert.ok(all.every((i) => i instanceof Item && i.isPersisted));
    assert.equal((await Item.all()).length, 30);
  });

  it('for await pages transparently: every row once', async () => {
    const seen = new Set<number>();
    let visits = 0;
    for await (const m of Many.objects().fetchSize(100)) {
      visits++;
      seen.add(m.id);
      assert.equal(m.n, m.id * 2);
    }
    assert.equal(visits, MANY);
    assert.equal(seen.size, MANY);
    assert.equal((await Many.objects().fetchSize(77).all()).length, MANY);
    assert.equal(await Many.count(), MANY);
  });

  it('for await reads the next page while a page is handed out, and a break reads no further', async () => {
    const pages: (string | undefined)[] = [];
    const stop = connection.onStatement((e) => pages.push(e.cql));
    try {
      let taken = 0;
      let pagesWhenFirstPageDone = 0;
      for await (const _m of Many.objects().fetchSize(100)) {
        taken++;
        // A consumer slower than the node: the second page arrives while the first is handed out.
        if (taken === 1) await new Promise((resolve) => setTimeout(resolve, 200));
        if (taken === 100) pagesWhenFirstPageDone = pages.length;
        if (taken === 150) break;
      }
      assert.equal(pagesWhenFirstPageDone, 2, "the second page was read before the first page's last row was taken");
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(pages.length, 3, 'one page read ahead of the break, and none after');
    } finally {
      stop();
    }
  });

  it('page() fetches one page at a time and continues from its pageState', async () => {
    const q = Many.objects().fetchSize(100);
    const seen = new Set<number>();
    let pages = 0;
    let state: string | undefined;
    do {
      const page = await q.page(state);
      pages++;
      if (page.pageState !== undefined) assert.equal(page.rows.length, 100);
      for (const row of page.rows) seen.add(row.id);
      state = page.pageState;
    } while (state);
    assert.equal(seen.size, MANY);
    assert.ok(pages >= 11, `${pages} pages`);
  });

  it('walks the whole table by token ranges', async () => {
    const seen = new Set<number>();
    let batch = await Many.objects().limit(100).all();
    let rounds = 0;
    while (batch.length > 0) {
      rounds++;
      for (const m of batch) {
        assert.ok(!seen.has(m.id), `${m.id} seen twice`);
        seen.add(m.id);
      }
      const last = batch[batch.length - 1]!;
      batch = await Many.filter({ pk__token__gt: token(last.id) })
        .limit(100)
        .all();
    }
    assert.equal(seen.size, MANY);
    assert.equal(rounds, Math.ceil(MANY / 100));
    assert.match(Many.filter({ pk__token__gt: token(1) }).toString(), /WHERE token\("id"\) > token\(\?\)$/);
    // Bounds on both sides: a token window holds no more than the whole.
    const first = (await Many.objects().limit(1).all())[0]!;
    const window = await Many.filter({ pk__token__gte: token(first.id), pk__token__lte: token(first.id) }).all();
    assert.deepEqual(
      window.map((m) => m.id),
      [first.id],
    );
  });

  it('limit', async () => {
    assert.equal((await Item.filter({ part: 'a' }).limit(3).all()).length, 3);
    assert.equal((await Many.objects().limit(250).fetchSize(100).all()).length, 250);
    assert.equal(await Item.filter({ part: 'a' }).limit(4).count(), 4);
    // 0 and null remove a limit, as cqlengine's limit(0) and limit(None) do.
    assert.equal((await Item.filter({ part: 'a' }).limit(3).limit(0).all()).length, (await Item.filter({ part: 'a' }).all()).length);
    assert.equal((await Many.objects().limit(3).limit(null).fetchSize(100).all()).length, MANY);
    assert.throws(() => Item.objects().limit(-1), instanceOf(ConfigurationError));
    assert.throws(() => Item.objects().limit(1.5), instanceOf(ConfigurationError));
  });

  it('orderBy on clustering columns, ascending and descending, on either clustering order', async () => {
    const seqs = async (q: QuerySet<typeof Item> | QuerySet<typeof Desc>) => (await q.all()).map((i) => i.seq);
    assert.deepEqual(await seqs(Item.filter({ part: 'a' }).orderBy('seq')), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(await seqs(Item.filter({ part: 'a' }).orderBy('-seq')), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(await seqs(Item.filter({ part: 'a' }).orderBy('-seq').limit(3)), [9, 8, 7]);
    assert.deepEqual(await seqs(Desc.filter({ part: 'a' })), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(await seqs(Desc.filter({ part: 'a' }).orderBy('seq')), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal((await Item.filter({ part: 'a' }).orderBy('-seq').first())?.seq, 9);
    assert.equal(
      Item.filter({ part: 'a' }).orderBy('-seq').toString(),
      `SELECT * FROM "${db.name}"."qs_items" WHERE "part" = ? ORDER BY "seq" DESC`,
    );
  });

  it('only and defer read a subset of the columns', async () => {
    const only = await Item.filter({ part: 'a', seq: 3 }).only('label').first();
    assert.equal(only?.label, 'a3');
    assert.equal(only?.score, null);
    assert.equal(only?.kind, null);
    assert.equal(only?.part, 'a', 'keys are always read');
    assert.match(Item.objects().only('label').toString(), /^SELECT "part", "seq", "label" FROM/);

    const deferred = await Item.filter({ part: 'a', seq: 3 }).defer('label', 'kind').first();
    assert.equal(deferred?.label, null);
    assert.equal(deferred?.kind, null);
    assert.equal(deferred?.score, 30);
    assert.match(Item.objects().defer('label', 'kind').toString(), /^SELECT "part", "seq", "score" FROM/);
  });

  it('valuesList, and flat for one column', async () => {
    const pairs = await Item.filter({ part: 'c', seq__lt: 3 }).valuesList(['seq', 'label']);
    assert.deepEqual(pairs, [
      [0, 'c0'],
      [1, 'c1'],
      [2, 'c2'],
    ]);
    const flat = await Item.filter({ part: 'c', seq__lt: 3 }).valuesList(['label'], { flat: true });
    assert.deepEqual(flat, ['c0', 'c1', 'c2']);
    await assert.rejects(Item.objects().valuesList(['label', 'seq'], { flat: true }), instanceOf(ConfigurationError));
  });

  it('distinct reads the partition keys once each', async () => {
    const parts = await Item.objects().distinct().all();
    assert.deepEqual(parts.map((p) => p.part).sort(), ['a', 'b', 'c']);
    assert.match(Item.objects().distinct().toString(), /^SELECT DISTINCT "part" FROM/);
    const ids = await Many.objects().distinct().fetchSize(200).all();
    assert.equal(ids.length, MANY);
    const two = await Item.objects()
      .distinct()
      .filter({ part__in: ['a', 'c', 'zz'] })
      .all();
    assert.deepEqual(two.map((p) => p.part).sort(), ['a', 'c']);
    // No SELECT DISTINCT COUNT(*) in CQL: count() counts the distinct keys.
    assert.equal(await Item.objects().distinct().count(), 3);
    assert.equal(await Many.objects().distinct().fetchSize(200).count(), MANY);
    // DISTINCT of a non-key column: the server refuses it.
    await assert.rejects(Item.objects().distinct('label').all(), invalidRequest);
  });
});

describe('blind update and delete', () => {
  it('sets values, and null deletes one', async () => {
    await Doc.create({ id: 1, name: 'one', count: 1 });
    await Doc.filter({ id: 1 }).update({ name: 'uno', count: 11 });
    let doc = await Doc.get({ id: 1 });
    assert.equal(doc.name, 'uno');
    assert.equal(doc.count, 11);
    await Doc.filter({ id: 1 }).update({ name: null });
    doc = await Doc.get({ id: 1 });
    assert.equal(doc.name, null);
    assert.equal(doc.count, 11);
    // A blind update of a missing row creates it (an upsert), as CQL does.
    await Doc.filter({ id: 2 }).update({ name: 'two' });
    assert.equal((await Doc.get({ id: 2 })).name, 'two');
    // IN on the key updates every row.
    await Doc.filter({ id__in: [1, 2] }).update({ count: 7 });
    assert.deepEqual(
      (await Doc.filter({ id__in: [1, 2] }).all()).map((d) => d.count),
      [7, 7],
    );
  });

  it('set add and remove', async () => {
    await Doc.create({ id: 10, tags: ['a', 'b'] });
    await Doc.filter({ id: 10 }).update({ tags__add: ['c', 'd'] });
    assert.deepEqual([...(await Doc.get({ id: 10 })).tags].sort(), ['a', 'b', 'c', 'd']);
    await Doc.filter({ id: 10 }).update({ tags__remove: ['a', 'c', 'zzz'] });
    assert.deepEqual([...(await Doc.get({ id: 10 })).tags].sort(), ['b', 'd']);
    await Doc.filter({ id: 10 }).update({ tags: null });
    assert.equal((await Doc.get({ id: 10 })).tags.size, 0);
  });

  it('list append and prepend', async () => {
    await Doc.create({ id: 11, items: ['m'] });
    await Doc.filter({ id: 11 }).update({ items__append: ['n', 'o'] });
    assert.deepEqual((await Doc.get({ id: 11 })).items, ['m', 'n', 'o']);
    // One element at a time: Cassandra 2.1 reverses a multi-element prepend.
    await Doc.filter({ id: 11 }).update({ items__prepend: ['l'] });
    assert.deepEqual((await Doc.get({ id: 11 })).items, ['l', 'm', 'n', 'o']);
    // list__remove is documented and parsed, though the Update type does not offer it yet.
    await Doc.filter({ id: 11 }).update({ items__remove: ['m', 'o'] } as never);
    assert.deepEqual((await Doc.get({ id: 11 })).items, ['l', 'n']);
    await Doc.filter({ id: 11 }).update({ items: ['only'] });
    assert.deepEqual((await Doc.get({ id: 11 })).items, ['only']);
  });

  it('map update and remove', async () => {
    await Doc.create({ id: 12, props: { a: 1, b: 2 } });
    await Doc.filter({ id: 12 }).update({
      props__update: new Map([
        ['b', 20],
        ['c', 3],
      ]),
    });
    assert.deepEqual(Object.fromEntries((await Doc.get({ id: 12 })).props), { a: 1, b: 20, c: 3 });
    await Doc.filter({ id: 12 }).update({ props__remove: ['a', 'c'] });
    assert.deepEqual(Object.fromEntries((await Doc.get({ id: 12 })).props), { b: 20 });
    // A plain value and a key removal together.
    await Doc.filter({ id: 12 }).update({ name: 'both', props__remove: ['b'] });
    const doc = await Doc.get({ id: 12 });
    assert.equal(doc.name, 'both');
    assert.equal(doc.props.size, 0);
  });

  it('counter incr and decr', async () => {
    await Hits.filter({ page: '/' }).update({ hits__incr: 5 });
    await Hits.filter({ page: '/' }).update({ hits__incr: 3n });
    await Hits.filter({ page: '/' }).update({ hits__decr: 2 });
    assert.equal((await Hits.get({ page: '/' })).hits, 6n);
    await Hits.filter({ page__in: ['/', '/about'] }).update({ hits__decr: 1 });
    assert.equal((await Hits.get({ page: '/' })).hits, 5n);
    assert.equal((await Hits.get({ page: '/about' })).hits, -1n);
  });

  it('delete rows and columns', async () => {
    for (let seq = 0; seq < 5; seq++) await Item.create({ part: 'del', seq, label: `x${seq}`, score: seq });
    await Item.filter({ part: 'del', seq: 0 }).delete();
    assert.equal(await Item.filter({ part: 'del' }).count(), 4);
    await Item.filter({ part: 'del', seq: 1 }).delete('label');
    const one = await Item.get({ part: 'del', seq: 1 });
    assert.equal(one.label, null);
    assert.equal(one.score, 1);
    await Item.filter({ part: 'del', seq: 2 }).delete();
    assert.deepEqual(
      (await Item.filter({ part: 'del' }).all()).map((i) => i.seq),
      [1, 3, 4],
    );
    // The whole partition.
    await Item.filter({ part: 'del' }).delete();
    assert.equal(await Item.filter({ part: 'del' }).count(), 0);
    // IN on the partition key (Cassandra 2.1 refuses IN on a clustering column in DELETE).
    for (const id of [20, 21, 22]) await Doc.create({ id, name: 'gone soon' });
    await Doc.filter({ id__in: [20, 21] }).delete();
    assert.deepEqual(
      (await Doc.filter({ id__in: [20, 21, 22] }).all()).map((d) => d.id),
      [22],
    );
  });

  it('refuses writes without key filters or with non-key filters', async () => {
    // Filtering nothing and changing a key column are bad values (as on an instance); a non-key filter is a bad operator.
    await assert.rejects(Doc.objects().update({ name: 'all' }), instanceOf(ValidationError));
    await assert.rejects(Doc.objects().delete(), instanceOf(ValidationError));
    await assert.rejects(Item.filter({ kind: 'odd' }).delete(), instanceOf(ConfigurationError));
    await assert.rejects(Item.filter({ part: 'a', seq__gt: 3 }).update({ label: 'x' }), instanceOf(ConfigurationError));
    await assert.rejects(Doc.filter({ id: 1 }).update({ id: 2 } as never), instanceOf(ValidationError));
    await assert.rejects(Doc.filter({ id: 1 }).update({ name__add: 'x' } as never), instanceOf(ConfigurationError));
    assert.equal(await Item.filter({ kind: 'odd' }).count(), 15);
  });
});

describe('CQL inspection', () => {
  it('toString and toCQL show the statement and its bound values', () => {
    const q = Item.filter({ part: 'a', seq__gte: 2 }).orderBy('-seq').limit(5);
    assert.equal(String(q), `SELECT * FROM "${db.name}"."qs_items" WHERE "part" = ? AND "seq" >= ? ORDER BY "seq" DESC LIMIT ?`);
    assert.deepEqual(q.toCQL(), { cql: q.toString(), params: ['a', 2, 5] });
    assert.equal(Item.objects().toString(), `SELECT * FROM "${db.name}"."qs_items"`);
    assert.equal(Many.filter({ id__in: [1, 2] }).toString(), `SELECT * FROM "${db.name}"."qs_many" WHERE "id" IN ?`);
    assert.equal(Tagged.filter({ tags__contains: 'x' }).toString(), `SELECT * FROM "${db.name}"."qs_tagged" WHERE "tags" CONTAINS ?`);
    assert.equal(
      Tagged.filter({ props__contains_key: 'x' }).toString(),
      `SELECT * FROM "${db.name}"."qs_tagged" WHERE "props" CONTAINS KEY ?`,
    );
    assert.equal(Item.using({ keyspace: 'other_ks' }).toString(), `SELECT * FROM "other_ks"."qs_items"`);
    // Values never enter the text.
    assert.ok(!Item.filter({ part: "O'Brien" }).toString().includes('Brien'));
  });
});
