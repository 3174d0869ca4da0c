/**
 * User-defined types: a named group of typed fields, stored in a column as one frozen value
 * (Cassandra 2.1 stores UDTs frozen). Created in a keyspace by management.syncType, or by
 * syncTable for the types its columns use.
 */
import { quote, validateIdentifier, validatePropertyName } from './identifier.js';
import { ConfigurationError, describe, ValidationError } from '../errors.js';
import type { AnyColumn, Column, ColumnFlags } from './columns.js';
import { isPlainObject, readValue, type CqlType, type UserTypeShape } from './types.js';

type FieldRead<C> = C extends Column<infer R, infer _W, ColumnFlags> ? R : never;
type FieldWrite<C> = C extends Column<infer _R, infer W, ColumnFlags> ? W : never;

/** A UDT value as it reads: every field present, null when unset. */
export type UserTypeValue<Fs extends Record<string, AnyColumn>> = { -readonly [K in keyof Fs]: FieldRead<Fs[K]> | null };
/** A UDT value as it may be written: fields left out are null. */
export type UserTypeInput<Fs extends Record<string, AnyColumn>> = { -readonly [K in keyof Fs]?: FieldWrite<Fs[K]> | null };

export interface UserTypeField {
  /** Property name in values. */
  readonly name: string;
  /** Name in the type (dbField, or the property name). */
  readonly dbName: string;
  readonly quoted: string;
  readonly type: CqlType<unknown>;
  /** Taken when a value leaves the field out, as cqlengine's UserType does: a value, or a function called each time. */
  readonly defaultValue: unknown;
}

export class UserType<Fs extends Record<string, AnyColumn> = Record<string, AnyColumn>> implements UserTypeShape {
  readonly quoted: string;
  readonly fields: readonly UserTypeField[];
  readonly #byName: ReadonlyMap<string, UserTypeField>;
  /** The CQL type of a column that holds this UDT. */
  readonly cqlType: CqlType<UserTypeValue<Fs>, UserTypeInput<Fs>>;

  constructor(
    readonly name: string,
    definitions: Fs,
  ) {
    validateIdentifier(name, 'type', 'userType');
    const entries = Object.entries(definitions ?? {});
    if (entries.length === 0) throw new ConfigurationError(`User type ${name} needs at least one field`, name, definitions);
    this.quoted = quote(name);
    this.fields = entries.map(([prop, column]) => {
      validatePropertyName(prop, `${name}.${prop}`);
      const dbName = validatePropertyName(
        validateIdentifier(column.options.dbField ?? prop, 'column', `${name}.${prop}`),
        `${name}.${prop}.dbField`,
      );
      const o = column.options;
      if (o.primaryKey || o.partitionKey || o.index || o.static || o.clusteringOrder || o.required || o.validators.length > 0) {
        throw new ConfigurationError(
          `${name}.${prop}: a user type field takes a type, dbField and default only`,
          `${name}.${prop}`,
          column.type.cql,
        );
      }
      if (column.type.kind === 'counter')
        throw new ConfigurationError(`${name}.${prop}: a user type cannot hold a counter`, `${name}.${prop}`, 'counter');
      // A collection field is declared plain: every Cassandra freezes it inside a UDT, and 2.1.0 accepts no other form.
      return { name: prop, dbName, quoted: quote(dbName), type: column.type as CqlType<unknown>, defaultValue: o.default };
    });
    const dbNames = new Set<string>();
    for (const f of this.fields) {
      if (dbNames.has(f.dbName))
        throw new ConfigurationError(
          `User type ${name}: two fields share the name '${f.dbName}' in the database`,
          `${name}.${f.name}`,
          f.dbName,
        );
      dbNames.add(f.dbName);
    }
    this.#byName = new Map(this.fields.map((f) => [f.name, f]));
    this.cqlType = this.#cqlType();
  }

  #cqlType(): CqlType<UserTypeValue<Fs>, UserTypeInput<Fs>> {
    const fields = this.fields;
    return {
      cql: `frozen<${this.quoted}>`,
      kind: 'udt',
      frozen: true,
      userType: this,
      coerce: (value, column) => {
        // A Date, RegExp or class instance has none of the fields as own properties: it would store all nulls.
        if (!isPlainObject(value)) {
          throw new ValidationError(`${column}: expected an object with the fields of ${this.name}, got ${describe(value)}`, column, value);
        }
        const given = value;
        for (const key of Object.keys(given)) {
          if (!this.#byName.has(key))
            throw new ValidationError(`${column}: ${this.name} has no field '${key}'`, `${column}.${key}`, given[key]);
        }
        const result: Record<string, unknown> = {};
        for (const f of fields) {
          let v = Object.hasOwn(given, f.name) ? given[f.name] : undefined;
          if (v === undefined && f.defaultValue !== undefined)
            v = typeof f.defaultValue === 'function' ? (f.defaultValue as () => unknown)() : f.defaultValue;
          result[f.name] = v == null ? null : f.type.coerce(v, `${column}.${f.name}`);
        }
        return result as UserTypeValue<Fs>;
      },
      toDriver: (value, codec) => {
        const result: Record<string, unknown> = {};
        const v = value as Record<string, unknown>;
        for (const f of fields) result[f.dbName] = v[f.name] == null ? null : f.type.toDriver(v[f.name], codec);
        return result;
      },
      fromDriver: (value, codec) => {
        if (value == null) return null as unknown as UserTypeValue<Fs>;
        const raw = value as Record<string, unknown>;
        const result: Record<string, unknown> = {};
        for (const f of fields) result[f.name] = readValue(f.type, raw[f.dbName], codec);
        return result as UserTypeValue<Fs>;
      },
    };
  }
}

/** Defines a user type: `userType('address', { street: columns.text(), zip: columns.int() })`. */
export function userType<const Fs extends Record<string, AnyColumn>>(name: string, fields: Fs): UserType<Fs> {
  return new UserType(name, fields);
}

/** Every user type a CQL type uses, dependencies before the types that hold them. */
export function userTypesOf(type: CqlType<unknown>, found: UserTypeShape[] = []): UserTypeShape[] {
  for (const inner of [type.element, type.keyType, ...(type.items ?? [])]) if (inner) userTypesOf(inner, found);
  if (type.userType) withDependencies(type.userType, found);
  return found;
}

/** A user type and the user types its fields use, dependencies first. */
export function withDependencies(type: UserTypeShape, found: UserTypeShape[] = []): UserTypeShape[] {
  for (const field of type.fields) userTypesOf(field.type, found);
  if (!found.some((t) => t.name === type.name)) found.push(type);
  return found;
}
