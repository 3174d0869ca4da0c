/**
 * Polymorphic models against the node, after cqlengine's test_polymorphism.py: a discriminator
 * column, submodels in the base's table, reads through the base giving submodel instances, and a
 * submodel's queries filtered by its value when the discriminator is indexed or a partition key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import {
  ConfigurationError,
  PolymorphicModelError,
  columns,
  contextQuery,
  management,
  model,
  polymorphic,
  type InstanceOf,
} from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const uuid = () => types.Uuid.random();

const InheritBase = model('poly_inherit', {
  partition: columns.uuid().partitionKey().default(uuid),
  rowType: columns.int().discriminator(),
});
const Inherit1 = polymorphic(InheritBase, 1, { data1: columns.text() });
const Inherit2 = polymorphic(InheritBase, 2, { data2: columns.text() });

const UnindexedBase = model('poly_unindexed', {
  partition: columns.uuid().partitionKey().default(uuid),
  cluster: columns.uuid().primaryKey().default(uuid),
  rowType: columns.int().discriminator(),
});
const Unindexed1 = polymorphic(UnindexedBase, 1, { data1: columns.text() });
const Unindexed2 = polymorphic(UnindexedBase, 2, { data2: columns.text() });
const Unindexed3 = polymorphic(Unindexed2, 3, { data3: columns.text() });

const IndexedBase = model('poly_indexed', {
  partition: columns.uuid().partitionKey().default(uuid),
  cluster: columns.uuid().primaryKey().default(uuid),
  rowType: columns.text().discriminator().index(),
});
const Indexed1 = polymorphic(IndexedBase, 'one', { data1: columns.text() });
class Indexed2 extends polymorphic(IndexedBase, 'two', { data2: columns.text() }) {
  shout(): string {
    return (this.data2 ?? '').toUpperCase();
  }
}

/** The discriminator in the partition key: every query of a submodel is by its value. */
const Keyed = model('poly_keyed', {
  kind: columns.text().partitionKey().discriminator(),
  id: columns.int().partitionKey(),
  name: columns.text(),
});
const KeyedA = polymorphic(Keyed, 'a');
const KeyedB = polymorphic(Keyed, 'b', { extra: columns.int() });

const db = useTestKeyspace([Inherit1, Inherit2, Unindexed1, Unindexed2, Unindexed3, Indexed1, Indexed2, KeyedA, KeyedB]);

describe('polymorphic models: definition', () => {
  it('submodels share the base table and add their columns; the discriminator is inherited', () => {
    assert.equal(Inherit1.schema.table, InheritBase.schema.table);
    assert.deepEqual(
      Inherit1.schema.columns.map((c) => c.name),
      ['partition', 'rowType', 'data1'],
    );
    assert.equal(Inherit1.schema.discriminator?.name, 'rowType');
    assert.equal(Inherit1.schema.discriminatorValue, 1);
    assert.equal(InheritBase.schema.discriminatorValue, undefined);
    assert.equal(Unindexed3.schema.discriminatorValue, 3);
    assert.ok(new Unindexed3() instanceof Unindexed2);
    assert.ok(new Inherit1() instanceof InheritBase);
    assert.ok(new Inherit1.DoesNotExist('x') instanceof InheritBase.DoesNotExist);
  });

  it('refuses two discriminators, collection and counter discriminators, a value without a base, and a taken value', () => {
    const cfg = instanceOf(ConfigurationError);
    assert.throws(
      () => model('poly_bad', { p: columns.int().partitionKey(), a: columns.int().discriminator(), b: columns.int().discriminator() }),
      cfg,
    );
    assert.throws(() => columns.set(columns.int()).discriminator(), cfg);
    assert.throws(() => columns.counter().discriminator(), cfg);
    const Plain = model('poly_plain', { p: columns.int().partitionKey() });
    assert.throws(() => polymorphic(Plain, 1), cfg);
    assert.throws(() => polymorphic(InheritBase, 1), cfg);
    assert.throws(() => polymorphic(InheritBase, 'text for an int'), cfg);
    assert.throws(() => polymorphic(InheritBase, null), cfg);
  });

  it('new submodel instances hold their value', () => {
    assert.equal(new Inherit2({ data2: 'x' }).rowType, 2);
    assert.equal(new Indexed1().rowType, 'one');
  });
});

