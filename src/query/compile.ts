/**
 * Turns statement nodes into CQL text and bind parameters. The text depends only on the shape of a
 * statement (which columns, operators and options), never on values, so each shape prepares once.
 */
import { quote } from '../cql/identifier.js';
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

const tableName = (t: TableRef): string => `${quote(t.keyspace)}.${quote(t.table)}`;

const listTypes = new WeakMap<CqlType<unknown>, CqlType<unknown>>();

/** The type a bound value of this operator has on this column. */
function whereType(where: Where): CqlType<unknown> {
  const type = where.column.type;
  switch (where.op) {
    case 'IN':
    {
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

function compileWheres(wheres: readonly Where[], params: Param[]): string {
  if (wheres.length === 0) return '';
  const parts = wheres.map((w) => {
    if (w.tokenKeys) {
      const keys = w.tokenKeys;
      const values = w.value as unknown[];
      keys.forEach((k, i) => params.push({ type: k.type, value: values[i] }));
      return `token(${keys.map((k) => k.quoted).join(', ')}) ${w.op} token(${keys.map(() => '?').join(', ')})`;
    }
    params.push({ type: whereType(w), value: w.value });
    return `${w.column.quoted} ${w.op} ?`;
  });
  return ` WHERE ${parts.join(' AND ')}`;
}

function compileConditions(conditions: readonly ColumnValue[], ifExists: boolean, params: Param[]): string {
  if (ifExists) return ' IF EXISTS';
  if (conditions.length === 0) return '';
  return ` IF ${conditions
    .map((c) => {
      params.push({ type: c.column.type, value: c.value });
      return `${c.column.quoted} = ?`;
    })
    .join(' AND ')}`;
}

function compileUsing(options: WriteOptions, params: Param[]): string {
  const parts: string[] = [];
  if (options.ttl !== undefined) {
    parts.push('TTL ?');
    params.push({ type: cqlTypes.int as CqlType<unknown>, value: options.ttl });
  }
  if (options.timestamp !== undefined) {
    parts.push('TIMESTAMP ?');
    params.push({ type: cqlTypes.bigint as CqlType<unknown>, value: options.timestamp });
  }
  return parts.length ? ` USING ${parts.join(' AND ')}` : '';
}

export function compileSelect(node: SelectNode): CompiledStatement {
  const params: Param[] = [];
  const fields =
    node.fields === 'count' ? 'COUNT(*)' : node.fields === undefined ? '*' : node.fields.map((c) => c.quoted).join(', ');
  let cql = `SELECT ${node.distinct ? 'DISTINCT ' : ''}${fields} FROM ${tableName(node.table)}`;
  cql += compileWheres(node.wheres, params);
  if (node.orderBy.length) {
    cql += ` ORDER BY ${node.orderBy.map((o) => `${o.column.quoted} ${o.descending ? 'DESC' : 'ASC'}`).join(', ')}`;
  }
  if (node.limit !== undefined) {
    cql += ' LIMIT ?';
    params.push({ type: cqlTypes.int as CqlType<unknown>, value: node.limit });
  }
  if (node.allowFiltering) cql += ' ALLOW FILTERING';
  return { cql, params, idempotent: true, conditional: false };
}

export function compileInsert(node: InsertNode): CompiledStatement {
  const params: Param[] = node.values.map((v) => ({ type: v.column.type, value: v.value }));
  let cql = `INSERT INTO ${tableName(node.table)} (${node.values.map((v) => v.column.quoted).join(', ')}) VALUES (${node.values
    .map(() => '?')
    .join(', ')})`;
  if (node.ifNotExists) cql += ' IF NOT EXISTS';
  cql += compileUsing(node, params);
  return { cql, params, idempotent: !node.ifNotExists, conditional: node.ifNotExists };
}

function compileAssignment(a: Assignment, params: Param[]): string {
  const type = a.column.type;
  params.push({ type, value: a.value });
  switch (a.op) {
    case 'set':
      return `${a.column.quoted} = ?`;
    case 'add':
      return `${a.column.quoted} = ${a.column.quoted} + ?`;
    case 'prepend':
      return `${a.column.quoted} = ? + ${a.column.quoted}`;
    case 'remove':
      return `${a.column.quoted} = ${a.column.quoted} - ?`;
  }
}

function assignmentIsIdempotent(a: Assignment): boolean {
  if (a.column.isCounter) return false;
  if (a.column.type.kind === 'list' && a.op !== 'set') return false;
  return true;
}

export function compileUpdate(node: UpdateNode): CompiledStatement {
  const params: Param[] = [];
  let cql = `UPDATE ${tableName(node.table)}`;
  cql += compileUsing(node, params);
  cql += ` SET ${node.assignments.map((a) => compileAssignment(a, params)).join(', ')}`;
  cql += compileWheres(node.wheres, params);
  cql += compileConditions(node.conditions, node.ifExists, params);
  const conditional = node.ifExists || node.conditions.length > 0;
  return { cql, params, idempotent: !conditional && node.assignments.every(assignmentIsIdempotent), conditional };
}

export function compileDelete(node: DeleteNode): CompiledStatement {
  const params: Param[] = [];
  const targets = node.columns.map((c) => c.quoted);
  for (const m of node.mapKeys) {
    targets.push(`${m.column.quoted}[?]`);
    params.push({ type: m.column.type.keyType!, value: m.value });
  }
  let cql = `DELETE ${targets.length ? `${targets.join(', ')} ` : ''}FROM ${tableName(node.table)}`;
  cql += compileUsing({ timestamp: node.timestamp }, params);
  cql += compileWheres(node.wheres, params);
  cql += compileConditions(node.conditions, node.ifExists, params);
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
