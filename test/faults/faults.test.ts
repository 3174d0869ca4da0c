/**
 * The fault suite (npm run test:faults, not npm test): a fresh three-node Cassandra 5.0 of its own
 * (127.0.0.11-13, RF 3), broken as an operator would break it, with the figures printed at the end.
 * Timing is measured and printed; the only timing assertion is the issue's 2 s recovery bound.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, errors, policies } from 'cassandra-driver';
import { shutDownReplacedHosts } from '../../src/connection/lifecycle.js';
import { ShutdownError, connection, management } from '../../src/index.js';
import { TcpProxy } from '../helpers/proxy.js';
import { captureLogs } from '../helpers/util.js';
import { openSockets, resourceCounts, traceClients, traceSockets } from './handles.js';
import { ADDRESSES, firstListening, freshCluster, killNode, sleep, startNodes, stopCluster } from './cluster.js';
import { faultModels, missing, newLedger, runLoad, type Ledger, type Models } from './load.js';

// Before anything of ours exists: what the test runner itself holds.
const baseline = resourceCounts();
traceSockets();
traceClients();
const KS = 'cqle_faults';
const WORKERS = 32;
const RECOVERY_BOUND_MS = 2_000;
const LOCAL = 'SELECT release_version FROM system.local';

const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  process.stderr.write(`  [figure] ${line}\n`);
};

let admin: Client;
let m: Models;
let ledger: Ledger;

const hostOf = (addressAndPort: string) => addressAndPort.split(':')[0]!;
const nodeOf = (address: string) => ADDRESSES.indexOf(address) + 1;

/** The node the driver's control connection is on (a driver internal, read for the test's choice of victim). */
async function controlNode(name: string): Promise<number> {
  const client = await connection.getSession(name);
  const host = (client as unknown as { controlConnection: { host: { address: string } } }).controlConnection.host.address;
  return nodeOf(hostOf(host));
}

/** Runs the mixed load; `during` runs meanwhile; the load stops `tailMs` after it. */
async function underLoad(during: () => Promise<void>, tailMs: number): Promise<{ states: Set<string> }> {
  const states = new Set<string>();
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const sampler = setInterval(() => states.add(connection.listConnections().find((c) => c.name === 'faults')!.state), 100);
  const load = runLoad(m, ledger, WORKERS, done);
  try {
    await sleep(2_000);
    await during();
    await sleep(tailMs);
  } finally {
    release();
    await load;
    clearInterval(sampler);
  }
  return { states };
}

async function checkNoneMissing(when: string): Promise<void> {
  const lost = await missing(admin, KS, ledger);
  figure(
    `${when}: ${ledger.acknowledged} writes acknowledged so far, ${ledger.errors} errors seen by the application, ${lost.length} acknowledged writes missing at QUORUM`,
  );
  assert.deepEqual(lost.slice(0, 10), [], `acknowledged writes missing ${when}`);
}

async function killUnderLoad(victim: number, label: string): Promise<void> {
  const errorsBefore = ledger.errors;
  const { states } = await underLoad(() => killNode(victim), 5_000);
  figure(
    `${label}: node${victim} SIGKILLed under ${WORKERS} in flight; errors seen by the application during it: ${ledger.errors - errorsBefore}; connection states seen: ${[...states].join(', ')}`,
  );
  for (const [kind, n] of ledger.errorKinds) figure(`  error kind (${n}): ${kind}`);
  assert.deepEqual([...states], ['connected']);
  await checkNoneMissing(`${label}, node${victim} down`);
  await startNodes(3);
  await checkNoneMissing(`${label}, node${victim} back`);
}

/** Waits (up to limitMs) until `use` succeeds; the last error if it never does. */
async function until<T>(use: () => Promise<T>, limitMs: number, pauseMs = 50): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      return await use();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(pauseMs);
    }
  }
}