describe('polymorphic models: schema', () => {
  it("a member's plan sees its siblings' columns in the shared table as the family's, not as drift", async () => {
    for (const member of [Inherit1, Unindexed1, Unindexed3, KeyedA]) {
      assert.deepEqual(await management.plan([member]), { statements: [], drift: [] }, member.schema.name);
    }
  });
});

describe('polymorphic models: reads and writes', () => {
  it('saving the base model fails (PolymorphicModelError), before the wire', async () => {
    await assert.rejects(InheritBase.create({}), instanceOf(PolymorphicModelError));
    await assert.rejects(new InheritBase({ rowType: 1 }).save(), instanceOf(PolymorphicModelError));
  });

  it('saving a submodel writes its discriminator value, whatever the instance held', async () => {
    const p1 = await Inherit1.create({ data1: 'pickle' });
    const p2 = await Inherit2.create({ data2: 'bacon', rowType: 1 });
    assert.equal(p1.rowType, 1);
    assert.equal(p2.rowType, 2);
    const raw = await db.keyspaces.execute(`SELECT "rowType" FROM ${db.name}.poly_inherit WHERE partition = ?`, [p2.partition]);
    assert.equal(raw.first()?.['rowType'], 2);
    p1.rowType = 2;
    await p1.update({ data1: 'pickles' });
    assert.equal(p1.rowType, 1);
  });

  it('reading through the base gives instances of the submodels', async () => {
    const p1 = await Inherit1.create({ data1: 'pickle' });
    const p2 = await Inherit2.create({ data2: 'bacon' });
    const r1 = await InheritBase.get({ partition: p1.partition });
    const r2 = await InheritBase.get({ partition: p2.partition });
    assert.ok(r1 instanceof Inherit1);
    assert.ok(r2 instanceof Inherit2);
    assert.equal((r1 as InstanceOf<typeof Inherit1>).data1, 'pickle');
    assert.equal((r2 as InstanceOf<typeof Inherit2>).data2, 'bacon');
    assert.ok(r1.isPersisted);
    const all = await InheritBase.all();
    assert.ok(all.every((r) => r instanceof Inherit1 || r instanceof Inherit2));
  });

  it('a row whose discriminator is unknown or missing throws PolymorphicModelError, as cqlengine', async () => {
    const id = uuid();
    await db.keyspaces.execute(`INSERT INTO ${db.name}.poly_inherit (partition, "rowType") VALUES (?, 99)`, [id]);
    await assert.rejects(
      InheritBase.get({ partition: id }),
      instanceOf(PolymorphicModelError, (e: Error) => assert.match(e.message, /99/)),
    );
    const none = uuid();
    await db.keyspaces.execute(`INSERT INTO ${db.name}.poly_inherit (partition, data1) VALUES (?, 'x')`, [none]);
    await assert.rejects(
      InheritBase.get({ partition: none }),
      instanceOf(PolymorphicModelError, (e: Error) => assert.match(e.message, /rowType/)),
    );
  });

  it('a delete on a submodel does not filter by the discriminator', async () => {
    const p = await Inherit1.create({});
    await Inherit1.filter({ partition: p.partition }).delete();
    assert.equal(await InheritBase.filter({ partition: p.partition }).count(), 0);
  });

  it('unindexed discriminator: a submodel query is not filtered; rows of other submodels throw, as cqlengine', async () => {
    const p1 = await Unindexed1.create({ data1: 'pickle' });
    const p2 = await Unindexed2.create({ partition: p1.partition, data2: 'bacon' });
    const p3 = await Unindexed3.create({ partition: p1.partition, data3: 'turkey' });
    assert.equal((await Unindexed1.filter({ partition: p1.partition, cluster: p1.cluster }).all()).length, 1);
    assert.equal((await Unindexed2.filter({ partition: p1.partition, cluster: p2.cluster }).all()).length, 1);
    assert.equal((await Unindexed3.filter({ partition: p1.partition, cluster: p3.cluster }).all()).length, 1);
    // A submodel's submodels are its own rows.
    const both = await Unindexed2.filter({ partition: p1.partition, cluster__in: [p2.cluster, p3.cluster] }).all();
    assert.equal(both.length, 2);
    assert.ok(both.some((r) => r instanceof Unindexed3));
    await assert.rejects(
      Unindexed1.filter({ partition: p1.partition }).all(),
      instanceOf(PolymorphicModelError, (e: Error) =>
        assert.match(
          e.message,
          /of poly_unindexed \(the submodel of discriminator value [23]\) is not one of poly_unindexed \(the submodel of discriminator value 1\)/,
        ),
      ),
    );
    await assert.rejects(Unindexed2.filter({ partition: p1.partition }).all(), instanceOf(PolymorphicModelError));
    assert.equal((await UnindexedBase.filter({ partition: p1.partition }).all()).length, 3);
  });

  it('indexed discriminator: a submodel query selects only its rows; writes leave the filter out', async () => {
    const p1 = await Indexed1.create({ data1: 'pickle' });
    await Indexed2.create({ partition: p1.partition, data2: 'bacon' });
    assert.equal((await Indexed1.filter({ partition: p1.partition }).all()).length, 1);
    const twos = await Indexed2.filter({ partition: p1.partition }).all();
    assert.equal(twos.length, 1);
    assert.equal(twos[0]!.shout(), 'BACON');
    assert.equal(await Indexed2.count(), 1);
    assert.match(Indexed1.objects().toString(), /WHERE "rowType" = \?/);
    assert.equal(await IndexedBase.filter({ partition: p1.partition }).count(), 2);
    await Indexed2.filter({ partition: p1.partition, cluster: twos[0]!.cluster }).update({ data2: 'eggs' });
    assert.equal((await Indexed2.get({ partition: p1.partition })).data2, 'eggs');
    await Indexed1.filter({ partition: p1.partition, cluster: p1.cluster }).delete();
    assert.equal(await IndexedBase.filter({ partition: p1.partition }).count(), 1);
  });

  it('discriminator in the partition key: submodel queries filter by it, writes keep it', async () => {
    await KeyedA.create({ id: 1, name: 'a1' });
    await KeyedB.create({ id: 1, name: 'b1', extra: 7 });
    assert.equal((await KeyedA.get({ id: 1 })).name, 'a1');
    const b = await KeyedB.get({ id: 1 });
    assert.equal(b.extra, 7);
    await KeyedB.filter({ id: 1 }).update({ extra: 8 });
    assert.equal((await KeyedB.get({ id: 1 })).extra, 8);
    const all = await Keyed.all();
    assert.deepEqual(all.map((r) => r.constructor.name).sort(), ['poly_keyed', 'poly_keyed']);
    assert.equal(all.filter((r) => r instanceof KeyedB).length, 1);
  });

  it('a contextQuery on the base keeps its scope for the submodel instances it reads', async () => {
    const p = await Inherit1.create({ data1: 'ctx' });
    await contextQuery([InheritBase], { keyspace: db.name }, async (Base) => {
      const read = (await Base.get({ partition: p.partition })) as InstanceOf<typeof Inherit1>;
      assert.ok(read instanceof Inherit1);
      read.data1 = 'ctx2';
      await read.save();
    });
    assert.equal((await Inherit1.get({ partition: p.partition })).data1, 'ctx2');
  });
});
