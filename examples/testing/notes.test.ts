/**
 * An example test file on keyspace-per-file.ts: its tests run against a keyspace of their own,
 * created before them and dropped after them, whatever other test files run at the same time.
 *
 *   node --import tsx --test examples/testing/notes.test.ts
 *
 * Cassandra: the hosts in CQLENGINE_HOSTS, else a local node (see examples/hosts.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { columns, model } from 'cqlengine';
import { keyspacePerFile } from './keyspace-per-file.js';

// The application's model, as its own module would define it (no keyspace: the test binds one).
const AppNote = model('notes', {
  board: columns.text().partitionKey(),
  id: columns
    .timeuuid()
    .primaryKey()
    .clusteringOrder('desc')
    .default(() => types.TimeUuid.now()),
  text: columns.text().required(),
  pinned: columns.boolean().default(() => false),
});

const db = keyspacePerFile({ models: [AppNote] });
const [Note] = db.models;

describe('notes', () => {
  it('lists a board newest first', async () => {
    await Note.create({ board: 'ideas', text: 'first' });
    await Note.create({ board: 'ideas', text: 'second' });
    const texts = (await Note.filter({ board: 'ideas' }).all()).map((n) => n.text);
    assert.deepEqual(texts, ['second', 'first']);
  });

  it('pins a note through change tracking', async () => {
    const note = await Note.create({ board: 'todo', text: 'write docs' });
    note.pinned = true;
    assert.deepEqual(note.changedColumns(), ['pinned']);
    await note.save();
    assert.equal((await Note.get({ board: 'todo', id: note.id })).pinned, true);
    assert.ok(note instanceof AppNote, 'a bound model makes instances of the application model');
  });

  it('answers DoesNotExist for a missing note', async () => {
    await assert.rejects(Note.get({ board: 'nowhere', id: types.TimeUuid.now() }), Note.DoesNotExist);
  });

  it("writes to this file's keyspace only", async () => {
    const where = Note.filter({ board: 'ideas' }).toString();
    assert.ok(where.includes(`"${db.keyspace}"."notes"`), where);
  });
});