before(async () => {
  const started = Date.now();
  await freshCluster();
  figure(`three-node cluster started in ${Math.round((Date.now() - started) / 1000)} s`);
  // The suite's own checking client, with a 1 s reconnection schedule so that its driver timers end soon after its shutdown.
  admin = new Client({
    contactPoints: [ADDRESSES[0]!],
    policies: {
      loadBalancing: new policies.loadBalancing.RoundRobinPolicy(),
      reconnection: new policies.reconnection.ConstantReconnectionPolicy(1_000),
    },
    socketOptions: { readTimeout: 30_000 },
    // v4 first, as the registry's Clients offer it: the driver's own first offer has each control
    // connection reopened, and a reopen whose connect gave up meanwhile left a socket open after shutdown.
    protocolOptions: { maxVersion: 4 },
  });
  // The driver bug the registry works around for its own Clients (a replaced Host's pool reconnecting
  // on its own after the whole-cluster outage) would otherwise leave this client's socket open.
  shutDownReplacedHosts(admin);
  await admin.connect();
  await admin.execute(`CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`);
  await connection.registerConnection('faults', { hosts: [...ADDRESSES], consistency: 'QUORUM' });
  m = faultModels(KS, 'faults');
  await management.syncTable(m.Item);
  await management.syncTable(m.Hits);
  ledger = newLedger();
});

after(async () => {
  await connection.shutdown().catch(() => undefined);
  await admin?.shutdown().catch(() => undefined);
  await stopCluster();
  process.stderr.write(`\n== fault suite figures\n${figures.map((f) => `  ${f}`).join('\n')}\n\n`);
});

