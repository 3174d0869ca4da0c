/**
 * management.plan against the real node: the statements a sync would run and the drift it leaves,
 * with no DDL sent (watched on the statement channel); syncTable/syncType warning about drift; the
 * `cqlengine sync` CLI run as a child process, with its exit codes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Client } from 'cassandra-driver';
import { CQLEngineError, ConfigurationError, columns, connection, management, model, userType } from '../../src/index.js';
import { ConnectionRegistry, type StatementEvent } from '../../src/connection/index.js';
import { REPO_ROOT, TestKeyspaces, adminClient, ensureCassandra, uniqueKeyspaceName } from '../helpers/cassandra.js';
import { captureLogs, instanceOf } from '../helpers/util.js';

type TableMeta = NonNullable<Awaited<ReturnType<Client['metadata']['getTable']>>>;

let hosts: string[];
let keyspaces: TestKeyspaces;

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
});

afterEach(async () => {
  await connection.shutdown();
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

/** What a fresh client sees of a table (null: no table). */
async function inspect(keyspace: string, table: string): Promise<TableMeta | null> {
  const client = await adminClient(hosts);
  try {
    return await client.metadata.getTable(keyspace, table);
  } finally {
    await client.shutdown();
  }
}

/** Runs `fn` while recording every statement cqlengine sends. */
async function watched<T>(fn: () => Promise<T>): Promise<{ result: T; events: StatementEvent[] }> {
  const events: StatementEvent[] = [];
  const stop = connection.onStatement((e) => events.push(e));
  try {
    return { result: await fn(), events };
  } finally {
    stop();
  }
}

/** Only reads went out: no DDL, nothing but SELECTs. */
function assertNoDdl(events: readonly StatementEvent[]): void {
  for (const e of events) {
    assert.notEqual(e.kind, 'ddl', e.cql);
    assert.match(e.cql, /^\s*SELECT\b/i, e.cql);
  }
}

const Address = userType('plan_address', { street: columns.text(), zip: columns.int() });
const defs = {
  id: columns.int().partitionKey(),
  at: columns.int().primaryKey().clusteringOrder('desc'),
  name: columns.text().index(),
  home: columns.udt(Address),
  b: columns.int(),
  c: columns.text(),
};

