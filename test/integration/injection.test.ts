/**
 * CQL injection through every place a string reaches a statement: names (keyspace, table, column,
 * dbField, user type, field, table option, filter key and operator, orderBy, only/defer/distinct,
 * update keys) are refused with a CQLEngineError; values and table option values are bound or
 * escaped, and come back from a real table exactly as written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CQLEngineError, columns, connection, management, model, userType } from '../../src/index.js';
import { TestKeyspaces, adminClient, ensureCassandra, versionAtLeast } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

let hosts: string[];
let version: string;
let keyspaces: TestKeyspaces;
let ks: string;

/** What a fresh client's metadata says (system.schema_* on 2.x, system_schema on 3.0+). */
async function withMetadata<T>(read: (metadata: import('cassandra-driver').metadata.Metadata) => Promise<T>): Promise<T> {
  const client = await adminClient(hosts);
  try {
    return await read(client.metadata);
  } finally {
    await client.shutdown();
  }
}

const Note = userType('inj_note', { body: columns.text(), tags: columns.set(columns.text()) });
const Doc = model(
  'inj_docs',
  {
    id: columns.text().partitionKey(),
    at: columns.text().primaryKey(),
    body: columns.text().index(),
    attrs: columns.map(columns.text(), columns.text()),
    tags: columns.set(columns.text()),
    lines: columns.list(columns.text()),
    note: columns.udt(Note),
    pair: columns.tuple(columns.text(), columns.ascii()),
  },
  { tableOptions: { comment: "'); DROP TABLE inj_docs; --" } },
);

/** Strings that would end a literal or an identifier, comment the rest out, or start a new statement. */
const hostile = (ks: string): string[] => [
  `'); DROP KEYSPACE ${ks}; --`,
  `x' OR '1'='1`,
  `"; DROP KEYSPACE ${ks}; --`,
  `a" text, "b`,
  `id = 'x' ALLOW FILTERING; DROP TABLE inj_docs`,
  `/* comment */ x`,
  `x -- y`,
  `x\n; DROP KEYSPACE ${ks}`,
  `${ks}.inj_docs`,
  `ünï'"\\\u0000`,
  '"',
  "'",
  ` `,
  'a'.repeat(300),
];

const refused = instanceOf(CQLEngineError);