describe('faults on three nodes at QUORUM', () => {
  it('one node SIGKILLed under the mixed load: no acknowledged write lost, the connection stays connected', async () => {
    const control = await controlNode('faults');
    await killUnderLoad(ADDRESSES.map((_, i) => i + 1).find((n) => n !== control)!, 'one node killed');
  });

  it('the node holding the control connection killed under the load: the same', async () => {
    await killUnderLoad(await controlNode('faults'), 'control-connection node killed');
  });

  it('two nodes down, then the whole cluster down and back: the errors, recovery within 2 s, fast failures', async () => {
    const conn = await connection.getConnection('faults');
    await killNode(2);
    await killNode(3);
    // Until gossip notices, the survivor answers with timeouts; then with Unavailable.
    const seen = await until(
      async () => {
        const err = await m.Item.create({ id: -1, v: 0 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err instanceof Error && /2 required but only 1 alive/.test(err.message)) return err;
        throw new Error(`not yet Unavailable: ${String(err)}`);
      },
      90_000,
      500,
    );
    figure(`two nodes down, the application sees: ${seen.constructor.name}: ${seen.message}`);
    assert.ok(seen instanceof errors.NoHostAvailableError);
    assert.match(
      seen.message,
      /^\[Connection: faults, Keyspace: cqle_faults, Model: items\] every host tried answered unavailableException/,
    );
    assert.match(seen.message, /consistency QUORUM/);
    assert.ok((seen.cause as errors.ResponseError).code === 0x1000, 'the Unavailable is the cause');

    // The four connection modes, registered while one node still serves; lazy+retry first used in the outage.
    const modes = {
      eager: { lazyConnect: false, retryConnect: false },
      lazy: { lazyConnect: true, retryConnect: false },
      'lazy+retry': { lazyConnect: true, retryConnect: true },
      'retry only': { lazyConnect: false, retryConnect: true },
    } as const;
    for (const [name, opts] of Object.entries(modes)) {
      await connection.registerConnection(name, { hosts: [...ADDRESSES], ...opts });
      if (name === 'lazy') await connection.execute(LOCAL, [], { connection: name });
    }
    const log = captureLogs();
    let outage: { name: string; ms: number; error: string }[] = [];
    try {
      await killNode(1);
      const outageStarted = Date.now();
      while (Date.now() - outageStarted < 3_000) {
        outage = outage.concat(
          await Promise.all(
            ['faults', ...Object.keys(modes)].map(async (name) => {
              const t = Date.now();
              const err = await connection.execute(LOCAL, [], { connection: name }).then(
                () => undefined,
                (e: unknown) => e,
              );
              assert.ok(err, `${name} served during the outage?`);
              return { name, ms: Date.now() - t, error: (err as Error).constructor.name };
            }),
          ),
        );
        await sleep(100);
      }
      const attempts = log.entries.filter((e) => e.message === '[Connection: lazy+retry] connecting').length;
      const slowest = Math.max(...outage.map((o) => o.ms));
      figure(
        `whole cluster down: ${outage.length} uses all failed, the slowest in ${slowest} ms; lazy+retry made ${attempts} connect attempts in 3 s`,
      );
      figure(`  errors during the outage: ${[...new Set(outage.map((o) => `${o.name}: ${o.error}`))].join('; ')}`);
      assert.ok(attempts <= 6, `connect attempts pile up: ${attempts}`);

      // Node 1 alone back: every mode that can recover serves again within 2 s of it listening.
      const listening = firstListening(ADDRESSES[0]!);
      const starting = startNodes(1);
      const t0 = await listening;
      const recovery = await Promise.all(
        ['faults', ...Object.keys(modes)].map(async (name) => {
          try {
            await until(() => connection.execute(LOCAL, [], { connection: name }), 60_000);
            return { name, ms: Date.now() - t0 };
          } catch (err) {
            return { name, ms: NaN, error: err };
          }
        }),
      );
      await starting;
      for (const r of recovery) {
        figure(
          `recovery after the first node listens: ${r.name}: ${Number.isNaN(r.ms) ? 'never' : `${r.ms} ms`} (${r.ms <= RECOVERY_BOUND_MS ? 'within' : 'OVER'} the 2 s bound)`,
        );
      }
      // The issue's bound, asserted: the suite runs alone in CI (measured 0.2-1.2 s with the former 1 s schedule).
      for (const r of recovery) assert.ok(r.ms <= RECOVERY_BOUND_MS, `${r.name} served again after ${r.ms} ms`);
    } finally {
      log.restore();
      // The rest back, whatever happened above, so that later tests have their three nodes.
      await startNodes(3);
    }

    // QUORUM serves again on the very same connection object.
    await until(() => m.Item.create({ id: -2, v: 0 }), 60_000, 500);
    assert.equal(await connection.getConnection('faults'), conn);
    assert.equal(conn.state, 'connected');
    for (const name of Object.keys(modes)) await connection.unregisterConnection(name);
    await checkNoneMissing('after the whole-cluster outage');
  });

  it('a node cut off by the network: idempotent statements complete on the other replicas; non-idempotent ones are never retried', async () => {
    const proxy = await TcpProxy.start({ targetHost: ADDRESSES[1]!, targetPort: 9042 });
    // The typings declare AddressTranslator an interface; the driver checks the class with instanceof.
    const Translator = (policies.addressResolution as unknown as { AddressTranslator: new () => object }).AddressTranslator;
    class ThroughProxy extends Translator {
      translate(address: string, port: number, callback: (endpoint: string) => void): void {
        callback(address === ADDRESSES[1] ? proxy.contactPoint : `${address}:${port}`);
      }
    }
    try {
      // Speculative execution: an idempotent statement not answered within 300 ms is also sent to the next replica.
      await connection.registerConnection('cut', {
        hosts: [ADDRESSES[0]!],
        consistency: 'QUORUM',
        clusterOptions: {
          policies: {
            addressResolution: new ThroughProxy(),
            speculativeExecution: new policies.speculativeExecution.ConstantSpeculativeExecutionPolicy(300, 2),
          },
          socketOptions: { readTimeout: 4_000 },
        },
      });
      const c = faultModels(KS, 'cut');
      await until(() => connection.execute(LOCAL, [], { connection: 'cut' }), 30_000, 200);
      const client = await connection.getSession('cut');
      assert.ok(client.hosts.keys().includes(proxy.contactPoint), 'node 2 is reached through the proxy');
      proxy.cut();
      const ids = [...ledger.items.keys()].slice(0, 60);
      let idempotentOk = 0;
      const idempotentErrors: string[] = [];
      const nonIdempotent = { attempts: 0, failures: 0, kinds: new Set<string>() };
      const K = 100;
      await Promise.all(
        ids.map(async (id, i) => {
          for (const op of [() => c.Item.objects().get({ id }), () => c.Item.create({ id: 100_000 + i, v: i })]) {
            try {
              await op();
              idempotentOk++;
            } catch (err) {
              idempotentErrors.push(String(err));
            }
          }
          for (const op of [
            () => c.Hits.filter({ k: K }).update({ n__incr: 1 }),
            () => c.Item.filter({ id: 200_000 }).update({ log__append: [i] }),
            () => c.Item.create({ id: 300_000 + i, v: i }, { ifNotExists: true }),
          ]) {
            nonIdempotent.attempts++;
            try {
              await op();
            } catch (err) {
              nonIdempotent.failures++;
              nonIdempotent.kinds.add(
                `${(err as Error).constructor.name}${err instanceof errors.OperationTimedOutError ? ` (${err.host})` : ''}`,
              );
            }
          }
        }),
      );
      figure(
        `node2 cut off: ${idempotentOk} idempotent reads and writes completed, ${idempotentErrors.length} failed; ` +
          `non-idempotent: ${nonIdempotent.attempts} sent, ${nonIdempotent.failures} failed (${[...nonIdempotent.kinds].join(', ')})`,
      );
      assert.deepEqual(idempotentErrors, []);
      assert.ok(nonIdempotent.failures > 0, 'some non-idempotent statements went to the cut node and failed there');
      assert.deepEqual(
        [...nonIdempotent.kinds],
        [`OperationTimedOutError (${proxy.contactPoint})`],
        'they failed on the cut node, never retried elsewhere',
      );
      // Nothing applied twice: the counter and the list hold at most one entry per statement sent.
      const n = Number(
        (await admin.execute(`SELECT n FROM ${KS}.hits WHERE k = ?`, [K], { prepare: true, consistency: 4 })).first()?.['n'] ?? 0,
      );
      const list = ((
        await admin.execute(`SELECT log FROM ${KS}.items WHERE id = ?`, [200_000], { prepare: true, consistency: 4 })
      ).first()?.['log'] ?? []) as unknown[];
      assert.ok(n <= ids.length && list.length <= ids.length, `counter ${n}, list ${list.length}, for ${ids.length} statements each`);
    } finally {
      proxy.resume();
      await connection.unregisterConnection('cut');
      await proxy.close();
    }
  });

  it('1,000 concurrent first uses of a lazy connection make one connect attempt', async () => {
    const log = captureLogs();
    try {
      await connection.registerConnection('thousand', { hosts: [...ADDRESSES], lazyConnect: true });
      const results = await Promise.allSettled(
        Array.from({ length: 1000 }, () => connection.execute(LOCAL, [], { connection: 'thousand' })),
      );
      const attempts = log.entries.filter((e) => e.message === '[Connection: thousand] connecting').length;
      figure(
        `1,000 concurrent first uses of a lazy connection: ${attempts} connect attempt(s), ${results.filter((r) => r.status === 'fulfilled').length} served`,
      );
      assert.equal(attempts, 1);
      assert.ok(results.every((r) => r.status === 'fulfilled'));
    } finally {
      log.restore();
      await connection.unregisterConnection('thousand');
    }
  });

  it('a contact point that accepts and never answers fails within the connect timeout; unregistering mid-connect leaves nothing', async () => {
    const proxy = await TcpProxy.start({ targetHost: ADDRESSES[0]!, targetPort: 9042 });
    proxy.cut();
    try {
      await connection.registerConnection('silent', {
        hosts: [proxy.contactPoint],
        lazyConnect: true,
        clusterOptions: { socketOptions: { connectTimeout: 2_000 } },
      });
      const t = Date.now();
      const err = await connection.execute(LOCAL, [], { connection: 'silent' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      figure(
        `a silent contact point (connectTimeout 2 s, readTimeout 12 s): the connect failed after ${Date.now() - t} ms: ${(err as Error).message}`,
      );
      assert.ok(err instanceof errors.NoHostAvailableError);
      await connection.registerConnection('midway', { hosts: [proxy.contactPoint], lazyConnect: true, retryConnect: true });
      const use = connection.execute(LOCAL, [], { connection: 'midway' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await sleep(200);
      await connection.unregisterConnection('midway');
      assert.ok(await use);
      await connection.unregisterConnection('silent');
    } finally {
      await proxy.close();
    }
  });

  it('shutdown drains statements in flight; with no drain time they fail with ShutdownError', async () => {
    const conn = await connection.registerConnection('drain', { hosts: [...ADDRESSES], consistency: 'QUORUM' });
    const d = faultModels(KS, 'drain');
    await d.Item.create({ id: 400_000, v: 0 });
    const writes = Array.from({ length: 300 }, (_, i) =>
      d.Item.create({ id: 400_001 + i, v: i }).then(
        () => 'ok',
        (e: unknown) => e,
      ),
    );
    await until(async () => assert.ok(conn.inFlight.count > 0), 5_000, 1);
    await connection.unregisterConnection('drain', { drainMs: 30_000 });
    const results = await Promise.all(writes);
    figure(`shutdown with 300 writes in flight (drainMs 30 s): ${results.filter((r) => r === 'ok').length} acknowledged`);
    assert.ok(results.every((r) => r === 'ok'));
    assert.equal(conn.state, 'closed');
    const count = await admin.execute(
      `SELECT count(*) FROM ${KS}.items WHERE id IN ?`,
      [Array.from({ length: 300 }, (_, i) => 400_001 + i)],
      { prepare: true, consistency: 4 },
    );
    assert.equal(Number(count.first()['count']), 300);

    const conn2 = await connection.registerConnection('cutoff', { hosts: [...ADDRESSES], consistency: 'QUORUM' });
    const e = faultModels(KS, 'cutoff');
    await e.Item.create({ id: 500_000, v: 0 });
    const more = Array.from({ length: 300 }, (_, i) =>
      e.Item.create({ id: 500_001 + i, v: i }).then(
        () => 'ok',
        (err: unknown) => err,
      ),
    );
    await until(async () => assert.ok(conn2.inFlight.count > 0), 5_000, 1);
    await connection.unregisterConnection('cutoff', { drainMs: 0 });
    const cut = (await Promise.all(more)).filter((r) => r !== 'ok');
    figure(
      `shutdown with 300 writes in flight (drainMs 0): ${cut.length} cut off, e.g. ${cut[0] instanceof Error ? cut[0].message : 'none'}`,
    );
    assert.ok(cut.every((r) => r instanceof ShutdownError && /cut off by shutdown/.test(r.message)));
  });

  it('after all of it, connection.shutdown() leaves no socket or timer behind', async () => {
    // The checking client first, and its driver's leftover reconnect timer (up to 1 s) let run out: not cqlengine's.
    await admin.shutdown();
    await sleep(1_200);
    await connection.shutdown();
    const extraNow = () =>
      [...resourceCounts()]
        .filter(([kind, n]) => n > (baseline.get(kind) ?? 0))
        .map(([kind, n]) => `${kind} x${n - (baseline.get(kind) ?? 0)}`);
    const rightAfter = extraNow();
    // Sockets closing and their timers go within moments; anything still there after 20 s would keep the process alive.
    const t = Date.now();
    let extra = rightAfter;
    while (extra.length > 0 && Date.now() - t < 20_000) {
      await sleep(50);
      extra = extraNow();
    }
    figure(
      `active resources beyond the runner's own: right after shutdown ${rightAfter.length ? rightAfter.join(', ') : 'none'}; ` +
        `${extra.length ? `still after 20 s: ${extra.join(', ')} (sockets: ${openSockets().join('; ')})` : `none after ${Date.now() - t} ms`}`,
    );
    assert.deepEqual(extra, []);
  });
});