describe('management.plan', () => {
  it('on an empty keyspace lists create type, create table and create index, and sends no DDL', async () => {
    const ks = await keyspaces.create();
    await connection.setup(hosts, ks);
    const Person = model('plan_person', defs);
    const { result, events } = await watched(() => management.plan([Person]));
    assertNoDdl(events);
    assert.deepEqual(
      result.statements.map((s) => [s.action, s.subject, s.keyspace, s.connection]),
      [
        ['create type', 'plan_address', ks, 'default'],
        ['create table', 'plan_person', ks, 'default'],
        ['create index', 'plan_person', ks, 'default'],
      ],
    );
    assert.match(result.statements[0]!.cql, /^CREATE TYPE IF NOT EXISTS "[^"]+"\."plan_address"/);
    assert.match(result.statements[1]!.cql, /^CREATE TABLE IF NOT EXISTS .*CLUSTERING ORDER BY \("at" DESC\)/);
    assert.match(result.statements[1]!.reason, /does not exist/);
    assert.match(result.statements[2]!.cql, /^CREATE INDEX IF NOT EXISTS .*\("name"\)/);
    assert.deepEqual(result.drift, []);
    assert.equal(await inspect(ks, 'plan_person'), null, 'plan created nothing');

    // Applied, the plan is the sync; then there is nothing left to plan. Each DDL event names its subject.
    const applied = await watched(() => management.apply(result));
    assert.deepEqual(
      applied.events.map((e) => [e.kind, e.model]),
      [
        ['ddl', 'plan_address'],
        ['ddl', 'plan_person'],
        ['ddl', 'plan_person'],
      ],
    );
    assert.ok(await inspect(ks, 'plan_person'));
    const again = await watched(() => management.plan([Person, Address]));
    assertNoDdl(again.events);
    assert.deepEqual(again.result, { statements: [], drift: [] });
  });

  it('after syncTable and syncType the plan is empty; each type is planned once', async () => {
    const ks = await keyspaces.create();
    await connection.setup(hosts, ks);
    const Person = model('plan_person', defs);
    const Other = model('plan_other', { id: columns.int().partitionKey(), home: columns.udt(Address) });
    const fresh = await management.plan([Person, Other, Address]);
    assert.deepEqual(fresh.statements.filter((s) => s.action === 'create type').length, 1);
    await management.syncType(Address);
    await management.syncTable(Person);
    await management.syncTable(Other);
    assert.deepEqual(await management.plan([Person, Other, Address]), { statements: [], drift: [] });
  });

  it('a missing keyspace is drift, or a CREATE KEYSPACE when createKeyspaces asks for it', async () => {
    await connection.setup(hosts, null);
    const missing = uniqueKeyspaceName();
    const M = model('plan_m', { id: columns.int().partitionKey(), home: columns.udt(Address) }, { keyspace: missing });
    const { result, events } = await watched(() => management.plan([M]));
    assertNoDdl(events);
    assert.deepEqual(result.statements, []);
    assert.deepEqual(
      result.drift.map((d) => [d.kind, d.keyspace, d.model]),
      [['missing-keyspace', missing, 'plan_m']],
    );
    assert.match(result.drift[0]!.message, /does not exist/);

    const creating = await watched(() => management.plan([M], { createKeyspaces: { replicationFactor: 1 } }));
    assertNoDdl(creating.events);
    assert.deepEqual(creating.result.drift, []);
    assert.deepEqual(
      creating.result.statements.map((s) => s.action),
      ['create keyspace', 'create type', 'create table'],
    );
    assert.match(creating.result.statements[0]!.cql, /^CREATE KEYSPACE IF NOT EXISTS .*'SimpleStrategy'.*durable_writes = true$/);
    assert.equal(await keyspaces.keyspaceExists(missing), false);
    try {
      await management.apply(creating.result);
      await M.create({ id: 1, home: { street: 'x' } });
      assert.equal((await M.get({ id: 1 })).home!.street, 'x');
      assert.deepEqual(await management.plan([M]), { statements: [], drift: [] });
    } finally {
      await keyspaces.execute(`DROP KEYSPACE IF EXISTS ${missing}`);
    }
  });

  it('reports changed column types, extra and static columns and plans removed ones; syncTable warns and adds', async () => {
    const ks = await keyspaces.create();
    await connection.setup(hosts, ks);
    const V1 = model('plan_drift', { ...defs, b: columns.text(), s: columns.text() });
    await management.syncTable(V1);
    // Out of band: an extra column, a column of the model dropped.
    await keyspaces.execute(`ALTER TABLE ${ks}.plan_drift ADD extra bigint`);
    await keyspaces.execute(`ALTER TABLE ${ks}.plan_drift DROP c`);
    // The model now says b is an int (the table has text) and s is static.
    const V2 = model('plan_drift', { ...defs, s: columns.text().static() });

    const { result, events } = await watched(() => management.plan([V2]));
    assertNoDdl(events);
    assert.deepEqual(
      result.statements.map((s) => [s.action, s.cql]),
      [['alter table', `ALTER TABLE "${ks}"."plan_drift" ADD "c" text`]],
    );
    const drift = result.drift.map((d) => ({ kind: d.kind, column: d.column, expected: d.expected, actual: d.actual }));
    assert.deepEqual(drift, [
      { kind: 'column-type', column: 'b', expected: 'int', actual: 'text' },
      { kind: 'static', column: 's', expected: 'static', actual: 'not static' },
      { kind: 'extra-column', column: 'extra', expected: undefined, actual: 'bigint' },
    ]);
    assert.match(result.drift[0]!.message, /differing from the model type/);
    assert.match(result.drift[2]!.message, /lacks/);
    assert.ok(await inspect(ks, 'plan_drift').then((t) => !t!.columnsByName['c']), 'plan added nothing');

    const log = captureLogs();
    try {
      await management.syncTable(V2);
    } finally {
      log.restore();
    }
    const warnings = log.entries.filter((e) => e.level === 'warn').map((e) => e.message);
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(
      warnings[0]!,
      new RegExp(
        `^\\[Connection: default, Keyspace: ${ks}\\] Existing table ${ks}\\.plan_drift has column "b" with a type \\(text\\) differing from the model type \\(int\\)`,
      ),
    );
    assert.match(warnings[2]!, /"extra"/);
    const t = (await inspect(ks, 'plan_drift'))!;
    assert.ok(t.columnsByName['c'], 'the removed column is back');
    assert.equal(t.columnsByName['b']!.type.code, (await inspect(ks, 'plan_drift'))!.columnsByName['c']!.type.code, 'b is still text');
    // What is left is drift only.
    const left = await management.plan([V2]);
    assert.deepEqual(left.statements, []);
    assert.deepEqual(
      left.drift.map((d) => d.kind),
      ['column-type', 'static', 'extra-column'],
    );
  });

  it("reports a user type field's changed type and extra field; syncType warns and adds missing fields", async () => {
    const ks = await keyspaces.create();
    await connection.setup(hosts, ks);
    await keyspaces.execute(`CREATE TYPE ${ks}.plan_address (street text, zip text, country text)`);
    const Wider = userType('plan_address', { street: columns.text(), zip: columns.int(), phones: columns.list(columns.text()) });
    const { result, events } = await watched(() => management.plan([Wider]));
    assertNoDdl(events);
    assert.deepEqual(
      result.statements.map((s) => [s.action, s.cql]),
      [['alter type', `ALTER TYPE "${ks}"."plan_address" ADD "phones" list<text>`]],
    );
    assert.deepEqual(
      result.drift.map((d) => [d.kind, d.model, d.column, d.expected, d.actual]),
      [
        ['field-type', 'plan_address', 'zip', 'int', 'text'],
        ['extra-field', 'plan_address', 'country', undefined, 'text'],
      ],
    );
    const log = captureLogs();
    try {
      await management.syncType(Wider);
    } finally {
      log.restore();
    }
    const warnings = log.entries.filter((e) => e.level === 'warn').map((e) => e.message);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0]!, /has field "zip" with a type \(text\) differing from the model user type \(int\)/);
    // The collection field now exists (frozen inside the type, however the server reports it): no more statements.
    const left = await management.plan([Wider]);
    assert.deepEqual(left.statements, []);
    assert.deepEqual(
      left.drift.map((d) => d.kind),
      ['field-type', 'extra-field'],
    );
  });

  it('a changed primary key or clustering order is drift in the plan; syncTable refuses the key', async () => {
    const ks = await keyspaces.create();
    await connection.setup(hosts, ks);
    const Keyed = model('plan_keyed', { id: columns.int().partitionKey(), seq: columns.int().primaryKey(), v: columns.text() });
    await management.syncTable(Keyed);
    const Rekeyed = model('plan_keyed', {
      id: columns.int().partitionKey(),
      other: columns.int().primaryKey(),
      v: columns.text(),
      w: columns.text(),
    });
    const { result, events } = await watched(() => management.plan([Rekeyed]));
    assertNoDdl(events);
    assert.deepEqual(result.statements, [], 'nothing is planned for a table whose key differs');
    assert.deepEqual(
      result.drift.map((d) => [d.kind, d.expected, d.actual]),
      [['primary-key', '((id), other)', '((id), seq)']],
    );
    await assert.rejects(
      management.syncTable(Rekeyed),
      instanceOf(CQLEngineError, (e: Error) => assert.match(e.message, /primary key/)),
    );

    const Reordered = model('plan_keyed', {
      id: columns.int().partitionKey(),
      seq: columns.int().primaryKey().clusteringOrder('desc'),
      v: columns.text(),
    });
    const reordered = await management.plan([Reordered]);
    assert.deepEqual(
      reordered.drift.map((d) => [d.kind, d.expected, d.actual]),
      [['clustering-order', 'seq DESC', 'seq ASC']],
    );
    assert.deepEqual(reordered.statements, []);
  });

  it('refuses what is not a model or user type, and bad options, before anything is sent', async () => {
    await connection.setup(hosts, null);
    const { events } = await watched(async () => {
      const notA = (option: string, text: RegExp) =>
        instanceOf(ConfigurationError, (e: ConfigurationError) => {
          assert.equal(e.option, option);
          assert.match(e.message, text);
        });
      for (const bad of [{}, 'users', null, class NotAModel {}]) {
        await assert.rejects(
          management.plan([bad as never]),
          notA('model', /Expected a model \(made with model\(\) or extend\(\)\) or a user type/),
        );
      }
      await assert.rejects(management.syncTable('users' as never), notA('model', /got "users"/));
      await assert.rejects(management.syncTable(class Users {} as never), notA('model', /got function Users/));
      await assert.rejects(management.syncTable(Address as never), notA('model', /got user type plan_address: use syncType/));
      await assert.rejects(
        management.syncType(model('plan_x', { id: columns.int().partitionKey() }) as never),
        notA('type', /got model plan_x: use syncTable/),
      );
      await assert.rejects(management.dropType(42 as never), notA('type', /got 42/));
      await assert.rejects(management.syncType(Address, { keyspaces: ['bad name'] }), instanceOf(ConfigurationError));
      const M = model('plan_m', { id: columns.int().partitionKey() }, { keyspace: 'anything' });
      await assert.rejects(management.plan([M], { createKeyspaces: { replicationFactor: 0 } }), instanceOf(ConfigurationError));
      await assert.rejects(management.plan(M as never), instanceOf(ConfigurationError));
    });
    assert.deepEqual(events, []);
  });
});

