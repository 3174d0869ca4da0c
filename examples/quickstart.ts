/**
 * cqlengine quickstart: two named connections, typed models, queries, a batch and a ContextQuery,
 * against a local Cassandra (started here if none is listening), or the hosts in CQLENGINE_HOSTS.
 * Run with `npm start` (or `npx tsx examples/quickstart.ts`).
 *
 * In production the two connections would point at two clusters; here both reach the local node
 * and keep their data in separate keyspaces.
 */
import { types } from 'cassandra-driver';
import { batch, columns, connection, contextQuery, management, model } from 'cqlengine';
import { findCassandra } from './hosts.js';

// A model's columns define its TypeScript types: no interface is written by hand.
class User extends model(
  'users',
  {
    id: columns
      .uuid()
      .partitionKey()
      .default(() => types.Uuid.random()),
    email: columns.text().required(),
    name: columns.text(),
    tags: columns.set(columns.text()),
    createdAt: columns
      .timestamp()
      .dbField('created_at')
      .default(() => new Date()),
  },
  { connection: 'accounts', keyspace: 'quickstart_accounts' },
) {
  describe(): string {
    return `${this.name ?? '(no name)'} <${this.email}> [${[...this.tags].join(', ')}]`;
  }
}

const PageView = model(
  'page_views',
  {
    userId: columns.uuid().partitionKey().dbField('user_id'),
    at: columns.timeuuid().primaryKey().clusteringOrder('desc'),
    path: columns.text(),
  },
  { connection: 'analytics', keyspace: 'quickstart_analytics' },
);

async function main(): Promise<void> {
  const { hosts, node } = await findCassandra();
  console.log(`Cassandra ready at ${hosts.join(', ')}`);

  // Two named connections; 'accounts' is the default, with LOCAL_QUORUM as its default consistency.
  await connection.registerConnection('accounts', { hosts, consistency: 'LOCAL_QUORUM', default: true });
  await connection.registerConnection('analytics', { hosts, lazyConnect: true });
  console.table(connection.listConnections().map(({ name, isDefault, state }) => ({ name, isDefault, state })));

  await management.createKeyspaceSimple('quickstart_accounts', 1, { connections: ['accounts'] });
  await management.createKeyspaceSimple('quickstart_analytics', 1, { connections: ['analytics'] });
  await management.syncTable(User);
  await management.syncTable(PageView);

  const ada = await User.create({ email: 'ada@example.com', name: 'Ada', tags: ['admin'] });
  const alan = await User.create({ email: 'alan@example.com', name: 'Alan' });

  // Change tracking: only the changed column is written, and the set grows in place (tags = tags + ?).
  ada.tags.add('early-adopter');
  console.log('changed columns:', ada.changedColumns());
  await ada.save();

  // A batch runs on one connection: here the models' own 'analytics'.
  await batch(async (b) => {
    for (const path of ['/', '/docs', '/pricing']) {
      await PageView.create({ userId: ada.id, at: types.TimeUuid.now(), path }, { batch: b });
    }
  });

  const latest = await PageView.filter({ userId: ada.id }).limit(2).all();
  console.log(
    'latest views of Ada:',
    latest.map((v) => v.path),
  );
  console.log(
    'all users:',
    (await User.all()).map((u) => u.describe()),
  );
  console.log('the SELECT behind a query:', PageView.filter({ userId: ada.id }).limit(2).toString());

  // ContextQuery: the same model on another keyspace for one block, without touching global state.
  await management.createKeyspaceSimple('quickstart_archive', 1, { connections: ['accounts'] });
  await management.syncTable(User, { keyspaces: ['quickstart_archive'] });
  await contextQuery([User], { keyspace: 'quickstart_archive' }, async (ArchivedUser) => {
    await ArchivedUser.create({ id: alan.id, email: alan.email, name: 'Alan (archived)' });
    console.log('archived users:', await ArchivedUser.count(), '| live users:', await User.count());
  });

  const found = await User.get({ id: alan.id });
  await found.delete();
  await User.get({ id: alan.id }).catch((err: Error) => console.log(`after delete: ${err.name}`));

  for (const [ks, conn] of [
    ['quickstart_accounts', 'accounts'],
    ['quickstart_archive', 'accounts'],
    ['quickstart_analytics', 'analytics'],
  ] as const) {
    await management.dropKeyspace(ks, { connections: [conn] });
  }
  await connection.shutdown();
  console.log('done.');
  if (node) {
    console.log(`Cassandra keeps running in the background (data and logs in ${node.home});`);
    // In the cqlengine repository itself, npx would first install and build the package to run it.
    const here = process.env['npm_package_name'] === 'cqlengine' ? 'npm run cassandra -- stop' : 'npx cqlengine-cassandra stop';
    console.log(`stop it with: ${here}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
