/**
 * Turns statement nodes into CQL text and bound values. The text depends only on the shape of a
 * statement (which columns, operators and options), never on values: each shape's text, and the
 * types of its values, are built once and cached, so that every run of a shape sends the same
 * string (the driver prepares it once) and costs only the walk and an array of its values.
 */
import { quote } from '../schema/identifier.js';
import { cqlTypes, list, type CqlType } from '../schema/types.js';
import { FEATURES, type Requirement } from '../schema/version.js';
import type {
  Assignment,
  CompiledStatement,
  Condition,
  DeleteNode,
  InsertNode,
  SelectNode,
  StatementTemplate,
  TableRef,
  UpdateNode,
  Where,
  WriteOptions,
} from './nodes.js';

/**
 * The shape cache: a tree walked one part of a shape at a time (the table, each column object and
 * operator, the option flags), whose node at the end of a walk holds that shape's template. Each step
 * is a Map lookup by a value whose hash is already known (an object, a small number, or a name the
 * schema holds), where a signature string built per statement had to be built and hashed again
 * each time. Section marks keep two shapes from walking the same path. Bounded: shapes are few in
 * practice, but keyspaces can be chosen at run time, so past MAX_NODES the tree starts afresh.
 */
class Shape {
  template: StatementTemplate | undefined = undefined;
  next: Map<unknown, Shape> | undefined = undefined;
}

let roots = new Shape();
let nodes = 0;
let templates = 0;
const MAX_NODES = 50_000;

/** The node one step on from `shape` by `key`. */
function step(shape: Shape, key: unknown): Shape {
  const next = (shape.next ??= new Map());
  let found = next.get(key);
  if (found === undefined) {
    if (++nodes > MAX_NODES) {
      roots = new Shape();
      nodes = templates = 0;
    }
    next.set(key, (found = new Shape()));
  }
  return found;
}

/** What compiling a shape makes of its template; the funnel's memo starts empty. */
type TemplateParts = Omit<StatementTemplate, 'asIsFor' | 'namedCql'> & { readonly namedCql?: string | undefined };

/** Keeps the template of the shape ending at `shape`, the first time it is compiled. */
function remember(shape: Shape, made: TemplateParts): StatementTemplate {
  // Field by field, so that every template has one layout.
  const template: StatementTemplate = {
    cql: made.cql,
    namedCql: made.namedCql,
    types: made.types,
    idempotent: made.idempotent,
    conditional: made.conditional,
    requires: made.requires,
    asIsFor: undefined,
  };
  shape.template = template;
  templates++;
  return template;
}

/** Where a walk starts: the statement kind, then its table. */
const start = (kind: string, table: TableRef): Shape => step(step(step(roots, kind), table.keyspace), table.table);

// Marks between the sections of a shape (assignments, wheres, conditions, …).
const WHERES = Symbol('wheres');
const CONDITIONS = Symbol('conditions');
const ORDER = Symbol('order');
const TOKEN = Symbol('token');
const EMPTY_IN = Symbol('in ()');

/**
 * `x IN ()`, written out rather than bound: a bound empty list reaches the server as null ("Invalid
 * null value"), while `IN ()` matches no row, so reads find nothing and writes change nothing, as in
 * cqlengine. In a condition, `IF x IN ()` holds for no row, so the write is not applied.
 */
const isEmptyInCondition = (c: { readonly op?: string | undefined; readonly value: unknown }): boolean =>
  c.op === 'IN' && Array.isArray(c.value) && c.value.length === 0;

/** A where's empty IN, likewise (token bounds and functions take no list). */
const isEmptyIn = (w: Where): boolean => !w.tokenKeys && !w.fn && isEmptyInCondition(w);
const COUNT = Symbol('count');

/** How many statement shapes have a cached template (for tests and diagnostics). */
export function cachedShapeCount(): number {
  return templates;
}

/** A quoted keyspace-qualified name: of a table, or of a user type. */
export function tableName(keyspace: string, table: string): string {
  return `${quote(keyspace)}.${quote(table)}`;
}

/**
 * The column names of a SELECT's field list, kept per list: a model hands the same (readonly) list
 * to each of its selects, and joining it again for each was a good part of a get's own cost.
 */
const fieldSigs = new WeakMap<readonly { readonly dbName: string }[], string>();

function fieldSig(fields: readonly { readonly dbName: string }[]): string {
  let sig = fieldSigs.get(fields);
  if (sig === undefined) fieldSigs.set(fields, (sig = fields.map((c) => c.dbName).join(',')));
  return sig;
}

const listTypes = new WeakMap<CqlType<unknown>, CqlType<unknown>>();

