#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { clear, start, status, stop } from './index.js';

const usage = `Usage: cqlengine-cassandra <command> [options]

Commands:
  start [--nodes N] [--heap MB] [--timeout SECONDS]   start (or reuse) nodes 127.0.0.1..N
  stop [--node N]                                       stop the nodes this tool started
  status                                                show each node's state
  clear                                                 stop, then delete data and logs

Options:
  --home DIR   where data, logs and pids live (default $CQLENGINE_CASSANDRA_HOME or ./.cassandra)`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      node: { type: 'string' },
      heap: { type: 'string' },
      timeout: { type: 'string' },
      home: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const home = values.home;
  const number = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${raw}'`);
    return n;
  };
  switch (positionals[0]) {
    case 'start': {
      const nodes = await start({
        home,
        nodes: number('nodes', values.nodes),
        heapMb: number('heap', values.heap),
        timeoutMs: (number('timeout', values.timeout) ?? 120) * 1000,
      });
      for (const n of nodes) process.stdout.write(`node${n.index} ${n.address}:9042 ready${n.pid ? ` (pid ${n.pid})` : ' (reused)'}\n`);
      break;
    }
    case 'stop': {
      const stopped = await stop({ home, node: number('node', values.node) });
      process.stdout.write(stopped.length ? `stopped node ${stopped.join(', ')}\n` : 'no node of ours was running\n');
      break;
    }
    case 'status':
      for (const n of await status({ home })) {
        process.stdout.write(
          `node${n.index} ${n.address}:9042 ${n.listening ? 'listening' : 'down'}` +
            `${n.pid ? ` pid ${n.pid}` : n.listening ? ' (not started by this tool)' : ''}  log ${n.log}\n`,
        );
      }
      break;
    case 'clear':
      await clear({ home });
      process.stdout.write('cleared\n');
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
