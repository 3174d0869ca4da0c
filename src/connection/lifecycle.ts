/**
 * The end of a registry-made Client: let statements in flight finish (up to the drain time), shut the
 * Client down, and wait out the one timer the driver does not clear itself.
 */
import { policies, type Client, type ClientOptions } from 'cassandra-driver';
import { setTimeout as sleep } from 'node:timers/promises';

/** Counts the statements in flight on one connection; idle() resolves when none is left. */
export class InFlight {
  #count = 0;
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  begin(): void {
    this.#count++;
  }

  end(): void {
    if (--this.#count > 0 || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** The longest wait for the driver's leftover control-connection timer; a longer one is left to run out. */
const MAX_TIMER_WAIT_MS = 10_000;

type Schedule = Iterator<number> & { dueAt?: number };

/**
 * The driver's control connection schedules its reconnect with a setTimeout it does not keep, so its own
 * shutdown cannot clear it: after an outage, a shut-down Client can hold the process alive until that
 * timer fires (then it does nothing). Each schedule made through this wrapper remembers when its
 * last delay ends, so that shutdown can wait exactly that long (at most RECONNECT_DELAY_MS with the
 * registry's default schedule) and the process is left with no timer of the driver's.
 */
// The driver's typings declare ReconnectionPolicy an interface; at run time it is the class the driver checks with instanceof.
const ReconnectionPolicyBase = (policies.reconnection as unknown as { ReconnectionPolicy: unknown })
  .ReconnectionPolicy as new () => policies.reconnection.ReconnectionPolicy;

export class TrackedReconnectionPolicy extends ReconnectionPolicyBase {
  constructor(readonly inner: policies.reconnection.ReconnectionPolicy) {
    super();
  }

  override newSchedule(): Iterator<number> {
    const schedule = this.inner.newSchedule();
    const tracked: Schedule = {
      next(): IteratorResult<number> {
        const step = schedule.next();
        if (!step.done && typeof step.value === 'number') tracked.dueAt = Date.now() + step.value;
        return step;
      },
    };
    return tracked;
  }

  override getOptions(): Map<string, object> {
    return this.inner.getOptions();
  }
}

/** When the control connection's pending reconnect timer fires, if one is pending (driver internals, read defensively). */
function controlTimerDue(client: Client): number | undefined {
  const schedule = (client as unknown as { controlConnection?: { _reconnectionSchedule?: Schedule } }).controlConnection
    ?._reconnectionSchedule;
  const due = schedule?.dueAt;
  return typeof due === 'number' && due > Date.now() ? due : undefined;
}

/**
 * When no host is usable for the driver's control connection (the whole cluster was down), it starts
 * over as if connecting anew and puts a NEW Host object in its map for the node it reaches, dropping
 * the old one without shutting it down. The old Host's pool keeps its reconnection timer: once the
 * node is back it opens a connection that no Host in the map owns, so that the Client's shutdown never
 * closes it, and its socket and heartbeat hold the process alive. A Host leaving the map is shut down
 * here (it serves nothing any more: the load-balancing policy only sees the map).
 */
export function shutDownReplacedHosts(client: Client): void {
  const hosts = (client as unknown as { hosts?: { on?(event: 'remove', listener: (host: unknown) => void): void } }).hosts;
  hosts?.on?.('remove', (host) => {
    const h = host as { shutdown?(waitForPending: boolean): Promise<void> };
    h.shutdown?.(false).catch(() => undefined);
  });
}

/** Lets statements in flight finish for up to drainMs, then shuts the Client down and releases every handle. */
export async function drainThenShutdown(client: Client, inFlight: InFlight, drainMs: number, onCutOff: () => void): Promise<void> {
  if (drainMs > 0 && inFlight.count > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inFlight.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)))]);
    clearTimeout(timer);
  }
  onCutOff();
  await shutdownClean(client);
}

/** client.shutdown(), then the driver's leftover control-connection timer waited out (see TrackedReconnectionPolicy). */
export async function shutdownClean(client: Client): Promise<void> {
  const internals = client as unknown as { connected?: boolean; controlConnection?: { shutdown?(): void; reset?(): Promise<void> } };
  if (internals.connected === false && internals.controlConnection) {
    // A Client whose connect failed: the driver's shutdown() returns at once, and its control connection
    // stays free to reconnect once a node is back, with sockets and heartbeats nobody owns. Shut it
    // down for good (driver internals, used only where present).
    await internals.controlConnection.reset?.().catch(() => undefined);
    internals.controlConnection.shutdown?.();
  }
  await client.shutdown();
  const due = controlTimerDue(client);
  // +20 ms: the timer's callback runs (and, the Client being shut down, returns at once) before we do.
  if (due !== undefined && due - Date.now() <= MAX_TIMER_WAIT_MS) await sleep(due - Date.now() + 20);
}

/**
 * client.connect(), with the first answer of a contact point bounded by the connect timeout rather than
 * the 12 s read timeout: a host that accepts and never answers fails the connect within connectTimeout.
 * The driver times its STARTUP and first metadata queries with socketOptions.readTimeout, read anew on
 * each request from the Client's options, so that value is lowered while connecting and put back after.
 */
export async function connectWithin(client: Client, options: ClientOptions): Promise<void> {
  const socketOptions = (client as unknown as { options?: { socketOptions?: { readTimeout?: number; connectTimeout?: number } } }).options
    ?.socketOptions;
  const readTimeout = socketOptions?.readTimeout;
  const connectTimeout = options.socketOptions?.connectTimeout ?? socketOptions?.connectTimeout;
  const lowered = socketOptions !== undefined && readTimeout !== undefined && connectTimeout !== undefined && connectTimeout < readTimeout;
  if (lowered) socketOptions.readTimeout = connectTimeout;
  try {
    await client.connect();
  } finally {
    if (lowered) socketOptions.readTimeout = readTimeout;
  }
}
