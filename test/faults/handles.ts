/**
 * Names what keeps a process alive: every TCP socket opened after trace() is remembered with the
 * stack that opened it, so that a socket still open after shutdown says which code opened it.
 */
import { Socket } from 'node:net';
import { Client } from 'cassandra-driver';

const opened = new WeakMap<Socket, { at: number; stack: string }>();
let traced = false;

/** From now on, remember where each socket of this process was opened. */
export function traceSockets(): void {
  if (traced) return;
  traced = true;
  const connect = Socket.prototype.connect;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    const stack = new Error('opened here').stack ?? '';
    Error.stackTraceLimit = limit;
    opened.set(this, { at: Date.now(), stack: stack.split('\n').slice(2).join('\n') });
    return (connect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof connect;
}

interface Tracked {
  client: Client;
  at: number;
  label: string;
}
const clients: Tracked[] = [];

/** From now on, remember every Client that connects (to name the owner of a socket left open). */
export function traceClients(): void {
  const connect = Client.prototype.connect;
  Client.prototype.connect = function (this: Client, ...args: unknown[]) {
    if (!clients.some((t) => t.client === this)) {
      const points = (this as unknown as { options: { contactPoints: string[] } }).options.contactPoints.join(',');
      clients.push({ client: this, at: Date.now(), label: `Client #${clients.length + 1} (${points})` });
    }
    return (connect as (...a: unknown[]) => Promise<void>).apply(this, args);
  } as typeof connect;
}

interface HostInternals {
  address: string;
  pool: { connections: { netClient?: Socket }[]; _state?: number; _newConnectionTimeout?: unknown };
}

/** Which traced Client's pool holds the socket, and in what state that Client and pool are. */
function ownerOf(socket: Socket): string {
  for (const { client, at, label } of clients) {
    const c = client as unknown as {
      connected: boolean;
      isShuttingDown: boolean;
      hosts: { values(): HostInternals[] };
      controlConnection: { connection?: { netClient?: Socket } };
    };
    const state = `connected=${c.connected}, shuttingDown=${c.isShuttingDown}, made ${Date.now() - at} ms ago`;
    if (c.controlConnection?.connection?.netClient === socket) return `${label}'s control connection (${state})`;
    for (const host of c.hosts?.values() ?? []) {
      if (host.pool.connections.some((conn) => conn.netClient === socket)) {
        return `${label}, pool of ${host.address} (pool state ${host.pool._state}; ${state})`;
      }
    }
  }
  return 'no traced Client holds it in a pool (an orphan)';
}

/** The sockets still open, local → remote, each with when and where it was opened. */
export function openSockets(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles
    .filter((h): h is Socket => h instanceof Socket)
    .map((s) => {
      const origin = opened.get(s);
      const where = origin ? ` opened ${Date.now() - origin.at} ms ago at\n${origin.stack}` : '';
      const end = `${s.localAddress}:${s.localPort}→${s.remoteAddress}:${s.remotePort}${s.destroyed ? ' (destroyed)' : ''}`;
      return `${end}, held by ${ownerOf(s)}${where}`;
    });
}

/** Active resources by kind (process.getActiveResourcesInfo()). */
export function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}
