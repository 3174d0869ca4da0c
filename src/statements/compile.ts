/**
 * Turns statement nodes into CQL text and bind parameters. The text depends only on the shape of a
 * statement (which columns, operators and options), never on values: each shape's text is built
 * once and cached, so that every run of a shape sends the same string and the driver prepares it once.
 */
import { quote } from '../schema/identifier.js';
import { cqlTypes, list, type CqlType } from '../schema/types.js';
import type {
  Assignment,
  ColumnValue,
  CompiledStatement,
  DeleteNode,
  InsertNode,
  Param,
  SelectNode,
  StatementNode,
  TableRef,
  UpdateNode,
  Where,
  WriteOptions,
} from './nodes.js';

/**
 * Shape signature → CQL text. Names are validated to [A-Za-z0-9_], so the separators below cannot
 * occur inside them and two shapes never share a signature. Bounded: a shape set is small in
 * practice, but keyspaces can be chosen at run time.
 */
const texts = new Map<string, string>();
const MAX_SHAPES = 10_000;

function cached(signature: string, build: () => string): string {
  let text = texts.get(signature);
  if (text === undefined) {
    text = build();
    if (texts.size >= MAX_SHAPES) texts.delete(texts.keys().next().value!);
    texts.set(signature, text);
  }
  return text;
}

/** How many statement shapes have cached text (for tests and diagnostics). */
export function cachedShapeCount(): number {
  return texts.size;
}

const tableName = (t: TableRef): string => `${quote(t.keyspace)}.${quote(t.table)}`;
const tableSig = (t: TableRef): string => `${t.keyspace}.${t.table}`;

const listTypes = new WeakMap<CqlType<unknown>, CqlType<unknown>>();

/** The type a bound value of this operator has on this column. */
function whereType(where: Where): CqlType<unknown> {
  const type = where.column.type;
  switch (where.op) {
    case 'IN': {
      let found = listTypes.get(type);
      if (!found) listTypes.set(type, (found = list(type) as CqlType<unknown>));
      return found;
    }
    case 'CONTAINS':
      return type.element!;
    case 'CONTAINS KEY':
      return type.keyType!;
    default:
      return type;
  }
}

// ---- bind parameters, in the order of the markers in the text ----

function whereParams(wheres: readonly Where[], params: Param[]): void {
  for (const w of wheres) {
    if (w.tokenKeys) {
      const values = w.value as unknown[];
      w.tokenKeys.forEach((k, i) => params.push({ type: k.type, value: values[i] }));
    } else {
      params.push({ type: whereType(w), value: w.value });
    }
  }
}

function conditionParams(conditions: readonly ColumnValue[], ifExists: boolean, params: Param[]): void {
  if (ifExists) return;
  for (const c of conditions) params.push({ type: c.column.type, value: c.value });
}

function usingParams(options: WriteOptions, params: Param[]): void {
  if (options.ttl !== undefined) params.push({ type: cqlTypes.int as CqlType<unknown>, value: options.ttl });
  if (options.timestamp !== undefined) params.push({ type: cqlTypes.bigint as CqlType<unknown>, value: options.timestamp });
}

// ---- shape signatures ----

const whereSig = (wheres: readonly Where[]): string =>
  wheres.map((w) => (w.tokenKeys ? `token ${w.op}` : `${w.column.dbName} ${w.op}`)).join(',');
const conditionSig = (conditions: readonly ColumnValue[], ifExists: boolean): string =>
  ifExists ? 'exists' : conditions.map((c) => c.column.dbName).join(',');
const usingSig = (o: WriteOptions): string => `${o.ttl !== undefined ? 't' : ''}${o.timestamp !== undefined ? 's' : ''}`;

// ---- text ----

function whereText(wheres: readonly Where[]): string {
  if (wheres.length === 0) return '';
  const parts = wheres.map((w) => {
    if (w.tokenKeys) {
      const keys = w.tokenKeys;
      return `token(${keys.map((k) => k.quoted).join(', ')}) ${w.op} token(${keys.map(() => '?').join(', ')})`;
    }
    return `${w.column.quoted} ${w.op} ?`;
  });
  return ` WHERE ${parts.join(' AND ')}`;
}

function conditionText(conditions: readonly ColumnValue[], ifExists: boolean): string {
  if (ifExists) return ' IF EXISTS';
  if (conditions.length === 0) return '';
  return ` IF ${conditions.map((c) => `${c.column.quoted} = ?`).join(' AND ')}`;
}

function usingText(options: WriteOptions): string {
  const parts: string[] = [];
  if (options.ttl !== undefined) parts.push('TTL ?');
  if (options.timestamp !== undefined) parts.push('TIMESTAMP ?');
  return parts.length ? ` USING ${parts.join(' AND ')}` : '';
}

function assignmentText(a: Assignment): string {
  const c = a.column.quoted;
  switch (a.op) {
    case 'set':
      return `${c} = ?`;
    case 'add':
      return `${c} = ${c} + ?`;
    case 'prepend':
      return `${c} = ? + ${c}`;
    case 'remove':
      return `${c} = ${c} - ?`;
    case 'removeKey':
      return `${c}[?] = ?`;
  }
}

