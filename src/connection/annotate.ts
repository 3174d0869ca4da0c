/**
 * Driver errors that say where they happened: the message gains the cqlengine connection, keyspace
 * and model, and the error the properties `connection`, `keyspace` and `model`. The error is changed
 * in place rather than wrapped, so that `instanceof errors.ResponseError` and its `code` still work.
 */
import { CQLEngineError } from '../errors.js';
import { formatLogContext } from '../log.js';

/** What an annotated driver error carries besides its own fields. */
export interface StatementErrorContext {
  /** The cqlengine connection name. */
  connection: string;
  /** The keyspace the statement targeted, where the mapper knows it. */
  keyspace: string | undefined;
  /** The model (its name; for a batch, the names of its models, comma-separated), if a model sent the statement. */
  model: string | undefined;
}

const ANNOTATED = Symbol('cqlengine.annotated');

/** `unconfigured columnfamily X` (2.x), `unconfigured table X` (3.x, 4.x), `table X does not exist` (5.0). */
const MISSING_TABLE = /unconfigured (?:table|columnfamily) (\S+)|^table (\S+) does not exist/i;
const MISSING_KEYSPACE = /^Keyspace '?([^' ]+)'? does not exist/i;

function hint(message: string, context: StatementErrorContext): string {
  const table = MISSING_TABLE.exec(message);
  if (table) {
    const where = context.keyspace ? ` in keyspace ${context.keyspace}` : '';
    const name = table[1] ?? table[2]!;
    const models = context.model?.split(',') ?? [];
    // In a batch, the model whose table it is (a model's name is its table's).
    const owner = models.length === 1 ? models[0] : models.find((m) => m === name);
    return `: ${owner ? `model ${owner}` : 'the statement'} needs it${where}; management.syncTable(model) creates it`;
  }
  const keyspace = MISSING_KEYSPACE.exec(message);
  if (keyspace)
    return `: management.createKeyspaceSimple('${keyspace[1]}', replicationFactor) (or createKeyspaceNetworkTopology) creates it`;
  return '';
}

/**
 * Adds the statement's context to a driver error, once (an error passed on twice is left as it is);
 * cqlengine's own errors already say what they need to. Returns the error, for `throw annotate(…)`.
 */
export function annotate(error: unknown, context: StatementErrorContext): unknown {
  if (!(error instanceof Error) || error instanceof CQLEngineError || (error as { [ANNOTATED]?: true })[ANNOTATED]) return error;
  const before = error.message;
  // An explained error (explain.ts) already names the connection: the context prefix says it once.
  const named = `Connection '${context.connection}': `;
  const body = before.startsWith(named) ? before.slice(named.length) : before;
  const message = formatLogContext(`${body}${hint(body, context)}`, context.connection, context.keyspace, context.model);
  Object.defineProperty(error, ANNOTATED, { value: true });
  Object.assign(error, { connection: context.connection, keyspace: context.keyspace, model: context.model });
  error.message = message;
  // The stack begins with the message it had when made: uncaught errors print that line.
  if (typeof error.stack === 'string') {
    const head = `${error.name}: ${before}`;
    if (error.stack.startsWith(head)) error.stack = `${error.name}: ${message}${error.stack.slice(head.length)}`;
  }
  return error;
}
