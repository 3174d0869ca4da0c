/**
 * Instance equality (cqlengine's ==), get/set by column name for generic code, and blind counter
 * updates with plain values (cqlengine's QuerySet.update on a counter adds the value).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, ValidationError, columns, contextQuery, model, type InstanceOf } from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const Note = model('ia_notes', {
  id: columns.int().partitionKey(),
  title: columns.text(),
  tags: columns.set(columns.text()),
  at: columns.timestamp(),
});
const Twin = model('ia_notes', {
  id: columns.int().partitionKey(),
  title: columns.text(),
  tags: columns.set(columns.text()),
  at: columns.timestamp(),
});
const Hits = model('ia_hits', { page: columns.text().partitionKey(), hits: columns.counter(), bytes: columns.counter() });

const db = useTestKeyspace([Note, Hits]);

describe('instance equality', () => {
  it('equal: the same model and the same values, whether read, created or built', async () => {
    const created = await Note.create({ id: 1, title: 'a', tags: ['x', 'y'], at: new Date(1000) });
    const read = await Note.get({ id: 1 });
    assert.ok(read.equals(created));
    assert.ok(created.equals(read));
    assert.ok(new Note({ id: 1, title: 'a', tags: new Set(['y', 'x']), at: 1000 }).equals(read));
    read.title = 'b';
    assert.ok(!read.equals(created));
    read.title = 'a';
    assert.ok(read.equals(created));
  });

  it('not equal to another model with the same columns, nor to a plain object', async () => {
    const a = new Note({ id: 1, title: 'a' });
    assert.ok(!a.equals(new Twin({ id: 1, title: 'a' })));
    assert.ok(!a.equals({ id: 1, title: 'a' }));
    assert.ok(!a.equals(null));
  });

  it('a contextQuery-bound copy of the model counts as the same model', async () => {
    const read = await Note.get({ id: 1 });
    await contextQuery([Note], { keyspace: db.name }, async (N) => {
      assert.ok((await N.get({ id: 1 })).equals(read));
    });
  });
});

describe('get and set by column name', () => {
  it('reads and writes any column by name, validated as the property is', async () => {
    const note = await Note.get({ id: 1 });
    const rename = <M extends InstanceOf<typeof Note>>(n: M, column: 'title', value: string) => n.set(column, value);
    rename(note, 'title', 'renamed');
    assert.equal(note.get('title'), 'renamed');
    assert.deepEqual(note.changedColumns(), ['title']);
    await note.save();
    assert.equal((await Note.get({ id: 1 })).title, 'renamed');
    note.set('tags', ['z']);
    assert.deepEqual(note.get('tags'), new Set(['z']));
    assert.throws(
      () => note.set('at', 'not a date'),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'at')),
    );
  });

  it('refuses names that are not columns, such as methods', () => {
    const note = new Note({ id: 2 });
    assert.throws(
      () => note.get('save' as never),
      instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.value, 'save')),
    );
    assert.throws(() => note.set('nope' as never, 1 as never), instanceOf(ConfigurationError));
    assert.throws(() => model('ia_bad', { id: columns.int().partitionKey(), equals: columns.int() }), instanceOf(ConfigurationError));
  });

  it('types follow the columns', () => {
    const note = new Note({ id: 3 });
    const title: string | null = note.get('title');
    const tags: Set<string> = note.get('tags');
    // @ts-expect-error: not a column
    assert.throws(() => note.get('nope'));
    // @ts-expect-error: a number is no text
    assert.throws(() => note.set('title', 5));
    assert.equal(title, null);
    assert.equal(tags.size, 0);
  });
});

describe('blind counter updates', () => {
  it('a plain value adds to the counter, alongside __incr and __decr', async () => {
    await Hits.filter({ page: '/' }).update({ hits: 5 });
    await Hits.filter({ page: '/' }).update({ hits: 3n, bytes: 100 });
    await Hits.filter({ page: '/' }).update({ hits__incr: 1, bytes: -40 });
    const row = await Hits.get({ page: '/' });
    assert.equal(row.hits, 9n);
    assert.equal(row.bytes, 60n);
    await Hits.filter({ page__in: ['/', '/b'] }).update({ hits: -2 });
    assert.equal((await Hits.get({ page: '/' })).hits, 7n);
    assert.equal((await Hits.get({ page: '/b' })).hits, -2n);
  });

  it('refuses values that are not 64-bit integers, before the wire', async () => {
    await assert.rejects(
      Hits.filter({ page: '/' }).update({ hits: 1.5 }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'hits')),
    );
    await assert.rejects(Hits.filter({ page: '/' }).update({ hits: 2n ** 63n }), instanceOf(ValidationError));
    assert.equal((await Hits.get({ page: '/' })).hits, 7n);
  });
});
