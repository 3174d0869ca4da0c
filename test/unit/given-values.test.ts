/**
 * The values an instance is built from: its own keys are its columns (inherited ones are not, nor
 * are keys added to Object.prototype), and the columns given, nulls included, are the ones an
 * INSERT writes, whether every column was given or some.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { UnknownColumnError, columns, model } from '../../src/index.js';
import { ConnectionRegistry } from '../../src/connection/index.js';
import { NATIVE_ENCODING, recordingClient } from '../helpers/util.js';

const { client, sent } = recordingClient(NATIVE_ENCODING);
const registry = new ConnectionRegistry();
const Note = model(
  'notes',
  { id: columns.int().partitionKey(), title: columns.text(), body: columns.text(), stars: columns.int() },
  { keyspace: 'ks', registry },
);

before(() => registry.register('fake', { session: client, default: true }));
after(() => registry.shutdown());
beforeEach(() => void (sent.length = 0));

describe('the values an instance is built from', () => {
  it('every column given, nulls included: the INSERT writes each, a null clearing its column', async () => {
    await Note.create({ id: 1, title: 't', body: null, stars: 3 });
    assert.deepEqual(sent[0], {
      cql: 'INSERT INTO "ks"."notes" ("id", "title", "body", "stars") VALUES (?, ?, ?, ?)',
      params: [1, 't', null, 3],
    });
  });

  it('some columns given: a column never given is left out, and one set later is written', async () => {
    const note = new Note({ id: 2, title: 't', body: null, stars: undefined });
    note.stars = 5;
    await note.save();
    assert.deepEqual(sent[0], {
      cql: 'INSERT INTO "ks"."notes" ("id", "title", "body", "stars") VALUES (?, ?, ?, ?)',
      params: [2, 't', null, 5],
    });
    await Note.create({ id: 3, body: null });
    assert.deepEqual(sent[1], { cql: 'INSERT INTO "ks"."notes" ("id", "body") VALUES (?, ?)', params: [3, null] });
  });

  it('a column set after every column was given stays written once', async () => {
    const note = new Note({ id: 4, title: 'a', body: 'b', stars: 1 });
    note.title = 'c';
    await note.save();
    assert.deepEqual(sent[0]!.params, [4, 'c', 'b', 1]);
  });

  it('inherited keys are not columns: neither refused nor read as given', async () => {
    const given = Object.create({ nope: 1, body: 'inherited' }) as Record<string, unknown>;
    given['id'] = 5;
    given['title'] = 't';
    const note = new Note(given as never);
    assert.deepEqual(note.changedColumns(), ['id', 'title', 'body']);
    await note.save();
    // body is read through the prototype chain, as a property read does; it was not given, so no null is written for stars.
    assert.deepEqual(sent[0], { cql: 'INSERT INTO "ks"."notes" ("id", "title", "body") VALUES (?, ?, ?)', params: [5, 't', 'inherited'] });
  });

  it('an enumerable key added to Object.prototype is not taken for an unknown column', () => {
    Object.defineProperty(Object.prototype, 'polluted', { value: 1, enumerable: true, configurable: true });
    try {
      const note = new Note({ id: 6, title: 't' });
      assert.equal(note.title, 't');
      assert.throws(
        () => new Note({ id: 6, nope: 1 } as never),
        (err: unknown) => err instanceof UnknownColumnError && err.option === 'nope',
      );
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
  });

  it('a key that is no column is refused, on an object of any prototype', () => {
    const refused = (err: unknown) => err instanceof UnknownColumnError && err.option === 'nope';
    assert.throws(() => new Note({ id: 7, nope: 1 } as never), refused);
    const bare = Object.assign(Object.create(null) as object, { id: 7, nope: 1 });
    assert.throws(() => new Note(bare as never), refused);
  });
});