function listOf(type: CqlType<unknown>): CqlType<unknown> {
  let found = listTypes.get(type);
  if (!found) listTypes.set(type, (found = list(type) as CqlType<unknown>));
  return found;
}

/** The type a bound value of this operator has on this column. */
function whereType(where: Where): CqlType<unknown> {
  if (where.fn) return cqlTypes.timestamp as CqlType<unknown>;
  const type = where.column.type;
  switch (where.op) {
    case 'IN':
      return listOf(type);
    case 'CONTAINS':
      return type.element!;
    case 'CONTAINS KEY':
      return type.keyType!;
    default:
      return type;
  }
}

// ---- bound values, in the order of the markers in the text ----
// Each writes a node's values from index `at` on and returns the index after them; with `types`
// (only the first time a shape is compiled, when its template is built) it pushes their types too.
// Written by index into an array sized from the template: grown by push, it cost three times the memory.

type Types = CqlType<unknown>[] | undefined;

/** The array a statement's values are written into: sized by its template when the shape is known. */
const valuesFor = (template: StatementTemplate | undefined): unknown[] => (template ? new Array(template.types.length) : []);

/** Writes one value at `at` (and pushes its type, when types are being gathered); returns the next index. */
function bindOne(values: unknown[], at: number, value: unknown, types: Types, type: CqlType<unknown>): number {
  values[at] = value;
  types?.push(type);
  return at + 1;
}

function bindWheres(wheres: readonly Where[], values: unknown[], at: number, types: Types): number {
  for (const w of wheres) {
    if (w.tokenKeys) {
      const keys = w.tokenKeys;
      for (let i = 0; i < keys.length; i++) {
        values[at++] = (w.value as unknown[])[i];
        types?.push(keys[i]!.type);
      }
    } else if (isEmptyIn(w)) {
    } else if (w.op === 'ENTRY') {
      const [key, value] = w.value as [unknown, unknown];
      values[at++] = key;
      values[at++] = value;
      types?.push(w.column.type.keyType!, w.column.type.element!);
    } else {
      values[at++] = w.value;
      types?.push(whereType(w));
    }
  }
  return at;
}

function bindConditions(conditions: readonly Condition[], ifExists: boolean, values: unknown[], at: number, types: Types): number {
  if (ifExists) return at;
  for (const c of conditions) {
    if (isEmptyInCondition(c)) continue;
    values[at++] = c.value;
    types?.push(c.op === 'IN' ? listOf(c.column.type) : c.column.type);
  }
  return at;
}

function bindUsing(options: WriteOptions, values: unknown[], at: number, types: Types): number {
  if (options.ttl !== undefined) at = bindOne(values, at, options.ttl, types, cqlTypes.int as CqlType<unknown>);
  if (options.timestamp !== undefined) at = bindOne(values, at, options.timestamp, types, cqlTypes.bigint as CqlType<unknown>);
  return at;
}

/** What a conditional write needs of the server beyond plain `IF c = ?`. */
function conditionRequirements(conditions: readonly Condition[], ifExists: boolean, update: boolean, requires: Requirement[]): void {
  if (ifExists && update) requires.push(FEATURES.updateIfExists);
  if (!ifExists && conditions.some((c) => c.op !== undefined && c.op !== '=')) requires.push(FEATURES.conditionOperators);
}

// ---- shapes ----

function walkWheres(shape: Shape, wheres: readonly Where[]): Shape {
  shape = step(shape, WHERES);
  for (const w of wheres) {
    if (w.tokenKeys) {
      shape = step(step(shape, TOKEN), w.tokenKeys.length);
      for (const k of w.tokenKeys) shape = step(shape, k);
    } else shape = step(shape, w.column);
    shape = step(step(shape, isEmptyIn(w) ? EMPTY_IN : w.op), w.fn);
  }
  return shape;
}

function walkConditions(shape: Shape, conditions: readonly Condition[], ifExists: boolean): Shape {
  shape = step(shape, ifExists ? 'exists' : CONDITIONS);
  if (!ifExists) for (const c of conditions) shape = step(step(shape, c.column), isEmptyInCondition(c) ? EMPTY_IN : (c.op ?? '='));
  return shape;
}

/** The USING options a shape has, as one small number. */
const usingFlags = (o: WriteOptions): number => (o.ttl !== undefined ? 1 : 0) | (o.timestamp !== undefined ? 2 : 0);

// ---- text ----