describe('plan and apply with isolated registries', () => {
  const regA = new ConnectionRegistry();
  const regB = new ConnectionRegistry();

  after(async () => {
    await regA.shutdown();
    await regB.shutdown();
  });

  it("plan each model on its own registry's connection, and apply sends each statement there; the module registry is never used", async () => {
    const ks = await keyspaces.create();
    // Both registries name their connection 'default' and default to the same keyspace: only the registry tells them apart.
    for (const reg of [regA, regB]) {
      await reg.register('default', { hosts, default: true });
      reg.defaultKeyspace = ks;
    }
    const cols = () => ({ id: columns.int().partitionKey(), v: columns.text() });
    const A = model('plan_reg', cols(), { registry: regA });
    const B = model('plan_reg', cols(), { registry: regB });
    const { result, events } = await watched(() => management.plan([A, B]));
    assertNoDdl(events);
    assert.deepEqual(
      result.statements.map((s) => [s.registry === regA ? 'A' : s.registry === regB ? 'B' : '?', s.connection, s.action]),
      [
        ['A', 'default', 'create table'],
        ['B', 'default', 'create table'],
      ],
    );
    assert.deepEqual(connection.listConnections(), []);
    await management.apply(result);
    assert.ok(await inspect(ks, 'plan_reg'));
    assert.deepEqual(await management.plan([A, B]), { statements: [], drift: [] });
    // An explicit registry option wins over the model's.
    const viaB = await management.plan([model('plan_reg2', cols(), { registry: regA })], { registry: regB });
    assert.deepEqual(
      viaB.statements.map((s) => s.registry === regB),
      [true],
    );
  });

  it('apply refuses a statement whose registry is not a ConnectionRegistry before sending anything', async () => {
    const statement = {
      connection: 'default',
      keyspace: 'nowhere',
      subject: 'x',
      action: 'create table',
      cql: 'CREATE TABLE nowhere.x (id int PRIMARY KEY)',
      reason: 'test',
    };
    const { events } = await watched(() =>
      assert.rejects(
        management.apply({
          statements: [
            { ...statement, registry: regA },
            { ...statement, registry: {} as never },
          ],
          drift: [],
        } as never),
        instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, 'statements[1].registry')),
      ),
    );
    assert.deepEqual(events, []);
  });
});

