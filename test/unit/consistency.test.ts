import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { consistencyName, parseConsistency } from '../../src/connection/consistency.js';
import { CQLEngineError, ConfigurationError } from '../../src/errors.js';

const c = types.consistencies;

describe('parseConsistency', () => {
  it('accepts every driver consistency number as it is', () => {
    for (const value of Object.values(c)) assert.equal(parseConsistency(value), value);
  });

  it('accepts the names in upper case, snake case and camel case', () => {
    assert.equal(parseConsistency('QUORUM'), c.quorum);
    assert.equal(parseConsistency('quorum'), c.quorum);
    assert.equal(parseConsistency('ONE'), c.one);
    assert.equal(parseConsistency('ALL'), c.all);
    assert.equal(parseConsistency('ANY'), c.any);
    assert.equal(parseConsistency('local_quorum'), c.localQuorum);
    assert.equal(parseConsistency('LOCAL_QUORUM'), c.localQuorum);
    assert.equal(parseConsistency('localQuorum'), c.localQuorum);
    assert.equal(parseConsistency('EACH_QUORUM'), c.eachQuorum);
    assert.equal(parseConsistency('LOCAL_ONE'), c.localOne);
    assert.equal(parseConsistency('local_serial'), c.localSerial);
    assert.equal(parseConsistency('SERIAL'), c.serial);
    assert.equal(parseConsistency('two'), c.two);
    assert.equal(parseConsistency('Three'), c.three);
  });

  it('rejects unknown names and numbers with a ConfigurationError naming option and value', () => {
    for (const bad of ['QUARUM', '', ' quorum', 'local-quorum', '4', 'toString', '__proto__', 11, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => parseConsistency(bad),
        (err: unknown) => {
          assert.ok(err instanceof ConfigurationError, `${String(bad)}: ${String(err)}`);
          assert.ok(err instanceof CQLEngineError);
          assert.equal(err.option, 'consistency');
          assert.equal(err.value, bad);
          assert.equal(err.name, 'ConfigurationError');
          return true;
        },
      );
    }
  });

  it('rejects values of other types', () => {
    for (const bad of [null, undefined, true, {}, [], 4n]) {
      assert.throws(() => parseConsistency(bad as never), ConfigurationError);
    }
  });

  it('names the option it was given and lists the valid names', () => {
    assert.throws(
      () => parseConsistency('sometimes', 'serialConsistency'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigurationError);
        assert.equal(err.option, 'serialConsistency');
        assert.match(err.message, /serialConsistency/);
        assert.match(err.message, /"sometimes"/);
        assert.match(err.message, /\bLOCAL_QUORUM\b/);
        assert.match(err.message, /\bEACH_QUORUM\b/);
        assert.match(err.message, /\bQUORUM\b/);
        return true;
      },
    );
  });
});

describe('consistencyName', () => {
  it('gives the driver name of a number, or the number itself', () => {
    assert.equal(consistencyName(c.localQuorum), 'localQuorum');
    assert.equal(consistencyName(c.one), 'one');
    assert.equal(consistencyName(42), '42');
  });
});