function whereText(wheres: readonly Where[]): string {
  if (wheres.length === 0) return '';
  const parts = wheres.map((w) => {
    if (w.tokenKeys) {
      const keys = w.tokenKeys;
      return `token(${keys.map((k) => k.quoted).join(', ')}) ${w.op} token(${keys.map(() => '?').join(', ')})`;
    }
    if (w.op === 'ENTRY') return `${w.column.quoted}[?] = ?`;
    if (isEmptyIn(w)) return `${w.column.quoted} IN ()`;
    return `${w.column.quoted} ${w.op} ${w.fn ? `${w.fn}(?)` : '?'}`;
  });
  return ` WHERE ${parts.join(' AND ')}`;
}

function conditionText(conditions: readonly Condition[], ifExists: boolean): string {
  if (ifExists) return ' IF EXISTS';
  if (conditions.length === 0) return '';
  return ` IF ${conditions.map((c) => `${c.column.quoted} ${isEmptyInCondition(c) ? 'IN ()' : `${c.op ?? '='} ?`}`).join(' AND ')}`;
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
  const ann = node.ann;
  const flags =
    (node.distinct ? 1 : 0) |
    (node.limit !== undefined ? 2 : 0) |
    (node.perPartitionLimit !== undefined ? 4 : 0) |
    (node.allowFiltering ? 8 : 0) |
    (wildcardOf(node) ? 16 : 0);
  let shape = step(step(start('S', node.table), flags), node.similarity);
  shape = walkWheres(step(shape, node.fields === 'count' ? COUNT : fieldSig(node.fields)), node.wheres);
  shape = step(shape, ORDER);
  if (ann) shape = step(step(shape, 'ann'), ann.column);
  else for (const o of node.orderBy) shape = step(step(shape, o.column), o.descending);
  const values = valuesFor(shape.template);
  const types: Types = shape.template ? undefined : [];
  let at = 0;
  if (node.similarity) at = bindOne(values, at, ann!.vector, types, ann!.column.type);
  at = bindWheres(node.wheres, values, at, types);
  if (ann) at = bindOne(values, at, ann.vector, types, ann.column.type);
  if (node.perPartitionLimit !== undefined) at = bindOne(values, at, node.perPartitionLimit, types, cqlTypes.int as CqlType<unknown>);
  if (node.limit !== undefined) bindOne(values, at, node.limit, types, cqlTypes.int as CqlType<unknown>);
  const template = shape.template ?? remember(shape, selectTemplate(node, types!));
  return { template, values };
}

/** Whether a SELECT is written `SELECT *`: every column, with nothing beside them (CQL takes no `*, f(x)`). */
function wildcardOf(node: SelectNode): boolean {
  return node.wildcard === true && node.fields !== 'count' && !node.distinct && node.similarity === undefined;
}

function selectTemplate(node: SelectNode, types: CqlType<unknown>[]): TemplateParts {
  const ann = node.ann;
  let fields = node.fields === 'count' ? 'COUNT(*)' : node.fields.map((c) => c.quoted).join(', ');
  if (node.similarity) fields += `, similarity_${node.similarity}(${ann!.column.quoted}, ?) AS "similarity"`;
  const rest = selectRest(node);
  const named = `SELECT ${node.distinct ? 'DISTINCT ' : ''}${fields}${rest}`;
  const requires: Requirement[] = [];
  if (node.similarity) requires.push(FEATURES.similarity);
  if (ann) requires.push(FEATURES.ann);
  if (node.perPartitionLimit !== undefined) requires.push(FEATURES.perPartitionLimit);
  const wildcard = wildcardOf(node);
  return {
    cql: wildcard ? `SELECT *${rest}` : named,
    namedCql: wildcard ? named : undefined,
    types,
    idempotent: true,
    conditional: false,
    requires: requires.length ? requires : undefined,
  };
}

/** A SELECT's text after its fields: FROM, WHERE, ORDER BY, the limits. */
function selectRest(node: SelectNode): string {
  const ann = node.ann;
  let cql = ` FROM ${tableName(node.table.keyspace, node.table.table)}${whereText(node.wheres)}`;
  if (ann) cql += ` ORDER BY ${ann.column.quoted} ANN OF ?`;
  else if (node.orderBy.length)
    cql += ` ORDER BY ${node.orderBy.map((o) => `${o.column.quoted} ${o.descending ? 'DESC' : 'ASC'}`).join(', ')}`;
  if (node.perPartitionLimit !== undefined) cql += ' PER PARTITION LIMIT ?';
  if (node.limit !== undefined) cql += ' LIMIT ?';
  if (node.allowFiltering) cql += ' ALLOW FILTERING';
  return cql;
}

