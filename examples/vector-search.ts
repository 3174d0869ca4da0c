/**
 * Vector search (Cassandra 5.0): a vector column with a storage-attached index, a few rows, and the
 * rows nearest to a query vector, with their similarity. Run with `npx tsx examples/vector-search.ts`
 * (CQLENGINE_HOSTS=host to use a running node; otherwise the local tool starts one).
 */
import { columns, connection, management, model } from '../src/index.js';
import { start } from '../src/tooling/cassandra/index.js';

const KEYSPACE = 'vector_search_example';

// A 3-dimension embedding for the sake of the example; real models use hundreds.
const Product = model(
  'products',
  {
    id: columns.int().partitionKey(),
    name: columns.text(),
    category: columns.text().index({ using: 'sai' }),
    embedding: columns.vector(columns.float(), 3).index({ using: 'sai', options: { similarity_function: 'cosine' } }),
  },
  { keyspace: KEYSPACE },
);

async function main(): Promise<void> {
  const hosts = process.env.CQLENGINE_HOSTS?.split(',') ?? (await start({ version: '5.0' })).map((n) => n.address);
  await connection.setup(hosts, KEYSPACE);
  try {
    await management.createKeyspaceSimple(KEYSPACE, 1);
    await management.syncTable(Product);
    const items: [number, string, string, number[]][] = [
      [1, 'red apple', 'fruit', [0.9, 0.1, 0.0]],
      [2, 'green apple', 'fruit', [0.8, 0.3, 0.0]],
      [3, 'banana', 'fruit', [0.4, 0.9, 0.1]],
      [4, 'hammer', 'tools', [0.0, 0.1, 0.9]],
    ];
    for (const [id, name, category, embedding] of items) await Product.create({ id, name, category, embedding });

    const query = new Float32Array([1, 0.2, 0]);
    console.log('nearest to [1, 0.2, 0]:');
    for (const { row, similarity } of await Product.objects().annOf('embedding', query).limit(3).scored('cosine')) {
      console.log(`  ${(row.name ?? '').padEnd(12)} ${similarity.toFixed(4)}`);
    }
    const tools = await Product.filter({ category: 'tools' }).annOf('embedding', query).limit(3).all();
    console.log('nearest tools:', tools.map((p) => p.name).join(', '));
  } finally {
    await management.dropKeyspace(KEYSPACE);
    await connection.shutdown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