const CLI = join(REPO_ROOT, 'src', 'management', 'cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx src/management/cli.ts …`, as a user with tsx runs it. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_DEBUG: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const show = (r: Run) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

describe('cqlengine sync (CLI)', () => {
  it('--plan prints and changes nothing, --apply applies, drift exits 2', async () => {
    const ks = await keyspaces.create();
    const target = ['--hosts', hosts.join(','), '--keyspace', ks];

    let run = await cli(['sync', '--plan', 'test/fixtures/models-for-cli.ts', ...target]);
    assert.equal(run.code, 0, show(run));
    assert.match(run.stdout, /-- create type for cli_address: .*\nCREATE TYPE IF NOT EXISTS .*"cli_address".*;\n/);
    assert.match(run.stdout, /CREATE TABLE IF NOT EXISTS .*"cli_person"/);
    assert.match(run.stdout, /CREATE INDEX IF NOT EXISTS .*\("name"\);/);
    assert.doesNotMatch(run.stdout, /DRIFT/);
    assert.equal(await inspect(ks, 'cli_person'), null, '--plan created nothing');

    run = await cli(['sync', '--apply', 'test/fixtures/models-for-cli.ts', ...target]);
    assert.equal(run.code, 0, show(run));
    assert.match(run.stdout, /-- applied 3 statement\(s\)/);
    assert.ok(await inspect(ks, 'cli_person'));

    run = await cli(['sync', '--plan', 'test/fixtures/models-for-cli.ts', ...target, '--json']);
    assert.equal(run.code, 0, show(run));
    assert.deepEqual(JSON.parse(run.stdout), { statements: [], drift: [] });

    await keyspaces.execute(`ALTER TABLE ${ks}.cli_person ADD legacy text`);
    run = await cli(['sync', '--plan', 'test/fixtures/models-for-cli.ts', ...target]);
    assert.equal(run.code, 2, show(run));
    assert.match(run.stdout, /-- nothing to run/);
    assert.match(run.stdout, /-- DRIFT extra-column \(cli_person, connection 'default'\): .*"legacy"/);
  });

  it("awaits the module's setup(), finds models in an exported object, and creates keyspaces on request", async () => {
    const ks = uniqueKeyspaceName();
    try {
      const args = ['sync', '--apply', 'test/fixtures/models-for-cli-setup.ts', '--hosts', hosts.join(',')];
      let run = await cli(args, { CLI_TEST_KEYSPACE: ks });
      assert.equal(run.code, 2, show(run));
      assert.match(run.stdout, /-- DRIFT missing-keyspace/);
      assert.equal(await keyspaces.keyspaceExists(ks), false);

      run = await cli([...args, '--create-keyspaces', '1'], { CLI_TEST_KEYSPACE: ks });
      assert.equal(run.code, 0, show(run));
      assert.match(run.stdout, /-- create keyspace for cli_note: .*\nCREATE KEYSPACE IF NOT EXISTS/);
      assert.match(run.stdout, /connection 'cli'/);
      assert.ok(await inspect(ks, 'cli_note'));
    } finally {
      await keyspaces.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
    }
  });

  it('usage errors and a module without a connection exit 1 with a message', async () => {
    let run = await cli(['sync', 'test/fixtures/models-for-cli.ts']);
    assert.equal(run.code, 1, show(run));
    assert.match(run.stderr, /Usage: cqlengine sync --plan\|--apply/);
    run = await cli(['sync', '--plan', 'test/fixtures/models-for-cli.ts']);
    assert.equal(run.code, 1, show(run));
    assert.match(run.stderr, /made no connection: pass --hosts/);
    run = await cli(['--help']);
    assert.equal(run.code, 0, show(run));
    assert.match(run.stdout, /Exit status/);
  });
});