export function compileInsert(node: InsertNode): CompiledStatement {
  const flags = usingFlags(node) | (node.ifNotExists ? 4 : 0);
  let shape = step(start('I', node.table), flags);
  for (const c of node.columns) shape = step(shape, c);
  let template = shape.template;
  // The node's values are the statement's, unless USING values follow them.
  let values = node.values;
  if (flags & 3) bindUsing(node, (values = [...node.values]), node.values.length, undefined);
  if (!template) {
    const types = node.columns.map((c) => c.type);
    bindUsing(node, [], 0, types);
    const names = node.columns.map((c) => c.quoted).join(', ');
    const markers = node.columns.map(() => '?').join(', ');
    const cql = `INSERT INTO ${tableName(node.table.keyspace, node.table.table)} (${names}) VALUES (${markers})${node.ifNotExists ? ' IF NOT EXISTS' : ''}${usingText(node)}`;
    template = remember(shape, { cql, types, idempotent: !node.ifNotExists, conditional: node.ifNotExists, requires: undefined });
  }
  return { template, values };
}

export function compileUpdate(node: UpdateNode): CompiledStatement {
  let shape = step(start('U', node.table), usingFlags(node));
  for (const a of node.assignments) shape = step(step(shape, a.column), a.op);
  shape = walkConditions(walkWheres(shape, node.wheres), node.conditions, node.ifExists);
  const values = valuesFor(shape.template);
  const types: Types = shape.template ? undefined : [];
  let at = bindUsing(node, values, 0, types);
  for (const a of node.assignments) {
    if (a.op === 'removeKey') {
      values[at++] = a.value;
      values[at++] = null;
      types?.push(a.column.type.keyType!, a.column.type.element!);
    } else {
      values[at++] = a.value;
      types?.push(a.column.type);
    }
  }
  at = bindWheres(node.wheres, values, at, types);
  bindConditions(node.conditions, node.ifExists, values, at, types);
  const template = shape.template ?? remember(shape, updateTemplate(node, types!));
  return { template, values };
}

function updateTemplate(node: UpdateNode, types: CqlType<unknown>[]): TemplateParts {
  const cql =
    `UPDATE ${tableName(node.table.keyspace, node.table.table)}${usingText(node)} SET ${node.assignments.map(assignmentText).join(', ')}` +
    `${whereText(node.wheres)}${conditionText(node.conditions, node.ifExists)}`;
  const conditional = node.ifExists || node.conditions.length > 0;
  const requires: Requirement[] = [];
  conditionRequirements(node.conditions, node.ifExists, true, requires);
  return {
    cql,
    types,
    idempotent: !conditional && node.assignments.every(assignmentIsIdempotent),
    conditional,
    requires: requires.length ? requires : undefined,
  };
}

export function compileDelete(node: DeleteNode): CompiledStatement {
  const using = { timestamp: node.timestamp };
  let shape = step(start('D', node.table), usingFlags(using));
  for (const c of node.columns) shape = step(shape, c);
  shape = step(shape, 'mapKeys');
  for (const m of node.mapKeys) shape = step(shape, m.column);
  shape = walkConditions(walkWheres(shape, node.wheres), node.conditions, node.ifExists);
  const values = valuesFor(shape.template);
  const types: Types = shape.template ? undefined : [];
  let at = 0;
  for (const m of node.mapKeys) {
    values[at++] = m.value;
    types?.push(m.column.type.keyType!);
  }
  at = bindUsing(using, values, at, types);
  at = bindWheres(node.wheres, values, at, types);
  bindConditions(node.conditions, node.ifExists, values, at, types);
  const template = shape.template ?? remember(shape, deleteTemplate(node, using, types!));
  return { template, values };
}

function deleteTemplate(node: DeleteNode, using: WriteOptions, types: CqlType<unknown>[]): TemplateParts {
  const targets = [...node.columns.map((c) => c.quoted), ...node.mapKeys.map((m) => `${m.column.quoted}[?]`)];
  const cql =
    `DELETE ${targets.length ? `${targets.join(', ')} ` : ''}FROM ${tableName(node.table.keyspace, node.table.table)}${usingText(using)}` +
    `${whereText(node.wheres)}${conditionText(node.conditions, node.ifExists)}`;
  const conditional = node.ifExists || node.conditions.length > 0;
  const requires: Requirement[] = [];
  conditionRequirements(node.conditions, node.ifExists, false, requires);
  if (node.wheres.some((w) => w.column.isClusteringKey && ['>', '>=', '<', '<='].includes(w.op))) requires.push(FEATURES.rangeDelete);
  return { cql, types, idempotent: !conditional, conditional, requires: requires.length ? requires : undefined };
}
