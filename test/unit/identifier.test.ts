import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quote, validateIdentifier } from '../../src/schema/identifier.js';
import { ConfigurationError } from '../../src/errors.js';

describe('validateIdentifier', () => {
  it('accepts letters, digits and underscores and returns the name unchanged', () => {
    for (const name of ['ks', 'KS', 'my_keyspace', '_x', 'a1', '1a', 'x'.repeat(48), 'CamelCase']) {
      assert.equal(validateIdentifier(name, 'keyspace'), name);
      assert.equal(validateIdentifier(name, 'table'), name);
    }
  });

  it('limits keyspace and table names to 48 characters, columns and indexes to 256', () => {
    assert.throws(() => validateIdentifier('x'.repeat(49), 'keyspace'), ConfigurationError);
    assert.throws(() => validateIdentifier('x'.repeat(49), 'table'), ConfigurationError);
    assert.equal(validateIdentifier('x'.repeat(49), 'column'), 'x'.repeat(49));
    assert.equal(validateIdentifier('x'.repeat(256), 'column'), 'x'.repeat(256));
    assert.equal(validateIdentifier('x'.repeat(256), 'index'), 'x'.repeat(256));
    assert.throws(() => validateIdentifier('x'.repeat(257), 'column'), ConfigurationError);
    assert.throws(() => validateIdentifier('x'.repeat(257), 'index'), ConfigurationError);
  });

  it('rejects anything that could escape the identifier', () => {
    const bad = [
      '',
      'my-keyspace',
      'my keyspace',
      'ks;',
      'ks"',
      '"ks"',
      "ks'",
      "x'; DROP KEYSPACE system; --",
      'ks.table',
      'ks\n',
      'ké',
      'ks\u0000',
    ];
    for (const name of bad) {
      for (const kind of ['keyspace', 'table', 'column', 'type', 'index'] as const) {
        assert.throws(() => validateIdentifier(name, kind), ConfigurationError, `${kind} ${JSON.stringify(name)}`);
      }
    }
  });

  it('rejects values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['ks'], Symbol('ks')]) {
      assert.throws(() => validateIdentifier(value, 'keyspace'), ConfigurationError);
    }
  });

  it('names the option (the kind by default) and the value in the error', () => {
    assert.throws(
      () => validateIdentifier('bad-name', 'keyspace', 'defaultKeyspace'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigurationError);
        assert.equal(err.option, 'defaultKeyspace');
        assert.equal(err.value, 'bad-name');
        assert.match(err.message, /keyspace/);
        assert.match(err.message, /"bad-name"/);
        return true;
      },
    );
    assert.throws(
      () => validateIdentifier('bad name', 'column'),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'column',
    );
  });
});

describe('quote', () => {
  it('double-quotes a name so that case and reserved words are kept', () => {
    assert.equal(quote('MyTable'), '"MyTable"');
    assert.equal(quote('select'), '"select"');
  });
});
