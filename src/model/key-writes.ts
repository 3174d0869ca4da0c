/**
 * The templates of each model's plain UPDATEs: by its whole primary key, setting changed columns to
 * their new values, with no condition, TTL or timestamp. A service that saves the same columns of
 * rows it loaded sends one text over and over, and walking the shape cache for it cost more than the
 * rest of such a save's own work. Kept by the columns set (bits of their positions in the schema),
 * for one keyspace per model, the last written: keyspaces chosen at run time cannot grow it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ModelSchema } from '../schema/model-schema.js';
import type { Assignment, CompiledStatement, StatementTemplate } from '../statements/nodes.js';

/** Columns past this position are not kept by bit: such a model's saves take the generic path. */
export const MAX_KEYED_COLUMN = 30;

const kept = new WeakMap<ModelSchema, { readonly keyspace: string; readonly byColumns: Map<number, StatementTemplate> }>();

/** The values such an UPDATE binds: the assignments', then the primary key's. */
export function plainUpdateValues(schema: ModelSchema, assignments: readonly Assignment[], values: Record<string, unknown>): unknown[] {
  const keys = schema.primaryKeys;
  const out = new Array<unknown>(assignments.length + keys.length);
  let at = 0;
  for (const a of assignments) out[at++] = a.value;
  for (const k of keys) out[at++] = values[k.name];
  return out;
}

/** The kept statement for these columns in this keyspace, with the given values; undefined the first time. */
export function keptPlainUpdate(schema: ModelSchema, keyspace: string, columns: number, values: unknown[]): CompiledStatement | undefined {
  const forModel = kept.get(schema);
  if (forModel?.keyspace !== keyspace) return undefined;
  const template = forModel.byColumns.get(columns);
  return template && { template, values };
}

/** Keeps the generic path's statement for these columns, when it binds exactly the values the kept one will. */
export function keepPlainUpdate(schema: ModelSchema, keyspace: string, columns: number, stmt: CompiledStatement, values: unknown[]): void {
  if (!isDeepStrictEqual(stmt.values, values)) return;
  let forModel = kept.get(schema);
  if (forModel?.keyspace !== keyspace) kept.set(schema, (forModel = { keyspace, byColumns: new Map() }));
  forModel.byColumns.set(columns, stmt.template);
}
