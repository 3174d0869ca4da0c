/**
 * The families of polymorphic models: a base model with a discriminator column, and its submodels,
 * each registered under its discriminator value when defined. Kept apart from model.ts, which
 * asks here which class a row is read as; polymorphic.ts defines the submodels.
 */
import { ConfigurationError, PolymorphicModelError, describe } from '../errors.js';
import type { ModelSchema } from '../schema/model-schema.js';

/** What this module needs of a model class (model.ts's ModelStatic, without importing it). */
interface ModelLike {
  readonly schema: ModelSchema;
  readonly prototype: object;
}

interface Family {
  readonly base: ModelLike;
  /** Submodels by discriminator value (as text: values of one scalar column). */
  readonly byValue: Map<string, ModelLike>;
}

/** Each member's schema (base and submodels) → its family; bound copies of a model share its schema. */
const families = new WeakMap<ModelSchema, Family>();
/** Each member's schema → the class defined with it. */
const classes = new WeakMap<ModelSchema, ModelLike>();

const keyOf = (value: unknown): string => String(value);

/** Records a model with a discriminator column when it is defined: a base, or a submodel of `parent`. */
export function registerVariant(model: ModelLike, parent: ModelLike | undefined): void {
  const schema = model.schema;
  if (!schema.discriminator) return;
  classes.set(schema, model);
  if (schema.discriminatorValue === undefined) {
    const inherited = parent && families.get(parent.schema);
    if (inherited) {
      throw new ConfigurationError(
        `${schema.name}: a model extending the polymorphic model ${inherited.base.schema.name} needs a discriminator value (use polymorphic())`,
        'discriminatorValue',
        undefined,
      );
    }
    families.set(schema, { base: model, byValue: new Map() });
    return;
  }
  const family = parent && families.get(parent.schema);
  if (!family)
    throw new ConfigurationError(
      `${schema.name}: a discriminator value needs a polymorphic base model to extend`,
      'discriminatorValue',
      schema.discriminatorValue,
    );
  const base = family.base.schema;
  if (schema.table !== base.table) {
    throw new ConfigurationError(
      `${schema.name}: a polymorphic submodel shares the table of its base (${base.table}), not ${schema.table}`,
      'table',
      schema.table,
    );
  }
  const key = keyOf(schema.discriminatorValue);
  const taken = family.byValue.get(key);
  if (taken)
    throw new ConfigurationError(
      `${schema.name}: the discriminator value ${describe(schema.discriminatorValue)} is already taken (by ${labelOf(taken.schema)})`,
      'discriminatorValue',
      schema.discriminatorValue,
    );
  family.byValue.set(key, model);
  families.set(schema, family);
}

/** A family member in messages: its table is the whole family's, so the member is told by its value. */
function labelOf(schema: ModelSchema): string {
  return schema.discriminatorValue === undefined
    ? `${schema.name} (the polymorphic base)`
    : `${schema.name} (the submodel of discriminator value ${describe(schema.discriminatorValue)})`;
}

/**
 * The class a row of a polymorphic model is read as, from its discriminator value (cqlengine's
 * _construct_instance): the submodel registered under that value, which must be `model` or one of
 * its submodels. Throws PolymorphicModelError for a missing or unknown value, as cqlengine does.
 */
export function variantFor<M extends ModelLike>(model: M, value: unknown): M {
  const schema = model.schema;
  const family = families.get(schema);
  if (!family) return model;
  if (value == null)
    throw new PolymorphicModelError(`${schema.name}: the discriminator value (${schema.discriminator!.name}) was not found in the row`);
  const found = family.byValue.get(keyOf(value));
  if (!found) throw new PolymorphicModelError(`Unrecognized discriminator value ${describe(value)} for ${family.base.schema.name}`);
  const own = classes.get(schema)!;
  if (found !== own && !(found.prototype instanceof (own as unknown as abstract new () => unknown))) {
    throw new PolymorphicModelError(`A row of ${labelOf(found.schema)} is not one of ${labelOf(schema)} or its submodels`);
  }
  // The model itself, bound copies included (a contextQuery keeps its scope).
  return found === own ? model : (found as M);
}

/** Before a save or update: the base of a polymorphic model cannot be written; a submodel writes its value. */
export function variantWriteValue(schema: ModelSchema): { column: string; value: unknown } | undefined {
  if (!schema.discriminator) return undefined;
  if (schema.discriminatorValue === undefined) {
    throw new PolymorphicModelError(`Cannot save ${schema.name}: it is a polymorphic base model; save one of its submodels`);
  }
  return { column: schema.discriminator.name, value: schema.discriminatorValue };
}

/**
 * The columns a SELECT of a model names: a polymorphic family's rows hold the columns of every
 * member, and a row is read as whichever submodel its discriminator names.
 */
export function selectColumns(schema: ModelSchema): ModelSchema['columns'] {
  const family = families.get(schema);
  if (!family) return schema.columns;
  const byName = new Map(family.base.schema.columns.map((c) => [c.dbName, c]));
  for (const member of family.byValue.values()) for (const c of member.schema.columns) if (!byName.has(c.dbName)) byName.set(c.dbName, c);
  return [...byName.values()];
}
