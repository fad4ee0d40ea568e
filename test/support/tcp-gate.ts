/**
 * A loopback port that forwards every connection to a target port while open and refuses
 * connections while shut, as a server that is down does. A node pointed at the gate sees its
 * peer go away and come back at one address, while the test chooses the moment the peer is
 * reachable again: e.g. only once a restarted, in-memory moto has its topics again.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './moto.ts';

export class TcpGate {
  readonly port: number;
  #target: number;
  #server?: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(port: number, target: number) {
    this.port = port;
    this.#target = target;
  }

  static async open(target: number, port?: number): Promise<TcpGate> {
    const gate = new TcpGate(port ?? (await freePort()), target);
    await gate.reopen(target);
    return gate;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens again, forwarding to `target` from now on. */
  async reopen(target: number): Promise<void> {
    this.#target = target;
    const server = createServer((client) => {
      const upstream = connect(this.#target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.once('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  /** Stops listening and drops every connection through it. */
  async shut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
