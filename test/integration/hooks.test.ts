/**
 * Lifecycle hooks and validation against the real node: awaited hooks around saves, deletes and
 * loads; their timing in batches; QuerySet-level writes bypassing them; column validators and the
 * model's validate(), all refusing before anything reaches the wire.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConfigurationError, ValidationError, batch, BatchQuery, columns, model, userType } from '../../src/index.js';
import { onStatement } from '../../src/connection/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';

/** What the hooks saw, in order. */
const seen: string[] = [];
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

class Account extends model('accounts', {
  id: columns.int().partitionKey(),
  email: columns
    .text()
    .required()
    .validate((v) => v.includes('@'), 'must be an email address'),
  name: columns.text().validate((v) => v.trim() === v || 'has spaces around it'),
  age: columns
    .int()
    .validate((v) => v >= 0)
    .validate((v) => (v > 150 ? 'is not a human age' : true)),
  tags: columns.set(columns.text()).validate((v) => v.size <= 3, 'takes at most 3 tags'),
  updated: columns.timestamp(),
  loaded: columns.text(),
}) {
  /** Not a column: set by afterLoad. */
  loadedAt: string | undefined;

  override async beforeSave(): Promise<void> {
    await tick();
    // Before validation: the values may still be invalid (here null).
    if (this.email) this.email = this.email.toLowerCase();
    this.updated = new Date();
    seen.push(`beforeSave ${this.id}`);
  }

  override async afterSave(): Promise<void> {
    await tick();
    // The row is written when afterSave runs.
    const row = await Account.objects().filter({ id: this.id }).first();
    seen.push(`afterSave ${this.id} ${row ? 'stored' : 'missing'}`);
  }

  override async beforeDelete(): Promise<void> {
    await tick();
    seen.push(`beforeDelete ${this.id}`);
  }

  override async afterDelete(): Promise<void> {
    const row = await Account.objects().filter({ id: this.id }).first();
    seen.push(`afterDelete ${this.id} ${row ? 'stored' : 'gone'}`);
  }

  override async afterLoad(): Promise<void> {
    await tick();
    this.loadedAt = 'loaded';
  }

  override async validate(): Promise<void> {
    await super.validate();
    await tick();
    if (this.name === 'root' && !this.email.endsWith('@example.com'))
      throw new ValidationError('root must have an example.com address', 'email', this.email);
  }
}

/** A model without hooks whose validate() does not call super: the built-in checks run anyway. */
class Plain extends model('plains', {
  id: columns.int().partitionKey(),
  code: columns
    .text()
    .required()
    .validate((v) => v.length === 3),
}) {
  override validate(): void {
    if (this.code === 'bad') throw new ValidationError('bad code', 'code', this.code);
  }
}

let statements: string[] = [];
let stop: () => void;

useTestKeyspace([Account, Plain]);

before(() => {
  stop = onStatement((e) => statements.push(e.cql));
});

beforeEach(() => {
  seen.length = 0;
  statements = [];
});

after(() => {
  stop();
});

describe('save hooks', () => {
  it('beforeSave runs before validation and the write, and its changes are written; afterSave after the write', async () => {
    const a = await Account.create({ id: 1, email: 'Ann@Example.COM', name: 'Ann' });
    assert.deepEqual(seen, ['beforeSave 1', 'afterSave 1 stored']);
    const stored = await Account.get({ id: 1 });
    assert.equal(stored.email, 'ann@example.com');
    assert.ok(stored.updated instanceof Date);
    assert.equal(a.email, 'ann@example.com');
  });

  it('runs on save(), update() and QuerySet create()', async () => {
    const a = new Account({ id: 2, email: 'b@x.io' });
    await a.save();
    await a.update({ name: 'Bea' });
    await Account.objects().create({ id: 3, email: 'c@x.io' });
    assert.deepEqual(seen, [
      'beforeSave 2',
      'afterSave 2 stored',
      'beforeSave 2',
      'afterSave 2 stored',
      'beforeSave 3',
      'afterSave 3 stored',
    ]);
  });

  it('a throwing beforeSave writes nothing and runs no afterSave', async () => {
    class Refusing extends model('accounts', { id: columns.int().partitionKey(), email: columns.text() }) {
      override beforeSave(): void {
        throw new Error('not today');
      }
      override afterSave(): void {
        seen.push('afterSave');
      }
    }
    await assert.rejects(Refusing.create({ id: 4, email: 'd@x.io' }), /not today/);
    assert.deepEqual([seen, statements], [[], []]);
  });
});

