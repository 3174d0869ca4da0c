/**
 * A TCP proxy in front of one Cassandra node, so that tests can make the node unreachable and
 * reachable again on the same address, and count the connections a driver opens.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ProxyOptions {
  /** Where to forward; default 127.0.0.1:9042. */
  targetHost?: string;
  targetPort?: number;
}

export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #clients = new Set<Socket>();
  #port = 0;
  #accepted = 0;
  #closed = false;
  #stalled = false;
  #cut = false;
  /** Each live client socket and the upstream socket it is piped to. */
  readonly #pairs = new Map<Socket, Socket>();
  readonly #targetHost: string;
  readonly #targetPort: number;

  private constructor(options: ProxyOptions) {
    this.#targetHost = options.targetHost ?? '127.0.0.1';
    this.#targetPort = options.targetPort ?? 9042;
  }

  /** Starts a proxy listening on 127.0.0.1 at an ephemeral port. */
  static async start(options: ProxyOptions = {}): Promise<TcpProxy> {
    const proxy = new TcpProxy(options);
    await proxy.enable();
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** The contact point to give the driver: '127.0.0.1:<port>'. */
  get contactPoint(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** How many client connections the proxy has accepted since it started (or since resetCount()). */
  get accepted(): number {
    return this.#accepted;
  }

  /** How many proxied client connections are open now. */
  get open(): number {
    return this.#clients.size;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  /**
   * Stops passing the node's answers on, on every live connection and new ones, while keeping
   * them open: requests go unanswered until resume().
   */
  stall(): void {
    this.#stalled = true;
    for (const upstream of this.#pairs.values()) upstream.pause();
  }

  resume(): void {
    this.#stalled = false;
    this.#cut = false;
    for (const [client, upstream] of this.#pairs) {
      upstream.resume();
      client.resume();
    }
  }

  /** As stall(), both ways: requests no longer reach the node either, as when the network drops its packets. */
  cut(): void {
    this.stall();
    this.#cut = true;
    for (const client of this.#pairs.keys()) client.pause();
  }

  resetCount(): void {
    this.#accepted = 0;
  }

  /** Listens (again) on the same port: the first time on an ephemeral one. */
  async enable(): Promise<void> {
    if (this.#closed) throw new Error('proxy is closed');
    if (this.#server) return;
    const server = createServer((client) => this.#forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.#port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stops listening and destroys every live connection, both sides: the node looks gone. */
  async disable(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#clients.clear();
    this.#pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.disable();
  }

  #forward(client: Socket): void {
    this.#accepted++;
    const upstream = connect({ host: this.#targetHost, port: this.#targetPort });
    this.#clients.add(client);
    this.#pairs.set(client, upstream);
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.#clients.delete(client);
      this.#pairs.delete(client);
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.#stalled) upstream.pause();
    if (this.#cut) client.pause();
  }
}