function assignmentIsIdempotent(a: Assignment): boolean {
  if (a.column.isCounter) return false;
  if (a.column.type.kind === 'list' && a.op !== 'set') return false;
  return true;
}

// ---- statements ----

export function compileSelect(node: SelectNode): CompiledStatement {
  const params: Param[] = [];
  whereParams(node.wheres, params);
  if (node.limit !== undefined) params.push({ type: cqlTypes.int as CqlType<unknown>, value: node.limit });
  const fieldSig = node.fields === 'count' ? '#' : node.fields.map((c) => c.dbName).join(',');
  const orderSig = node.orderBy.map((o) => `${o.column.dbName}${o.descending ? '-' : '+'}`).join(',');
  const signature = `S|${tableSig(node.table)}|${node.distinct ? 'd' : ''}${node.limit !== undefined ? 'l' : ''}${node.allowFiltering ? 'f' : ''}|${fieldSig}|${whereSig(node.wheres)}|${orderSig}`;
  const cql = cached(signature, () => {
    const fields = node.fields === 'count' ? 'COUNT(*)' : node.fields.map((c) => c.quoted).join(', ');
    let text = `SELECT ${node.distinct ? 'DISTINCT ' : ''}${fields} FROM ${tableName(node.table)}${whereText(node.wheres)}`;
    if (node.orderBy.length) text += ` ORDER BY ${node.orderBy.map((o) => `${o.column.quoted} ${o.descending ? 'DESC' : 'ASC'}`).join(', ')}`;
    if (node.limit !== undefined) text += ' LIMIT ?';
    if (node.allowFiltering) text += ' ALLOW FILTERING';
    return text;
  });
  return { cql, params, idempotent: true, conditional: false };
}

export function compileInsert(node: InsertNode): CompiledStatement {
  const params: Param[] = node.values.map((v) => ({ type: v.column.type, value: v.value }));
  usingParams(node, params);
  const signature = `I|${tableSig(node.table)}|${node.ifNotExists ? 'n' : ''}${usingSig(node)}|${node.values.map((v) => v.column.dbName).join(',')}`;
  const cql = cached(signature, () => {
    const names = node.values.map((v) => v.column.quoted).join(', ');
    const markers = node.values.map(() => '?').join(', ');
    return `INSERT INTO ${tableName(node.table)} (${names}) VALUES (${markers})${node.ifNotExists ? ' IF NOT EXISTS' : ''}${usingText(node)}`;
  });
  return { cql, params, idempotent: !node.ifNotExists, conditional: node.ifNotExists };
}

export function compileUpdate(node: UpdateNode): CompiledStatement {
  const params: Param[] = [];
  usingParams(node, params);
  for (const a of node.assignments) {
    if (a.op === 'removeKey') params.push({ type: a.column.type.keyType!, value: a.value }, { type: a.column.type.element!, value: null });
    else params.push({ type: a.column.type, value: a.value });
  }
  whereParams(node.wheres, params);
  conditionParams(node.conditions, node.ifExists, params);
  const assignSig = node.assignments.map((a) => `${a.column.dbName} ${a.op}`).join(',');
  const signature = `U|${tableSig(node.table)}|${usingSig(node)}|${assignSig}|${whereSig(node.wheres)}|${conditionSig(node.conditions, node.ifExists)}`;
  const cql = cached(
    signature,
    () =>
      `UPDATE ${tableName(node.table)}${usingText(node)} SET ${node.assignments.map(assignmentText).join(', ')}` +
      `${whereText(node.wheres)}${conditionText(node.conditions, node.ifExists)}`,
  );
  const conditional = node.ifExists || node.conditions.length > 0;
  return { cql, params, idempotent: !conditional && node.assignments.every(assignmentIsIdempotent), conditional };
}

export function compileDelete(node: DeleteNode): CompiledStatement {
  const params: Param[] = [];
  for (const m of node.mapKeys) params.push({ type: m.column.type.keyType!, value: m.value });
  const using = { timestamp: node.timestamp };
  usingParams(using, params);
  whereParams(node.wheres, params);
  conditionParams(node.conditions, node.ifExists, params);
  const targetSig = [...node.columns.map((c) => c.dbName), ...node.mapKeys.map((m) => `${m.column.dbName}[]`)].join(',');
  const signature = `D|${tableSig(node.table)}|${usingSig(using)}|${targetSig}|${whereSig(node.wheres)}|${conditionSig(node.conditions, node.ifExists)}`;
  const cql = cached(signature, () => {
    const targets = [...node.columns.map((c) => c.quoted), ...node.mapKeys.map((m) => `${m.column.quoted}[?]`)];
    return (
      `DELETE ${targets.length ? `${targets.join(', ')} ` : ''}FROM ${tableName(node.table)}${usingText(using)}` +
      `${whereText(node.wheres)}${conditionText(node.conditions, node.ifExists)}`
    );
  });
  const conditional = node.ifExists || node.conditions.length > 0;
  return { cql, params, idempotent: !conditional, conditional };
}

export function compile(node: StatementNode): CompiledStatement {
  switch (node.kind) {
    case 'select':
      return compileSelect(node);
    case 'insert':
      return compileInsert(node);
    case 'update':
      return compileUpdate(node);
    case 'delete':
      return compileDelete(node);
  }
}
