/**
 * One text for a CQL type, whether it comes from a model or from the driver's metadata, so that a
 * column whose type changed in the database can be told from one that did not.
 *
 * `frozen` is kept only where it changes the type: on a column's own collection. Nested types are
 * frozen by rule, and user types and tuples always are in a model; Cassandra 2.1's metadata does
 * not report frozen at all.
 */
import { quote } from '../schema/identifier.js';
import type { CqlType } from '../schema/types.js';

/** The driver's description of a type (`client.metadata` columns and user type fields). */
export interface DriverType {
  readonly code: number;
  readonly info?: unknown;
  readonly options?: { readonly frozen?: boolean };
  readonly customTypeName?: string;
}

// The driver's type codes (cassandra-driver types.dataTypes); varchar is text by another name.
const SCALARS: Record<number, string> = {
  1: 'ascii',
  2: 'bigint',
  3: 'blob',
  4: 'boolean',
  5: 'counter',
  6: 'decimal',
  7: 'double',
  8: 'float',
  9: 'int',
  10: 'text',
  11: 'timestamp',
  12: 'uuid',
  13: 'text',
  14: 'varint',
  15: 'timeuuid',
  16: 'inet',
  17: 'date',
  18: 'time',
  19: 'smallint',
  20: 'tinyint',
  21: 'duration',
};
const LIST = 32;
const MAP = 33;
const SET = 34;
const UDT = 48;
const TUPLE = 49;

function frozenIf(text: string, frozen: boolean, top: boolean): string {
  return top && frozen ? `frozen<${text}>` : text;
}

/** The text of a model's type; `top` for a table column's own type. */
export function modelTypeText(type: CqlType<unknown>, top = true): string {
  switch (type.kind) {
    case 'list':
    case 'set':
      return frozenIf(`${type.kind}<${modelTypeText(type.element!, false)}>`, type.frozen, top);
    case 'map':
      return frozenIf(`map<${modelTypeText(type.keyType!, false)}, ${modelTypeText(type.element!, false)}>`, type.frozen, top);
    case 'tuple':
      return `frozen<tuple<${type.items!.map((t) => modelTypeText(t, false)).join(', ')}>>`;
    case 'udt':
      return `frozen<${quote(type.userType!.name)}>`;
    case 'vector':
      return `vector<${modelTypeText(type.element!, false)}, ${type.dimension}>`;
    default:
      return type.cql === 'varchar' ? 'text' : type.cql;
  }
}

/** The text of a type as the driver's metadata describes it; `top` for a table column's own type. */
export function driverTypeText(type: DriverType, top = true): string {
  const scalar = SCALARS[type.code];
  if (scalar) return scalar;
  const frozen = type.options?.frozen === true;
  switch (type.code) {
    case LIST:
    case SET:
      return frozenIf(`${type.code === LIST ? 'list' : 'set'}<${driverTypeText(type.info as DriverType, false)}>`, frozen, top);
    case MAP: {
      const [key, value] = type.info as [DriverType, DriverType];
      return frozenIf(`map<${driverTypeText(key, false)}, ${driverTypeText(value, false)}>`, frozen, top);
    }
    case TUPLE:
      return `frozen<tuple<${(type.info as DriverType[]).map((t) => driverTypeText(t, false)).join(', ')}>>`;
    case UDT:
      return `frozen<${quote((type.info as { name: string }).name)}>`;
    default:
      // 5.0's vector comes as a custom type the driver has parsed: [element type, dimension].
      if (type.customTypeName === 'vector') {
        const [element, dimension] = type.info as [DriverType, number];
        return `vector<${driverTypeText(element, false)}, ${dimension}>`;
      }
      // A custom type: the server's class name.
      return `'${String(type.info)}'`;
  }
}
