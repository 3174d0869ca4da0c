/**
 * The templates of each model's plain writes: INSERTs, and UPDATEs by its whole primary key that
 * set changed columns to their new values, with no condition, TTL or timestamp. A service writes the
 * same columns over and over, and walking the shape cache for each write (a map lookup per column)
 * cost more than the rest of the write's own work. Kept by the columns written (bits of their
 * positions in the schema), for one keyspace per model, the last written: keyspaces chosen at run
 * time cannot grow it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ModelSchema } from '../schema/model-schema.js';
import type { Assignment, CompiledStatement, StatementTemplate } from '../statements/nodes.js';

/** Columns past this position are not kept by bit: a write naming one takes the generic path. */
export const MAX_KEYED_COLUMN = 30;

export type PlainWrite = 'insert' | 'update';

interface Kept {
  readonly keyspace: string;
  readonly insert: Map<number, StatementTemplate>;
  readonly update: Map<number, StatementTemplate>;
}

const kept = new WeakMap<ModelSchema, Kept>();

/** The kept template of this kind of write of these columns in this keyspace; undefined the first time. */
export function keptWrite(schema: ModelSchema, keyspace: string, kind: PlainWrite, columns: number): StatementTemplate | undefined {
  const forModel = kept.get(schema);
  return forModel?.keyspace === keyspace ? forModel[kind].get(columns) : undefined;
}

/** Keeps the template the generic path compiled for this kind of write of these columns. */
export function keepWrite(schema: ModelSchema, keyspace: string, kind: PlainWrite, columns: number, template: StatementTemplate): void {
  let forModel = kept.get(schema);
  if (forModel?.keyspace !== keyspace) kept.set(schema, (forModel = { keyspace, insert: new Map(), update: new Map() }));
  forModel[kind].set(columns, template);
}

/** The values a plain UPDATE binds: the assignments', then the primary key's. */
export function plainUpdateValues(schema: ModelSchema, assignments: readonly Assignment[], values: Record<string, unknown>): unknown[] {
  const keys = schema.primaryKeys;
  const out = new Array<unknown>(assignments.length + keys.length);
  let at = 0;
  for (const a of assignments) out[at++] = a.value;
  for (const k of keys) out[at++] = values[k.name];
  return out;
}

/** Keeps the generic path's UPDATE, when it binds exactly the values the kept template will be given. */
export function keepPlainUpdate(schema: ModelSchema, keyspace: string, columns: number, stmt: CompiledStatement, values: unknown[]): void {
  if (isDeepStrictEqual(stmt.values, values)) keepWrite(schema, keyspace, 'update', columns, stmt.template);
}
