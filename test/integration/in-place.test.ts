/**
 * Collections and user type values changed in place (`tags.add(x)`, `list.push(x)`) are checked
 * when the instance is written, as an assignment would be: a bad element is a ValidationError
 * before anything is sent, and an element that needs converting is converted, as cqlengine's
 * validate() does. Before, the driver rounded 1.5 pushed to a list<int> down to 1 and wrote it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { ValidationError, batch, columns, model, userType } from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const Place = userType('in_place_address', { street: columns.text(), zip: columns.int() });
const Row = model('in_place_rows', {
  id: columns.int().partitionKey(),
  ints: columns.set(columns.int()),
  codes: columns.set(columns.ascii()),
  counts: columns.list(columns.int()),
  scores: columns.map(columns.text(), columns.int()),
  seen: columns.list(columns.timestamp()),
  ids: columns.set(columns.uuid()),
  home: columns.udt(Place),
  short: columns.set(columns.text({ maxLength: 3 })),
});

const DoublesModel = model('in_place_doubles', { id: columns.int().partitionKey(), ds: columns.list(columns.double()) });
const db = useTestKeyspace([Row, DoublesModel]);

const stored = async (id: number) => (await db.keyspaces.execute(`SELECT * FROM ${db.name}.in_place_rows WHERE id = ?`, [id])).first();

const fresh = (id: number) =>
  Row.create({ id, ints: new Set([1]), codes: new Set(['a']), counts: [1], scores: new Map([['k', 1]]), home: { street: 'Main', zip: 1 } });

describe('values changed in place', () => {
  const bad: [string, (row: InstanceType<typeof Row>) => void, RegExp][] = [
    ['a string added to a set<int>', (r) => r.ints.add('x' as unknown as number), /ints\{\}: expected an integer/],
    ['2^40 added to a set<int>', (r) => r.ints.add(2 ** 40), /ints\{\}: expected an integer/],
    ['a non-ASCII string added to a set<ascii>', (r) => r.codes.add('é'), /codes\{\}: expected an ASCII string/],
    ['1.5 pushed to a list<int>', (r) => r.counts.push(1.5), /counts\[1\]: expected an integer/],
    ['a string value set in a map<text, int>', (r) => r.scores.set('a', 'b' as unknown as number), /scores\[a\]: expected an integer/],
    ['a number key set in a map<text, int>', (r) => r.scores.set(5 as unknown as string, 1), /scores key: expected a string/],
    ['a string zip in a user type value', (r) => void (r.home!.zip = 'x' as unknown as number), /zip/],
  ];
  for (const [what, change, message] of bad) {
    it(`${what} is refused on save, and nothing is written`, async () => {
      await fresh(1);
      const before = await stored(1);
      const row = await Row.get({ id: 1 });
      change(row);
      await assert.rejects(row.save(), (err: unknown) => err instanceof ValidationError && message.test(err.message));
      assert.deepEqual(await stored(1), before);
    });
  }

  it('is refused for a new instance, in a batch and by validate() alike', async () => {
    const row = new Row({ id: 2, counts: [1] });
    row.counts.push(1.5);
    assert.throws(() => row.validate(), instanceOf(ValidationError));
    await assert.rejects(row.save(), instanceOf(ValidationError));
    await assert.rejects(
      batch(async (b) => {
        await row.save({ batch: b });
      }),
      instanceOf(ValidationError),
    );
    assert.equal(await stored(2), null);
  });

  it('an element that needs converting is converted in place, so the value handed out stays the instance’s', async () => {
    await fresh(3);
    const row = await Row.get({ id: 3 });
    const id = types.Uuid.random();
    const seen = row.seen;
    row.seen.push('2024-05-06T07:08:09Z' as unknown as Date);
    row.ids.add(id.toString() as unknown as types.Uuid);
    await row.save();
    assert.ok(row.seen[0] instanceof Date);
    assert.equal(row.seen, seen);
    const back = await Row.get({ id: 3 });
    assert.equal(back.seen[0]?.toISOString(), '2024-05-06T07:08:09.000Z');
    assert.equal([...back.ids][0]?.toString(), id.toString());
    // The list the caller kept is still the instance's: what is done to it is written.
    seen.push(new Date(0));
    await row.save();
    assert.equal((await Row.get({ id: 3 })).seen.length, 2);
  });

  it('a value handed out but unchanged is not checked again: a stored element the model would refuse does not block other writes', async () => {
    await fresh(5);
    await db.keyspaces.execute(`UPDATE ${db.name}.in_place_rows SET short = short + {'toolong'} WHERE id = 5`);
    const row = await Row.get({ id: 5 });
    assert.ok(row.short.has('toolong'));
    row.counts = [7];
    await row.save();
    assert.deepEqual((await stored(5))?.['counts'], [7]);
  });

  it('a list holding NaN keeps its handle across saves (NaN is the same as itself)', async () => {
    const Doubles = DoublesModel;
    await Doubles.create({ id: 1, ds: [Number.NaN, 1] });
    const row = await Doubles.get({ id: 1 });
    const ds = row.ds;
    ds.push(2);
    await row.save();
    ds.push(3);
    await row.save();
    const back = (await Doubles.get({ id: 1 })).ds;
    assert.equal(back.length, 4);
    assert.ok(Number.isNaN(back[0]));
    assert.deepEqual(back.slice(1), [1, 2, 3]);
  });

  it('a valid change in place is written as a delta, the value handed out still the instance’s', async () => {
    await fresh(4);
    const row = await Row.get({ id: 4 });
    const ints = row.ints;
    ints.add(2);
    await row.save();
    ints.add(3);
    await row.save();
    assert.deepEqual([...(await Row.get({ id: 4 })).ints].sort(), [1, 2, 3]);
  });
});