before(async () => {
  ({ hosts, version } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ks = await keyspaces.create();
  await connection.setup(hosts, ks);
  await management.syncTable(Doc);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('CQL injection', () => {
  it('names: keyspaces, tables, columns, dbFields, user types and fields, table option names', async () => {
    for (const bad of hostile(ks)) {
      assert.throws(() => model(bad, { id: columns.text().partitionKey() }), refused);
      assert.throws(() => model('t', { id: columns.text().partitionKey() }, { keyspace: bad }), refused);
      assert.throws(() => model('t', { id: columns.text().partitionKey(), [bad]: columns.text() }), refused);
      assert.throws(() => model('t', { id: columns.text().partitionKey(), x: columns.text().dbField(bad) }), refused);
      assert.throws(() => model('t', { id: columns.text().partitionKey() }, { tableOptions: { [bad]: 1 } }), refused);
      assert.throws(() => userType(bad, { x: columns.text() }), refused);
      assert.throws(() => userType('u', { [bad]: columns.text() }), refused);
      assert.throws(() => userType('u', { x: columns.text().dbField(bad) }), refused);
      assert.throws(() => Doc.using({ keyspace: bad }), refused);
      assert.throws(() => Doc.bind({ keyspace: bad }), refused);
      assert.throws(() => (connection.registry.defaultKeyspace = bad), refused);
      await assert.rejects(management.createKeyspaceSimple(bad, 1), refused);
      await assert.rejects(management.dropKeyspace(bad), refused);
      await assert.rejects(management.syncTable(Doc, { keyspaces: [bad] }), refused);
    }
  });

  it('queries: filter keys and operators, orderBy, only, defer, distinct, update keys', async () => {
    for (const bad of hostile(ks)) {
      assert.throws(() => Doc.filter({ [bad]: 'x' } as never), refused);
      assert.throws(() => Doc.filter({ [`id__${bad}`]: 'x' } as never), refused);
      assert.throws(() => Doc.filter({ [`${bad}__token__gt`]: 'x' } as never), refused);
      assert.throws(() => Doc.filter({ id: 'a' }).orderBy(bad), refused);
      assert.throws(() => Doc.filter({ id: 'a' }).orderBy(`-${bad}`), refused);
      assert.throws(() => Doc.objects().only(bad as never), refused);
      assert.throws(() => Doc.objects().defer(bad as never), refused);
      assert.throws(() => Doc.objects().distinct(bad as never), refused);
      await assert.rejects(async () => Doc.filter({ id: 'a', at: 'b' }).update({ [bad]: 'x' } as never), refused);
      await assert.rejects(async () => Doc.filter({ id: 'a', at: 'b' }).update({ [`tags__${bad}`]: ['x'] } as never), refused);
      await assert.rejects(async () => Doc.create({ id: 'a', at: 'b', [bad]: 'x' } as never), refused);
      await assert.rejects(
        async () =>
          Doc.filter({ id: 'a', at: 'b' })
            .iff({ [bad]: 'x' } as never)
            .update({ body: 'x' }),
        refused,
      );
    }
    // Nothing reached the server: the keyspace and table are still there.
    assert.ok(await keyspaces.keyspaceExists(ks));
  });

  it('values are bound: every hostile string comes back identical, in every kind of column', async () => {
    for (const [i, bad] of hostile(ks).entries()) {
      // The nul character is valid text, but not in ascii's tuple item below unless it is ASCII.
      const ascii = bad.replace(/[^\x00-\x7f]/g, '?');
      await Doc.create({
        id: bad,
        at: `${i}`,
        body: bad,
        attrs: new Map([[bad, bad]]),
        tags: new Set([bad]),
        lines: [bad, bad],
        note: { body: bad, tags: new Set([bad]) },
        pair: [bad, ascii],
      });
      const read = await Doc.get({ id: bad, at: `${i}` });
      assert.equal(read.body, bad);
      assert.deepEqual(read.attrs, new Map([[bad, bad]]));
      assert.deepEqual(read.tags, new Set([bad]));
      assert.deepEqual(read.lines, [bad, bad]);
      assert.deepEqual(read.note, { body: bad, tags: new Set([bad]) });
      assert.deepEqual(read.pair, [bad, ascii]);
      // Through a secondary index, IN, an iff() condition, collection deltas and a blind update.
      assert.equal((await Doc.filter({ body: bad }).all()).length, 1);
      assert.equal((await Doc.filter({ id__in: [bad, 'other'] }).all()).length, 1);
      await Doc.filter({ id: bad, at: `${i}` })
        .iff({ body: bad })
        .update({ attrs__update: { [bad]: `${bad}!` }, tags__add: [`${bad}?`], lines__append: [bad] });
      const updated = await Doc.get({ id: bad, at: `${i}` });
      assert.equal(updated.attrs.get(bad), `${bad}!`);
      assert.ok(updated.tags.has(`${bad}?`));
      assert.equal(updated.lines.length, 3);
      await Doc.filter({ id: bad, at: `${i}` }).delete();
      assert.equal(await Doc.filter({ id: bad }).count(), 0);
    }
    assert.ok(await keyspaces.keyspaceExists(ks));
  });

  it('table option values and replication data centre names are escaped literals', async () => {
    const table = await withMetadata((metadata) => metadata.getTable(ks, 'inj_docs'));
    assert.equal(table?.comment, "'); DROP TABLE inj_docs; --");
    // A value inside an option map reaches the server as one string literal, which it then refuses as a number.
    const threshold = "4'}; DROP TABLE inj_docs; --";
    const Other = model(
      'inj_other',
      { id: columns.text().partitionKey() },
      { tableOptions: { compaction: { class: 'SizeTieredCompactionStrategy', min_threshold: threshold } } },
    );
    // 2.1 says "Invalid integer value <v>", 5.0 "Invalid value <v> for 'min_threshold' …: must be an integer".
    await assert.rejects(
      management.syncTable(Other),
      (err: Error) => err.message.includes(`value ${threshold}`) && /integer/.test(err.message),
    );
    const name = `${ks}_nts`;
    const dc = `dc1'}; DROP KEYSPACE ${ks}; --`;
    try {
      if (versionAtLeast(version, '4.0')) {
        // 4.0+ refuses a data centre it does not know, quoting the name it read: the whole name, one literal.
        await assert.rejects(management.createKeyspaceNetworkTopology(name, { [dc]: 1 }), (err: Error) =>
          err.message.includes(`Unrecognized strategy option {${dc}}`),
        );
      } else {
        await management.createKeyspaceNetworkTopology(name, { [dc]: 1 });
        const options = await withMetadata(async (metadata) => {
          await metadata.refreshKeyspace(name);
          return (metadata.keyspaces as Record<string, { strategyOptions?: unknown } | undefined>)[name]?.strategyOptions;
        });
        assert.deepEqual(options, { [dc]: '1' });
      }
    } finally {
      await management.dropKeyspace(name);
    }
    assert.ok(await keyspaces.keyspaceExists(ks));
  });
});
