/** Text length bounds (cqlengine's Text(min_length, max_length)) on text, ascii and varchar, against the node. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigurationError, ValidationError, columns, connection, management, model, userType } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const Tag = userType('len_tag', { label: columns.text({ maxLength: 3 }) });
const Profile = model('len_profiles', {
  id: columns.int().partitionKey(),
  nick: columns.text({ minLength: 2, maxLength: 5 }),
  code: columns.ascii({ maxLength: 3 }),
  motto: columns.varchar({ minLength: 1 }),
  tags: columns.list(columns.text({ maxLength: 4 })),
  tag: columns.udt(Tag),
});

let keyspaces: TestKeyspaces;

before(async () => {
  const { hosts } = await ensureCassandra();
  keyspaces = new TestKeyspaces(hosts);
  await connection.setup(hosts, await keyspaces.create());
  await management.syncTable(Profile);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

const tooLong = (column: string, max: number) =>
  instanceOf(ValidationError, (e: ValidationError) => {
    assert.equal(e.column, column);
    assert.match(e.message, new RegExp(`^${column.replace(/[[\]]/g, '\\$&')} is longer than ${max} characters`));
  });

describe('text length', () => {
  it('values within the bounds are written and read back', async () => {
    await Profile.create({ id: 1, nick: 'ab', code: 'XYZ', motto: 'm', tags: ['abcd'], tag: { label: 'abc' } });
    const read = await Profile.get({ id: 1 });
    assert.equal(read.nick, 'ab');
    assert.equal(read.code, 'XYZ');
    assert.deepEqual(read.tag, { label: 'abc' });
  });

  it('refuses strings too long or too short, naming the column and the bound, before the wire', async () => {
    await assert.rejects(Profile.create({ id: 2, nick: 'abcdef' }), tooLong('nick', 5));
    await assert.rejects(
      Profile.create({ id: 2, nick: 'a' }),
      instanceOf(ValidationError, (e: ValidationError) => {
        assert.equal(e.column, 'nick');
        assert.equal(e.value, 'a');
        assert.match(e.message, /nick is shorter than 2 characters/);
      }),
    );
    await assert.rejects(Profile.create({ id: 2, code: 'ABCD' }), tooLong('code', 3));
    await assert.rejects(Profile.create({ id: 2, motto: '' }), instanceOf(ValidationError));
    await assert.rejects(Profile.create({ id: 2, tags: ['ok', 'toolong'] }), tooLong('tags[1]', 4));
    await assert.rejects(Profile.create({ id: 2, tag: { label: 'abcd' } }), tooLong('tag.label', 3));
    const p = new Profile({ id: 2 });
    assert.throws(
      () => {
        p.nick = 'abcdefgh';
      },
      tooLong('nick', 5),
    );
    assert.equal(await Profile.filter({ id: 2 }).count(), 0, 'nothing was written');
    // Blind updates check too.
    await assert.rejects(Profile.filter({ id: 1 }).update({ nick: 'abcdef' }), tooLong('nick', 5));
    assert.equal((await Profile.get({ id: 1 })).nick, 'ab');
  });

  it('a minLength refuses null, as min_length does in cqlengine; a maxLength alone leaves it alone', async () => {
    await assert.rejects(
      Profile.create({ id: 3, motto: 'm' }),
      instanceOf(ValidationError, (e: ValidationError) => assert.match(e.message, /nick is required: got null/)),
    );
    await Profile.create({ id: 3, nick: 'ab', motto: 'm' });
    const read = await Profile.get({ id: 3 });
    assert.equal(read.code, null);
    assert.equal(read.tag, null);
  });

  it('counts characters, not UTF-16 units: an emoji is one', async () => {
    await Profile.create({ id: 4, nick: '😀😀😀😀😀', motto: 'm' });
    assert.equal((await Profile.get({ id: 4 })).nick, '😀😀😀😀😀');
    await assert.rejects(Profile.create({ id: 4, nick: '😀😀😀😀😀😀' }), tooLong('nick', 5));
  });

  it('refuses bad bounds when the column is defined', () => {
    assert.throws(() => columns.text({ minLength: -1 }), instanceOf(ConfigurationError));
    assert.throws(() => columns.text({ maxLength: 1.5 }), instanceOf(ConfigurationError));
    assert.throws(
      () => columns.ascii({ minLength: 3, maxLength: 2 }),
      instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, 'maxLength')),
    );
    assert.throws(() => columns.text(null as never), instanceOf(ConfigurationError));
    assert.equal(columns.text({}).type.cql, 'text');
  });
});
