#!/usr/bin/env node
/**
 * `cqlengine sync --plan|--apply <module>`: plans (and on request applies) the schema of the models
 * a module exports. The output is a cqlsh script: statements, with reasons and drift as comments.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as connection from '../connection/index.js';
import { BaseModel } from '../model/model.js';
import { UserType } from '../schema/user-type.js';
import { apply, plan, type Plannable, type PlanOptions, type SchemaPlan } from './index.js';

const usage = `Usage: cqlengine sync --plan|--apply <module> [options]

Compares the models and user types a module exports with the database, and prints the statements
a sync would run and the drift it leaves (as a cqlsh script). --apply then runs the statements.

The module is imported (a path, absolute or relative to the current directory). Every exported
model class (model()) and user type (userType()) is planned, also those in an exported object
(export default { User, Post }). If it exports \`setup\`, an async function, it is awaited first with
{ hosts, keyspace } from the options and registers the connections itself; else, unless importing
the module registered one, the CLI calls connection.setup(--hosts, --keyspace).
A TypeScript module needs a loader: NODE_OPTIONS="--import tsx" npx cqlengine sync --plan models.ts

Options:
  --hosts H[,H...]         contact points, when the module makes no connection itself
  --keyspace KS            the default keyspace (models without one, user types)
  --keyspaces KS[,KS...]   plan in these keyspaces instead of each model's
  --connections N[,N...]   plan on these named connections instead of each model's
  --create-keyspaces RF    create missing keyspaces (SimpleStrategy, replication factor RF)
  --json                   print the plan as JSON

Exit status: 0 without drift, 2 when there is drift a person must resolve, 1 on an error.`;

const list = (raw: string | undefined) =>
  raw
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Every model class and user type among a module's exports, and one level into exported objects. */
function collect(exports: Record<string, unknown>): Plannable[] {
  const found = new Set<Plannable>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'function' && value.prototype instanceof BaseModel) {
      if (!(value as unknown as Plannable & { schema: { abstract: boolean } }).schema.abstract) found.add(value as unknown as Plannable);
    } else if (value instanceof UserType) {
      found.add(value);
    } else if (depth === 0 && value !== null && typeof value === 'object') {
      for (const inner of Object.values(value)) visit(inner, 1);
    }
  };
  for (const [name, value] of Object.entries(exports)) if (name !== 'setup') visit(value, 0);
  return [...found];
}

function print(schemaPlan: SchemaPlan): void {
  const out: string[] = [];
  for (const s of schemaPlan.statements) {
    out.push(`-- ${s.action} for ${s.subject}: ${s.reason} (connection '${s.connection}')`, `${s.cql};`);
  }
  if (schemaPlan.statements.length === 0) out.push('-- nothing to run: the database has everything the models need');
  for (const d of schemaPlan.drift) out.push(`-- DRIFT ${d.kind} (${d.model}, connection '${d.connection}'): ${d.message}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      plan: { type: 'boolean' },
      apply: { type: 'boolean' },
      hosts: { type: 'string' },
      keyspace: { type: 'string' },
      keyspaces: { type: 'string' },
      connections: { type: 'string' },
      'create-keyspaces': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const [command, spec, ...rest] = positionals;
  if (command !== 'sync' || !spec || rest.length || values.plan === values.apply) {
    process.stderr.write(`${usage}\n`);
    return 1;
  }
  const hosts = list(values.hosts);
  const keyspace = values.keyspace;
  const options: PlanOptions = { keyspaces: list(values.keyspaces), connections: list(values.connections) };
  if (values['create-keyspaces'] !== undefined) options.createKeyspaces = { replicationFactor: Number(values['create-keyspaces']) };

  const exports = (await import(pathToFileURL(resolve(process.cwd(), spec)).href)) as Record<string, unknown>;
  if (typeof exports['setup'] === 'function') await (exports['setup'] as (o: object) => unknown)({ hosts, keyspace });
  if (connection.listConnections().length === 0) {
    if (!hosts?.length)
      throw new Error(`${spec} made no connection: pass --hosts (and --keyspace), or export a setup() that registers one`);
    await connection.setup(hosts, keyspace ?? null);
  } else if (hosts && typeof exports['setup'] !== 'function') {
    throw new Error(`${spec} registered its own connections: leave out --hosts`);
  }
  const subjects = collect(exports);
  if (subjects.length === 0) throw new Error(`${spec} exports no model class and no user type`);

  const schemaPlan = await plan(subjects, options);
  // A statement's registry is an object of the process, not data to print.
  if (values.json)
    process.stdout.write(`${JSON.stringify(schemaPlan, (key, value: unknown) => (key === 'registry' ? undefined : value), 2)}\n`);
  else print(schemaPlan);
  if (values.apply) {
    await apply(schemaPlan);
    if (!values.json) process.stdout.write(`-- applied ${schemaPlan.statements.length} statement(s)\n`);
  }
  return schemaPlan.drift.length ? 2 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`cqlengine: ${err instanceof Error ? err.message : String(err)}\n`);
  if ((err as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    process.stderr.write('A TypeScript module needs a loader: NODE_OPTIONS="--import tsx" npx cqlengine sync …\n');
  }
} finally {
  await connection.shutdown().catch(() => undefined);
}
process.exitCode = code;
