/**
 * A multi-tenant HTTP service with Fastify: each tenant's notes live in a keyspace of its own, and
 * each request runs its queries through `contextQuery`, which binds the model to that tenant's
 * keyspace for the request alone. Concurrent requests for different tenants never see each other's
 * keyspace, and nothing global changes. A tenant's keyspace and table are created on its first request.
 *
 *   npx tsx examples/tenant-service.ts              serves on $PORT (default 3000) until Ctrl-C:
 *       curl -X POST localhost:3000/tenants/acme/boards/ideas/notes -H 'content-type: application/json' -d '{"text":"hi"}'
 *       curl localhost:3000/tenants/acme/boards/ideas/notes
 *   npx tsx examples/tenant-service.ts --self-test  makes a few requests to itself, prints them, and exits
 *
 * Cassandra: the hosts in CQLENGINE_HOSTS, else a local node (see examples/hosts.ts).
 * On close the service drops the keyspaces it created: it is a demo; a real one keeps its tenants' data.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { types } from 'cassandra-driver';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { columns, connection, contextQuery, DoesNotExist, management, model, ValidationError } from 'cqlengine';
import { findCassandra } from './hosts.js';

// No keyspace on the model: every query gets its keyspace from the request's contextQuery.
const Note = model('notes', {
  board: columns.text().partitionKey(),
  id: columns
    .timeuuid()
    .primaryKey()
    .clusteringOrder('desc')
    .default(() => types.TimeUuid.now()),
  text: columns.text().required(),
  createdAt: columns
    .timestamp()
    .dbField('created_at')
    .default(() => new Date()),
});

const TENANTS = new Set(['acme', 'globex']);
// A fresh prefix per run, so that two runs never share keyspaces; a real service would fix one.
const PREFIX = `notes_${randomBytes(3).toString('hex')}`;

/** Creates each tenant's keyspace and table once; concurrent first requests share the one promise. */
const provisioned = new Map<string, Promise<string>>();
function tenantKeyspace(tenant: string): Promise<string> {
  let ready = provisioned.get(tenant);
  if (!ready) {
    const keyspace = `${PREFIX}_${tenant}`;
    ready = (async () => {
      await management.createKeyspaceSimple(keyspace, 1);
      await management.syncTable(Note, { keyspaces: [keyspace] });
      return keyspace;
    })();
    // A failed attempt is forgotten, so that the next request tries again.
    ready.catch(() => provisioned.delete(tenant));
    provisioned.set(tenant, ready);
  }
  return ready;
}

/** Runs `fn` with Note bound to the tenant's keyspace. */
async function asTenant<T>(tenant: string, fn: (TenantNote: typeof Note) => Promise<T>): Promise<T> {
  const keyspace = await tenantKeyspace(tenant);
  return contextQuery([Note], { keyspace }, fn);
}

class UnknownTenant extends Error {}

interface BoardParams {
  tenant: string;
  board: string;
}

function buildServer(logger: boolean): FastifyInstance {
  const app = Fastify({ logger });

  app.addHook('preHandler', async (request) => {
    const { tenant } = request.params as Partial<BoardParams>;
    if (tenant !== undefined && !TENANTS.has(tenant)) throw new UnknownTenant(`no tenant '${tenant}'`);
  });

  app.post<{ Params: BoardParams; Body: { text: string } }>(
    '/tenants/:tenant/boards/:board/notes',
    { schema: { body: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } } },
    async (request, reply) => {
      const { tenant, board } = request.params;
      const note = await asTenant(tenant, (TenantNote) => TenantNote.create({ board, text: request.body.text }));
      return reply.code(201).send(note); // the instance's toJSON gives its columns
    },
  );

  app.get<{ Params: BoardParams; Querystring: { limit?: string } }>('/tenants/:tenant/boards/:board/notes', async (request) => {
    const { tenant, board } = request.params;
    const limit = Math.min(Number(request.query.limit ?? 20) || 20, 100);
    return asTenant(tenant, (TenantNote) => TenantNote.filter({ board }).limit(limit).all());
  });

  const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  app.get<{ Params: BoardParams & { id: string } }>(
    '/tenants/:tenant/boards/:board/notes/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: UUID } } } } },
    async (request) => {
      const { tenant, board, id } = request.params;
      return asTenant(tenant, (TenantNote) => TenantNote.get({ board, id: types.TimeUuid.fromString(id) }));
    },
  );

  app.setErrorHandler<FastifyError>(async (error, request, reply) => {
    if (error instanceof UnknownTenant || error instanceof DoesNotExist) return reply.code(404).send({ error: error.message });
    // Bad input is refused before it reaches Cassandra: by the route's schema, or by cqlengine's validation.
    if (error instanceof ValidationError || error.validation) return reply.code(400).send({ error: error.message });
    request.log.error(error);
    return reply.code(500).send({ error: 'internal error' });
  });

  // Graceful close: Fastify stops accepting requests and waits for those in flight, then the hook runs.
  app.addHook('onClose', async () => {
    for (const ready of provisioned.values()) {
      const keyspace = await ready.catch(() => undefined);
      if (!keyspace) continue;
      await management.dropKeyspace(keyspace);
      console.log(`dropped keyspace ${keyspace}`);
    }
    await connection.shutdown(); // releases every socket and timer, so the process can exit
  });
  return app;
}

/** Requests to the running server, printed; asserts what a tenant sees. */
async function selfTest(base: string): Promise<void> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as unknown;
    console.log(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
    return { status: res.status, json };
  };
  // Two tenants at once: each request is bound to its own keyspace.
  const [a, g] = await Promise.all([
    call('POST', '/tenants/acme/boards/ideas/notes', { text: 'ship the examples' }),
    call('POST', '/tenants/globex/boards/ideas/notes', { text: 'globex only' }),
  ]);
  assert.equal(a.status, 201);
  assert.equal(g.status, 201);
  await call('POST', '/tenants/acme/boards/ideas/notes', { text: 'then the API reference' });
  const acme = await call('GET', '/tenants/acme/boards/ideas/notes');
  const globex = await call('GET', '/tenants/globex/boards/ideas/notes');
  assert.deepEqual(
    (acme.json as { text: string }[]).map((n) => n.text),
    ['then the API reference', 'ship the examples'],
  );
  assert.deepEqual(
    (globex.json as { text: string }[]).map((n) => n.text),
    ['globex only'],
  );
  const { id } = a.json as { id: string };
  assert.equal((await call('GET', `/tenants/acme/boards/ideas/notes/${id}`)).status, 200);
  assert.equal((await call('GET', `/tenants/globex/boards/ideas/notes/${id}`)).status, 404);
  assert.equal((await call('GET', '/tenants/nobody/boards/ideas/notes')).status, 404);
  assert.equal((await call('POST', '/tenants/acme/boards/ideas/notes', {})).status, 400);
  console.log('self-test passed: each tenant sees only its own notes');
}

async function main(): Promise<void> {
  const testing = process.argv.includes('--self-test');
  const { hosts } = await findCassandra();
  // No default keyspace: a query without a tenant fails with a CQLEngineError rather than reaching a wrong one.
  await connection.setup(hosts, null);

  const app = buildServer(!testing);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());
  process.once('SIGINT', close);
  process.once('SIGTERM', close);

  try {
    const address = await app.listen({ port: testing ? 0 : Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
    console.log(`listening on ${address}`);
    if (testing) await selfTest(address);
  } finally {
    if (testing) await close();
  }
}

main().catch(async (err) => {
  console.error(err);
  process.exitCode = 1;
  await connection.shutdown();
});