describe('delete hooks', () => {
  it('beforeDelete runs before the delete, afterDelete after it', async () => {
    const a = await Account.create({ id: 10, email: 'e@x.io' });
    seen.length = 0;
    await a.delete();
    assert.deepEqual(seen, ['beforeDelete 10', 'afterDelete 10 gone']);
  });
});

describe('afterLoad', () => {
  it('runs, awaited, on every instance a QuerySet reads', async () => {
    await Account.create({ id: 20, email: 'f@x.io' });
    await Account.create({ id: 21, email: 'g@x.io' });
    assert.equal((await Account.get({ id: 20 })).loadedAt, 'loaded');
    assert.equal((await Account.objects().filter({ id: 21 }).first())!.loadedAt, 'loaded');
    const all = await Account.objects()
      .filter({ id__in: [20, 21] })
      .all();
    assert.deepEqual(
      all.map((a) => a.loadedAt),
      ['loaded', 'loaded'],
    );
    for await (const a of Account.objects().filter({ id: 20 })) assert.equal(a.loadedAt, 'loaded');
    assert.equal((await Account.objects().filter({ id: 21 }).page()).rows[0]!.loadedAt, 'loaded');
  });
});

describe('hooks in batches', () => {
  it('before-hooks run when the statement is added, after-hooks once the batch has executed', async () => {
    const existing = await Account.create({ id: 31, email: 'i@x.io' });
    seen.length = 0;
    statements = [];
    const b = new BatchQuery();
    await Account.objects().batch(b).create({ id: 30, email: 'h@x.io' });
    await existing.delete({ batch: b });
    await new Account({ id: 32, email: 'J@x.io' }).save({ batch: b });
    assert.deepEqual(seen, ['beforeSave 30', 'beforeDelete 31', 'beforeSave 32']);
    assert.deepEqual(statements, [], 'nothing sent before execute()');
    await b.execute();
    assert.deepEqual(seen, [
      'beforeSave 30',
      'beforeDelete 31',
      'beforeSave 32',
      'afterSave 30 stored',
      'afterDelete 31 gone',
      'afterSave 32 stored',
    ]);
  });

  it('no after-hooks when the batch fails or is dropped', async () => {
    await assert.rejects(
      batch(async (b) => {
        await Account.objects().batch(b).create({ id: 33, email: 'k@x.io' });
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual(seen, ['beforeSave 33']);
    assert.equal(await Account.objects().filter({ id: 33 }).first(), undefined);

    seen.length = 0;
    const b = new BatchQuery({ type: 'counter' });
    await Account.objects().batch(b).create({ id: 34, email: 'l@x.io' });
    await assert.rejects(b.execute());
    assert.deepEqual(seen, ['beforeSave 34']);
  });

  it('addCallback runs after a successful execute, in order, also for an empty batch', async () => {
    const order: number[] = [];
    const b = new BatchQuery();
    b.addCallback(async () => {
      await tick();
      order.push(1);
    });
    b.addCallback(() => order.push(2));
    assert.deepEqual(order, []);
    await b.execute();
    assert.deepEqual(order, [1, 2]);
    assert.throws(() => b.addCallback(() => undefined), /already been executed/);
    assert.throws(() => new BatchQuery().addCallback('x' as never), ConfigurationError);
  });
});

describe('QuerySet-level writes', () => {
  it('run no hooks (they have no instances), but the columns validate the values set outright', async () => {
    await Account.create({ id: 40, email: 'm@x.io' });
    seen.length = 0;
    await Account.objects().filter({ id: 40 }).update({ name: 'Max' });
    await Account.objects().filter({ id: 40 }).delete();
    assert.deepEqual(seen, []);
    statements = [];
    await assert.rejects(
      Account.objects().filter({ id: 40 }).update({ email: 'nope' }),
      (err: unknown) => err instanceof ValidationError && err.column === 'email',
    );
    // Collection operations add to a value the mapper does not know: not validated.
    await Account.objects()
      .filter({ id: 40 })
      .update({ tags__add: ['a', 'b', 'c', 'd'] });
    assert.equal(statements.length, 1);
  });
});

describe('validation', () => {
  /** Checks the error and that nothing was sent. */
  async function refused(write: Promise<unknown>, column: string, message: string | RegExp): Promise<void> {
    statements = [];
    await assert.rejects(write, (err: unknown) => {
      assert.ok(err instanceof ValidationError, String(err));
      assert.equal(err.column, column);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });
    assert.deepEqual(statements, [], 'nothing reached the wire');
  }

  it('column validators refuse with the column and the reason', async () => {
    await refused(Account.create({ id: 50, email: 'no-at-sign' }), 'email', 'accounts.email: must be an email address');
    await refused(Account.create({ id: 50, email: 'a@b', name: ' x ' }), 'name', 'accounts.name: has spaces around it');
    await refused(Account.create({ id: 50, email: 'a@b', age: -1 }), 'age', 'accounts.age: -1 is not valid');
    await refused(Account.create({ id: 50, email: 'a@b', age: 200 }), 'age', 'accounts.age: is not a human age');
    await refused(Account.create({ id: 50, email: 'a@b', tags: ['a', 'b', 'c', 'd'] }), 'tags', 'accounts.tags: takes at most 3 tags');
    const a = await Account.create({ id: 50, email: 'a@b', age: 30 });
    await refused(a.update({ age: 151 }), 'age', /not a human age/);
    a.name = ' y';
    await refused(a.save(), 'name', /spaces/);
  });

  it('null and empty values are left to required()', async () => {
    await Account.create({ id: 51, email: 'a@b', name: null, age: null, tags: [] });
    await refused(Account.create({ id: 52, email: null as unknown as string }), 'email', 'accounts.email is required: got null');
  });

  it('a validator that throws refuses with a ValidationError naming the column', async () => {
    const M = model('plains', {
      id: columns.int().partitionKey(),
      code: columns.text().validate(() => {
        throw new RangeError('boom');
      }),
    });
    await assert.rejects(M.create({ id: 1, code: 'x' }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.column, 'code');
      assert.equal(err.message, 'plains.code: the validator threw: boom');
      assert.ok((err as Error).cause instanceof RangeError);
      return true;
    });
  });

  it("the model's validate() runs after beforeSave, awaited", async () => {
    await refused(Account.create({ id: 53, email: 'ROOT@evil.io', name: 'root' }), 'email', 'root must have an example.com address');
    await Account.create({ id: 53, email: 'ROOT@EXAMPLE.COM', name: 'root' });
  });

  it('the built-in checks run even when validate() does not call super, and validate() can be called alone', async () => {
    await refused(Plain.create({ id: 1, code: 'toolong' }), 'code', 'plains.code: "toolong" is not valid');
    await refused(Plain.create({ id: 1, code: 'bad' }), 'code', 'bad code');
    await Plain.create({ id: 1, code: 'abc' });
    const a = new Account({ id: 54, email: 'nope' });
    await assert.rejects(
      async () => a.validate(),
      (err: unknown) => err instanceof ValidationError && err.column === 'email',
    );
  });

  it('refuses bad validators and hook names as columns', () => {
    assert.throws(() => columns.text().validate('x' as never), ConfigurationError);
    assert.throws(() => columns.text().validate(() => true, 5 as never), ConfigurationError);
    for (const name of ['beforeSave', 'afterLoad', 'validate']) {
      assert.throws(() => model('x', { id: columns.int().partitionKey(), [name]: columns.text() }), ConfigurationError);
    }
    assert.throws(() => userType('t', { a: columns.text().validate(() => true) }), ConfigurationError);
  });
});
