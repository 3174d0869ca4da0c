/**
 * Polymorphic models (cqlengine's model inheritance with a discriminator column): one table, a base
 * model whose discriminator column names each row's submodel, and submodels that add columns.
 *
 *   const Pet = model('pets', { id: columns.int().partitionKey(), kind: columns.text().discriminator().index(), name: columns.text() });
 *   const Dog = polymorphic(Pet, 'dog', { barks: columns.boolean() });
 *
 * Reading through the base gives instances of the submodels; a submodel's queries select its own
 * rows when the discriminator is indexed or part of the partition key (as cqlengine does).
 */
import { ConfigurationError, describe } from '../errors.js';
import type { Columns } from '../schema/infer.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { BaseModel, extend, type ModelClass } from './model.js';

/**
 * A submodel of a polymorphic model: the base's table and columns plus `columns`, its rows marked
 * with `value` in the discriminator column. A submodel may itself be extended the same way.
 */
export function polymorphic<const Base extends Columns, const Cs extends Columns = Record<never, never>>(
  base: { readonly schema: ModelSchema<Base> },
  value: unknown,
  columns: Cs = {} as Cs,
): ModelClass<Base & Cs> {
  if (typeof (base as unknown) !== 'function' || !((base as unknown as typeof BaseModel).prototype instanceof BaseModel)) {
    throw new ConfigurationError(`polymorphic() extends a model class, got ${describe(base)}`, 'base', base);
  }
  if (!base.schema.discriminator) {
    throw new ConfigurationError(
      `${base.schema.name} has no discriminator column: mark one with columns.<type>().discriminator()`,
      'base',
      base.schema.name,
    );
  }
  if (value === undefined || value === null)
    throw new ConfigurationError(`polymorphic(${base.schema.name}) needs a discriminator value`, 'discriminatorValue', value);
  return extend(base, base.schema.table!, columns, { discriminatorValue: value });
}
