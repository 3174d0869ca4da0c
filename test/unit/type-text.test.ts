/**
 * The one text of a CQL type that the planner compares: from a model's column and from the
 * driver's metadata, as Cassandra 2.1 (no frozen flags, varchar) and 3.0+ (frozen flags) report it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { columns, userType } from '../../src/index.js';
import { driverTypeText, modelTypeText, type DriverType } from '../../src/management/type-text.js';

const d = types.dataTypes;
const scalar = (code: number, frozen?: boolean): DriverType =>
  frozen === undefined ? { code, info: null } : { code, info: null, options: { frozen } };
const udtInfo = { keyspace: 'ks', name: 'Addr', fields: [{ name: 'street', type: scalar(d.text) }] };

describe('type texts', () => {
  it('every scalar column type reads as the driver names it (varchar as text)', () => {
    const names = [
      'ascii',
      'text',
      'varchar',
      'int',
      'smallint',
      'tinyint',
      'bigint',
      'counter',
      'varint',
      'float',
      'double',
      'decimal',
      'boolean',
      'blob',
      'inet',
      'timestamp',
      'uuid',
      'timeuuid',
      'date',
      'time',
      'duration',
    ] as const;
    for (const name of names) {
      const fromModel = modelTypeText(columns[name]().type as never);
      const fromDriver = driverTypeText(scalar(d[name]));
      assert.equal(fromModel, fromDriver, name);
      assert.equal(fromModel, name === 'varchar' ? 'text' : name);
    }
  });

  it('collections: frozen counts on a column, not inside it; 2.1 and 3.0+ metadata agree', () => {
    const Addr = userType('Addr', { street: columns.text() });
    const cases: [string, { type: unknown }, DriverType[]][] = [
      ['set<bigint>', columns.set(columns.bigint()), [{ code: d.set, info: scalar(d.bigint), options: { frozen: false } }]],
      [
        'frozen<list<int>>',
        columns.list(columns.int(), { frozen: true }),
        [{ code: d.list, info: scalar(d.int), options: { frozen: true } }],
      ],
      [
        'map<text, frozen<tuple<int, text>>>',
        columns.map(columns.text(), columns.tuple(columns.int(), columns.text())),
        [
          {
            code: d.map,
            info: [
              scalar(d.varchar, false),
              { code: d.tuple, info: [scalar(d.int, false), scalar(d.varchar, false)], options: { frozen: false } },
            ],
            options: { frozen: false },
          },
          {
            code: d.map,
            info: [scalar(d.text), { code: d.tuple, info: [scalar(d.int), scalar(d.text)], options: { frozen: true } }],
            options: { frozen: false },
          },
        ],
      ],
      [
        'list<frozen<"Addr">>',
        columns.list(columns.udt(Addr)),
        [
          { code: d.list, info: { code: d.udt, info: udtInfo, options: { frozen: false } }, options: { frozen: false } },
          { code: d.list, info: { code: d.udt, info: udtInfo, options: { frozen: true } }, options: { frozen: false } },
        ],
      ],
      [
        'map<int, set<text>>', // nested collections are frozen by rule: the text leaves it out
        columns.map(columns.int(), columns.set(columns.text())),
        [
          {
            code: d.map,
            info: [scalar(d.int), { code: d.set, info: scalar(d.text), options: { frozen: true } }],
            options: { frozen: false },
          },
        ],
      ],
      [
        'frozen<"Addr">',
        columns.udt(Addr),
        [
          { code: d.udt, info: udtInfo, options: { frozen: false } },
          { code: d.udt, info: udtInfo, options: { frozen: true } },
        ],
      ],
    ];
    for (const [text, column, reported] of cases) {
      assert.equal(modelTypeText(column.type as never), text);
      for (const r of reported) assert.equal(driverTypeText(r), text, JSON.stringify(r));
    }
  });

  it('inside a user type, frozen never counts; different types differ', () => {
    assert.equal(modelTypeText(columns.list(columns.text()).type as never, false), 'list<text>');
    assert.equal(driverTypeText({ code: d.list, info: scalar(d.text), options: { frozen: true } }, false), 'list<text>');
    assert.notEqual(driverTypeText(scalar(d.int)), driverTypeText(scalar(d.bigint)));
    assert.notEqual(modelTypeText(columns.list(columns.int()).type as never), modelTypeText(columns.set(columns.int()).type as never));
    assert.equal(driverTypeText({ code: d.custom, info: 'org.example.MyType' }), "'org.example.MyType'");
  });

  it('a 5.0 vector reads the same from the model and from the driver, element type and dimension counted', () => {
    const reported = (code: number, n: number): DriverType => ({ code: d.custom, info: [scalar(code), n], customTypeName: 'vector' });
    assert.equal(modelTypeText(columns.vector(columns.float(), 3).type as never), 'vector<float, 3>');
    assert.equal(driverTypeText(reported(d.float, 3)), 'vector<float, 3>');
    assert.equal(modelTypeText(columns.vector(columns.varchar(), 2).type as never), driverTypeText(reported(d.varchar, 2)));
    assert.notEqual(driverTypeText(reported(d.float, 3)), driverTypeText(reported(d.float, 4)));
    assert.notEqual(driverTypeText(reported(d.float, 3)), driverTypeText(reported(d.int, 3)));
  });
});
