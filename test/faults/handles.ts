/**
 * Names what keeps a process alive: every TCP socket opened after trace() is remembered with the
 * stack that opened it, so that a socket still open after shutdown says which code opened it.
 */
import { Socket } from 'node:net';

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

/** The sockets still open, local → remote, each with when and where it was opened. */
export function openSockets(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles
    .filter((h): h is Socket => h instanceof Socket)
    .map((s) => {
      const origin = opened.get(s);
      const where = origin ? ` opened ${Date.now() - origin.at} ms ago at\n${origin.stack}` : '';
      return `${s.localAddress}:${s.localPort}→${s.remoteAddress}:${s.remotePort}${s.destroyed ? ' (destroyed)' : ''}${where}`;
    });
}

/** Active resources by kind (process.getActiveResourcesInfo()). */
export function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}
