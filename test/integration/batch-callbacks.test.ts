/** Batch callbacks (cqlengine's add_callback) and a second execute(), against the node. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchQuery, CQLEngineError, ConfigurationError, batch, columns, connection, management, model } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';
import { captureLogs, instanceOf } from '../helpers/util.js';

const Item = model('cb_items', { id: columns.int().partitionKey(), v: columns.text() });

let keyspaces: TestKeyspaces;

before(async () => {
  const { hosts } = await ensureCassandra();
  keyspaces = new TestKeyspaces(hosts);
  await connection.setup(hosts, await keyspaces.create());
  await management.syncTable(Item);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('batch callbacks', () => {
  it('run after the batch succeeds, in order, awaited one after another, with their arguments', async () => {
    const calls: string[] = [];
    const b = new BatchQuery();
    await Item.create({ id: 1, v: 'a' }, { batch: b });
    b.addCallback(
      async (name: string, n: number) => {
        // The batch has run when a callback starts.
        calls.push(`${name}${n}:${(await Item.get({ id: 1 })).v}`);
        await new Promise((r) => setImmediate(r));
        calls.push(`${name} done`);
      },
      'first',
      1,
    );
    b.addCallback(() => void calls.push('second'));
    assert.deepEqual(calls, []);
    await b.execute();
    assert.deepEqual(calls, ['first1:a', 'first done', 'second']);
  });

  it('do not run when the batch fails, nor when it is never executed', async () => {
    const calls: string[] = [];
    const failing = new BatchQuery();
    await Item.create({ id: 2, v: 'x' }, { batch: failing, ifNotExists: true });
    await Item.filter({ id: 3 }).batch(failing).update({ v: 'y' });
    failing.addCallback(() => void calls.push('failed'));
    // A batch with a conditional statement for one partition and a statement for another is refused by the server.
    await assert.rejects(failing.execute());
    const dropped = new BatchQuery();
    dropped.addCallback(() => void calls.push('never'));
    await assert.rejects(
      batch(async (b) => {
        b.addCallback(() => void calls.push('thrown'));
        await Item.create({ id: 4 }, { batch: b });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(calls, []);
    assert.equal(await Item.filter({ id: 4 }).count(), 0);
  });

  it('run for an empty batch and with executeOnException, as in cqlengine', async () => {
    const calls: string[] = [];
    const empty = new BatchQuery();
    empty.addCallback(() => void calls.push('empty'));
    assert.equal(await empty.execute(), undefined);
    await assert.rejects(
      batch(
        async (b) => {
          b.addCallback(() => void calls.push('on exception'));
          await Item.create({ id: 5 }, { batch: b });
          throw new Error('boom');
        },
        { executeOnException: true },
      ),
      /boom/,
    );
    assert.deepEqual(calls, ['empty', 'on exception']);
    assert.equal(await Item.filter({ id: 5 }).count(), 1);
  });

  it("a callback's error rejects execute() after the batch was applied; later callbacks do not run", async () => {
    const calls: string[] = [];
    const b = new BatchQuery();
    await Item.create({ id: 6 }, { batch: b });
    b.addCallback(() => {
      throw new Error('callback failed');
    });
    b.addCallback(() => void calls.push('later'));
    await assert.rejects(b.execute(), /callback failed/);
    assert.deepEqual(calls, []);
    assert.equal(await Item.filter({ id: 6 }).count(), 1);
  });

  it('a second execute() warns through the logger and sends nothing; callbacks do not run again', async () => {
    const log = captureLogs();
    try {
      const calls: string[] = [];
      const b = new BatchQuery();
      await Item.create({ id: 7, v: 'once' }, { batch: b });
      b.addCallback(() => void calls.push('cb'));
      await b.execute();
      await Item.filter({ id: 7 }).update({ v: 'changed' });
      assert.equal(await b.execute(), undefined);
      assert.equal((await Item.get({ id: 7 })).v, 'changed', 'the insert was not sent again');
      assert.deepEqual(calls, ['cb']);
      const warnings = log.entries.filter((e) => e.level === 'warn');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /Batch executed multiple times/);
      // Inside batch(): an explicit execute() then the block's own is the same warning, no error.
      await batch(async (inner) => {
        await Item.create({ id: 8 }, { batch: inner });
        await inner.execute();
      });
      assert.equal(log.entries.filter((e) => e.level === 'warn').length, 2);
      assert.throws(() => b.addCallback(() => undefined), instanceOf(CQLEngineError));
    } finally {
      log.restore();
    }
  });

  it('refuses a callback that is not a function', () => {
    assert.throws(
      () => new BatchQuery().addCallback('nope' as never),
      instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, 'fn')),
    );
  });
});
