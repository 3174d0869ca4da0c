/**
 * Errors that say what happened, and statements you can see: driver errors name the cqlengine
 * connection, keyspace and model (and stay the driver's classes), a missing table or keyspace says
 * what creates it, required columns say "required", a statement sent before setup() finished says
 * so, and statements are logged at debug with their connection and keyspace.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { errors } from 'cassandra-driver';
import { UnknownConnectionError, ValidationError, batch, columns, connection, management, model } from '../../src/index.js';
import { setLogger } from '../../src/log.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';
import { captureLogs } from '../helpers/util.js';

let hosts: string[];
let keyspaces: TestKeyspaces;
let ks: string;

const Ghost = model('ghosts', { id: columns.int().partitionKey(), name: columns.text() });
const Ghost2 = model('ghosts2', { id: columns.int().partitionKey() });
const Real = model('reals', { id: columns.int().partitionKey(), name: columns.text().required() });

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ks = await keyspaces.create();
});

afterEach(async () => {
  setLogger();
  await connection.shutdown();
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

/** A ResponseError annotated with the context of the statement. */
function annotated(model: string | undefined, keyspace: string | undefined, text: RegExp) {
  return (err: unknown): true => {
    assert.ok(err instanceof errors.ResponseError, `a driver ResponseError, got ${String(err)}`);
    const e = err as errors.ResponseError & { connection: string; keyspace: string | undefined; model: string | undefined };
    assert.equal(e.connection, 'default');
    assert.equal(e.keyspace, keyspace);
    assert.equal(e.model, model);
    const context = `[Connection: default${keyspace ? `, Keyspace: ${keyspace}` : ''}${model ? `, Model: ${model}` : ''}] `;
    assert.ok(e.message.startsWith(context), e.message);
    assert.match(e.message, text);
    assert.ok(e.stack!.includes(context), 'the stack shows the annotated message');
    return true;
  };
}

describe('driver errors', () => {
  it('a missing table names the model and what creates it, on reads and writes', async () => {
    await connection.setup(hosts, ks);
    // 'unconfigured columnfamily ghosts' on 2.1, 'unconfigured table ghosts' on 3.x and 4.x, 'table ghosts does not exist' on 5.0.
    const missing = new RegExp(
      `(unconfigured (table|columnfamily) ghosts|table ghosts does not exist): model ghosts needs it in keyspace ${ks}; management\\.syncTable\\(model\\) creates it$`,
    );
    await assert.rejects(Ghost.objects().all(), annotated('ghosts', ks, missing));
    await assert.rejects(Ghost.create({ id: 1, name: 'a' }), annotated('ghosts', ks, missing));
    await assert.rejects(Ghost.objects().count(), annotated('ghosts', ks, missing));
    await management.syncTable(Ghost);
    assert.deepEqual(await Ghost.objects().all(), []);
  });

  it('a missing keyspace says what creates it', async () => {
    await connection.setup(hosts, 'cqle_no_such_keyspace');
    await assert.rejects(
      Ghost.objects().all(),
      annotated(
        'ghosts',
        'cqle_no_such_keyspace',
        /cqle_no_such_keyspace.*does not exist: management\.createKeyspaceSimple\('cqle_no_such_keyspace'/,
      ),
    );
  });

  it('a batch names its models', async () => {
    await connection.setup(hosts, ks);
    await management.syncTable(Real);
    await assert.rejects(
      batch(async (b) => {
        await Real.objects().batch(b).create({ id: 1, name: 'r' });
        await Ghost2.objects().batch(b).filter({ id: 2 }).delete();
      }),
      (err: unknown) => {
        assert.ok(err instanceof errors.ResponseError);
        assert.match(
          err.message,
          /^\[Connection: default, Keyspace: .*, Model: reals,ghosts2\] .*ghosts2.*: model ghosts2 needs it in keyspace/,
        );
        return true;
      },
    );
  });

  it('connection.execute names the connection, and the keyspace when given', async () => {
    await connection.setup(hosts, ks);
    await connection.registerConnection('other', { hosts });
    await assert.rejects(connection.execute('SELECT * FROM no_such_ks_zz.t', [], { connection: 'other' }), (err: unknown) => {
      assert.ok(err instanceof errors.ResponseError);
      assert.match(err.message, /^\[Connection: other\] /);
      assert.equal((err as unknown as { connection: string }).connection, 'other');
      return true;
    });
  });
});

describe('validation messages', () => {
  it('a required column says "required"', async () => {
    await connection.setup(hosts, ks);
    await assert.rejects(Real.create({ id: 1, name: null as unknown as string }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.column, 'name');
      assert.equal(err.message, 'reals.name is required: got null');
      return true;
    });
  });
});

describe('setup() not awaited', () => {
  it('a statement sent while setup() connects says setup is still connecting', async () => {
    const pending = connection.setup(hosts, ks);
    await assert.rejects(Ghost.objects().all(), (err: unknown) => {
      assert.ok(err instanceof UnknownConnectionError);
      assert.match(err.message, /Connection 'default' is still connecting: await connection\.setup\(\)/);
      return true;
    });
    await pending;
    await management.syncTable(Ghost);
    assert.deepEqual(await Ghost.objects().all(), []);
  });

  it('without any setup, says to call it', async () => {
    await assert.rejects(Ghost.objects().all(), /set a default keyspace with connection\.setup\(\)/);
    await assert.rejects(
      Ghost.using({ keyspace: ks }).all(),
      /The default connection doesn't exist in the registry: call connection\.setup\(\)/,
    );
  });
});

describe('statement log', () => {
  it('logs every statement at debug with connection and keyspace, values only when asked', async () => {
    await connection.setup(hosts, ks);
    await management.syncTable(Real);
    const log = captureLogs();
    await Real.create({ id: 7, name: 'secret-name' });
    const line = log.entries.find((e) => e.level === 'debug' && e.message.includes('INSERT INTO'));
    assert.ok(line, 'the INSERT is logged');
    assert.match(line.message, new RegExp(`^\\[Connection: default, Keyspace: ${ks}\\] query: INSERT INTO .*\\(2 values\\)$`));
    assert.ok(!line.message.includes('secret-name'), 'no values unless asked');

    setLogger({ debug: (m) => log.entries.push({ level: 'debug', message: m }), info() {}, warn() {}, error() {} }, { logValues: true });
    await Real.objects().filter({ id: 7 }).update({ name: 'shown' });
    const withValues = log.entries.find((e) => e.message.includes('UPDATE'));
    assert.ok(withValues);
    assert.match(withValues.message, /\(2 values\) \["shown",7\]$/);
  });
});
