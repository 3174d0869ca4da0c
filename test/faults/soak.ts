/**
 * The soak (npm run soak, opt-in): the fault suite's three-node cluster under the mixed load at QUORUM
 * for CQLENGINE_SOAK_SECONDS (default 600), with a node SIGKILLed and restarted at random (never two
 * down at once), then every acknowledged write read back at QUORUM. Exits 1 if any is missing.
 */
import { connection, management } from '../../src/index.js';
import { adminClient } from '../helpers/cassandra.js';
import { ADDRESSES, freshCluster, killNode, sleep, startNodes, stopCluster } from './cluster.js';
import { faultModels, missing, newLedger, runLoad } from './load.js';

const seconds = Number(process.env.CQLENGINE_SOAK_SECONDS ?? 600);
const KS = 'cqle_soak';

async function main(): Promise<number> {
  await freshCluster();
  const admin = await adminClient([ADDRESSES[0]!]);
  try {
    await admin.execute(`CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`);
    await connection.registerConnection('faults', { hosts: [...ADDRESSES], consistency: 'QUORUM' });
    const m = faultModels(KS, 'faults');
    await management.syncTable(m.Item);
    await management.syncTable(m.Hits);
    const ledger = newLedger();
    const end = Date.now() + seconds * 1000;
    const kills: string[] = [];
    const chaos = (async () => {
      while (Date.now() < end) {
        await sleep(2_000 + Math.random() * 8_000);
        if (Date.now() >= end) break;
        const node = 1 + Math.floor(Math.random() * 3);
        kills.push(`node${node} at ${Math.round((end - Date.now()) / 1000)} s before the end`);
        await killNode(node);
        await sleep(Math.random() * 5_000);
        await startNodes(3);
      }
    })();
    const load = runLoad(m, ledger, 32, chaos);
    await chaos;
    await load;
    await startNodes(3);
    const lost = await missing(admin, KS, ledger);
    process.stdout.write(
      `soak of ${seconds} s: ${kills.length} kills (${kills.join('; ')}); ${ledger.acknowledged} writes acknowledged, ` +
        `${ledger.reads} reads, ${ledger.errors} errors seen by the application, ${lost.length} acknowledged writes missing\n`,
    );
    for (const [kind, n] of ledger.errorKinds) process.stdout.write(`  error (${n}): ${kind}\n`);
    for (const line of lost.slice(0, 20)) process.stdout.write(`  missing: ${line}\n`);
    return lost.length === 0 ? 0 : 1;
  } finally {
    await connection.shutdown();
    await admin.shutdown();
    await stopCluster();
  }
}

process.exitCode = await main();
