/**
 * Lifecycle hooks and validators: the methods a model subclass may define (beforeSave, afterSave,
 * beforeDelete, afterDelete, afterLoad), and the per-column checks of `columns.x().validate(fn)`.
 * Hooks are awaited. In a batch, the before-hooks run when the statement is added and the
 * after-hooks once the batch has executed; QuerySet-level update() and delete() have no instance,
 * so they run no hooks.
 */
import { ValidationError, describe } from '../errors.js';
import type { BatchQuery } from '../execution/batch.js';
import type { ColumnSchema, ModelSchema } from '../schema/model-schema.js';
import { isNullish } from '../schema/types.js';

/** The hooks a model subclass may define, each awaited, with the instance as `this`. */
export interface LifecycleHooks {
  /** Before an instance is written (save, update, create), before validation: may still change values. */
  beforeSave?(): void | Promise<void>;
  /** After the write (in a batch: after the batch has executed). */
  afterSave?(): void | Promise<void>;
  beforeDelete?(): void | Promise<void>;
  /** After the delete (in a batch: after the batch has executed). */
  afterDelete?(): void | Promise<void>;
  /** After an instance is read by a QuerySet (get, first, all, iteration, page). */
  afterLoad?(): void | Promise<void>;
}

export type HookName = keyof LifecycleHooks;

/** The hook names: no column may take one. */
export const HOOK_NAMES: readonly HookName[] = ['beforeSave', 'afterSave', 'beforeDelete', 'afterDelete', 'afterLoad'];

// The runners below return the hook's promise for the caller to await, and nothing when there is
// nothing to wait for: most models define no hooks, and a write should not pay an await for each.

/** Runs a hook now, if the instance has it. */
export function runHook(instance: LifecycleHooks, name: HookName): void | Promise<void> {
  const hook = instance[name];
  if (typeof hook === 'function') return hook.call(instance);
}

/** Runs an after-hook now, or once the batch has executed when the write went into one. */
export function runAfterHook(
  instance: LifecycleHooks,
  name: 'afterSave' | 'afterDelete',
  batch: BatchQuery | undefined,
): void | Promise<void> {
  if (typeof instance[name] !== 'function') return;
  if (batch) batch.addCallback(() => runHook(instance, name));
  else return runHook(instance, name);
}

/** Runs afterLoad on rows just read, one after the other in row order; nothing to await without the hook. */
export function runAfterLoad(rows: readonly LifecycleHooks[], prototype: LifecycleHooks): Promise<void> | undefined {
  if (typeof prototype.afterLoad !== 'function') return undefined;
  return afterLoadEach(rows);
}

async function afterLoadEach(rows: readonly LifecycleHooks[]): Promise<void> {
  for (const row of rows) await runHook(row, 'afterLoad');
}

/** Runs a column's validators on a value; null and empty collections are left to `required`. */
export function checkColumn(schema: ModelSchema, column: ColumnSchema, value: unknown): void {
  const validators = column.column.options.validators as readonly ((value: unknown) => boolean | string | void)[];
  if (validators.length === 0 || isNullish(value)) return;
  for (const validator of validators) {
    let verdict: boolean | string | void;
    try {
      verdict = validator(value);
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      throw Object.assign(
        new ValidationError(
          `${schema.name}.${column.name}: the validator threw: ${err instanceof Error ? err.message : String(err)}`,
          column.name,
          value,
        ),
        { cause: err },
      );
    }
    if (verdict === false || typeof verdict === 'string') {
      const reason = typeof verdict === 'string' ? verdict : `${describe(value)} is not valid`;
      throw new ValidationError(`${schema.name}.${column.name}: ${reason}`, column.name, value);
    }
  }
}

/** Runs every column's validators on an instance's values. */
export function checkColumns(schema: ModelSchema, values: Record<string, unknown>): void {
  for (const column of schema.validatedColumns) checkColumn(schema, column, values[column.name]);
}
