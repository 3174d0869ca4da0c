import { ConfigurationError, describe } from '../errors.js';

// Cassandra's own rule for keyspace and table names; columns may be longer.
const KEYSPACE_OR_TABLE = /^[A-Za-z0-9_]{1,48}$/;
const COLUMN = /^[A-Za-z0-9_]{1,256}$/;

export type IdentifierKind = 'keyspace' | 'table' | 'column' | 'type' | 'index' | 'table option';

/** Throws a ConfigurationError unless `name` is a valid CQL name of that kind. */
export function validateIdentifier(name: unknown, kind: IdentifierKind, option: string = kind): string {
  const long = kind === 'column' || kind === 'index' || kind === 'table option';
  const pattern = long ? COLUMN : KEYSPACE_OR_TABLE;
  if (typeof name !== 'string' || !pattern.test(name)) {
    throw new ConfigurationError(
      `Invalid ${kind} name ${describe(name)}: use letters, digits and underscores (at most ${long ? 256 : 48})`,
      option,
      name,
    );
  }
  return name;
}

/** Quotes a validated identifier, so that names are taken literally (case and reserved words). */
export function quote(name: string): string {
  return `"${name}"`;
}

// Names a plain object (a row, a user type value, the driver's decoded values) already answers to.
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Throws a ConfigurationError for a property or column name that is also a member of every object
 * (`__proto__`, `constructor`, `toString` …): values under it could not be set or read reliably.
 */
export function validatePropertyName(name: string, option: string): string {
  if (OBJECT_MEMBERS.has(name)) {
    throw new ConfigurationError(`Invalid name ${describe(name)}: it is a member of every JavaScript object (${option})`, option, name);
  }
  return name;
}
