/**
 * minTimeuuid()/maxTimeuuid() as filter values (cqlengine's MinTimeUUID/MaxTimeUUID) and token()
 * equality on single and composite partition keys, against the node; the CQL they render.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { ConfigurationError, ValidationError, columns, maxTimeuuid, minTimeuuid, model, token } from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const Event = model('fn_events', {
  day: columns.text().partitionKey(),
  at: columns.timeuuid().primaryKey(),
  label: columns.text(),
  other: columns.uuid(),
});
const Shard = model('fn_shards', {
  region: columns.text().partitionKey(),
  bucket: columns.int().partitionKey(),
  seq: columns.int().primaryKey(),
});

const db = useTestKeyspace([Event, Shard], async () => {
  // One event a minute, 10:00 … 10:09 after base.
  for (let i = 0; i < 10; i++) {
    await Event.create({ day: 'd1', at: types.TimeUuid.fromDate(new Date(base + i * 60_000)), label: `e${i}` });
  }
  for (const region of ['eu', 'us']) for (let bucket = 0; bucket < 3; bucket++) await Shard.create({ region, bucket, seq: 1 });
});
const base = Date.UTC(2026, 0, 1, 12, 0, 0);

const labels = async (q: { all(): Promise<{ label: string | null }[]> }) => (await q.all()).map((e) => e.label);

describe('minTimeuuid and maxTimeuuid', () => {
  it('render the function with the date bound', () => {
    const at = new Date(base);
    const q = Event.filter({ day: 'd1', at__gte: minTimeuuid(at), at__lt: maxTimeuuid(base + 60_000) });
    const { cql, params } = q.toCQL();
    assert.equal(cql, `SELECT * FROM "${db.name}"."fn_events" WHERE "day" = ? AND "at" >= minTimeuuid(?) AND "at" < maxTimeuuid(?)`);
    assert.deepEqual(params, ['d1', at, new Date(base + 60_000)]);
  });

  it('select the rows of a time range, bounds included or not as the operator says', async () => {
    const from = new Date(base + 2 * 60_000);
    const to = new Date(base + 5 * 60_000);
    assert.deepEqual(await labels(Event.filter({ day: 'd1', at__gte: minTimeuuid(from), at__lte: maxTimeuuid(to) })), [
      'e2',
      'e3',
      'e4',
      'e5',
    ]);
    assert.deepEqual(await labels(Event.filter({ day: 'd1', at__gt: maxTimeuuid(from), at__lt: minTimeuuid(to) })), ['e3', 'e4']);
    assert.deepEqual(await labels(Event.filter({ day: 'd1', at__gt: maxTimeuuid('2026-01-01T12:08:00Z') })), ['e9']);
    assert.equal(await Event.filter({ day: 'd1', at__lt: minTimeuuid(base) }).count(), 0);
  });

  it('refuse other column types, IN, and bad dates, naming the key, before the wire', () => {
    assert.throws(
      () => Event.filter({ day: 'd1', other: minTimeuuid(base) as never }),
      instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, 'other')),
    );
    assert.throws(() => Event.filter({ day: 'd1', at__in: [minTimeuuid(base)] as never }), instanceOf(ValidationError));
    assert.throws(
      () => Event.filter({ day: 'd1', at__gt: minTimeuuid('not a date') }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'at__gt')),
    );
    assert.throws(() => Event.filter({ day: 'd1', at__gt: { $function: 'now', date: 1 } as never }), instanceOf(ConfigurationError));
    // @ts-expect-error: minTimeuuid() compares with timeuuid columns only
    assert.throws(() => Event.filter({ label: minTimeuuid(base) }));
  });
});

describe('token equality', () => {
  it('pk__token: token(x) selects the partition of x', async () => {
    const q = Event.filter({ pk__token: token('d1') });
    assert.equal(q.toCQL().cql, `SELECT * FROM "${db.name}"."fn_events" WHERE token("day") = token(?)`);
    assert.equal(await q.count(), 10);
    assert.equal(await Event.filter({ pk__token: token('nope') }).count(), 0);
  });

  it('on a composite partition key: token(a, b)', async () => {
    const q = Shard.filter({ pk__token: token('eu', 2) });
    assert.equal(q.toCQL().cql, `SELECT * FROM "${db.name}"."fn_shards" WHERE token("region", "bucket") = token(?, ?)`);
    const rows = await q.all();
    assert.deepEqual(
      rows.map((r) => [r.region, r.bucket]),
      [['eu', 2]],
    );
    // Walk every partition by token, as cqlengine's paging recipe does.
    const first = (await Shard.objects().limit(1).all())[0]!;
    const rest = await Shard.filter({ pk__token__gt: token(first.region, first.bucket) }).all();
    assert.equal(rest.length, 5);
  });

  it('wants one value per partition key column, each fitting its column', () => {
    assert.throws(
      () => Shard.filter({ pk__token: token('eu') }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'pk__token')),
    );
    assert.throws(
      () => Shard.filter({ pk__token: token('eu', 'x') }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'bucket')),
    );
    assert.throws(() => Shard.filter({ region__token: token('eu', 1) } as never), instanceOf(ConfigurationError));
  });
});
