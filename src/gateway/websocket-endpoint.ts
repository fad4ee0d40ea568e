/**
 * One websocket endpoint of the node, at one path of the HTTP server: what every websocket needs
 * whatever it carries. A socket being upgraded and every socket after it has an 'error' listener
 * (ws emits 'error' for each frame it rejects, and an unheard 'error' would end the process);
 * frames are capped at `maxPayload`; peers that stop answering pings are dropped; a socket that
 * does not drain is dropped rather than buffered without end; shutdown closes them all.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

const LIVENESS_INTERVAL_MS = 30_000;
const LIVENESS_SLICES = 100;
/** A socket that has not drained this much is too slow to keep. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface EndpointLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A refusal the client must see as a close of an opened socket (the Chime SDK retries an HTTP one). */
export interface CloseRefusal {
  closeCode: number;
  reason: string;
}

export interface EndpointOptions<Caller extends object> {
  server: Server;
  /** The path, or (ending in /) the prefix of the paths, the endpoint answers. */
  path: string;
  /** The subprotocol the server selects when the client offers it (browsers fail the handshake otherwise). */
  protocol?: string;
  /** Names the endpoint in logs. */
  name: string;
  /** The largest frame (or reassembled message) a client may send. */
  maxPayload: number;
  log: EndpointLog;
  /**
   * Who is opening the socket, or the HTTP status line to refuse them with, or the close code
   * to open and at once close it with. Nothing here may log the request's URL, cookies or
   * subprotocols: they hold the credentials.
   */
  authenticate(req: IncomingMessage, url: URL): Promise<Caller | string | CloseRefusal>;
  serve(ws: WebSocket, caller: Caller): void;
}

export interface WebSocketEndpoint {
  /**
   * Sends on an open socket; a socket that does not keep up is dropped instead. Returns whether
   * the data was sent.
   */
  send(ws: WebSocket, data: string | Uint8Array): boolean;
  /** Closes every socket (before the HTTP server closes: it waits for upgraded sockets too). */
  close(): void;
}

export function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function attachWebSocketEndpoint<Caller extends object>(
  o: EndpointOptions<Caller>,
): WebSocketEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: o.maxPayload,
    ...(o.protocol && {
      handleProtocols: (offered: Set<string>) => (offered.has(o.protocol!) ? o.protocol! : false),
    }),
  });
  const ours = (pathname: string) =>
    o.path.endsWith('/')
      ? pathname.startsWith(o.path) && pathname.length > o.path.length
      : pathname === o.path;
  const alive = new WeakSet<WebSocket>();
  // What a peer did wrong, never the request line or headers (they carry tokens).
  const rejected = (err: Error & { code?: string }) =>
    o.log.debug({ endpoint: o.name, code: err.code, reason: err.message }, 'dropped a websocket peer');

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!ours(url.pathname)) return; // another endpoint's path
    // The raw socket can fail (a reset, bytes after the request) while the caller is looked up.
    socket.on('error', rejected);
    o.authenticate(req, url).then(
      (caller) => {
        if (typeof caller === 'string') return refuse(socket, caller);
        wss.handleUpgrade(req, socket, head, (ws) => {
          alive.add(ws);
          ws.on('error', rejected);
          ws.on('pong', () => alive.add(ws));
          if ('closeCode' in caller) ws.close(caller.closeCode, caller.reason);
          else o.serve(ws, caller);
        });
      },
      (err: unknown) => {
        o.log.warn({ endpoint: o.name, err }, 'could not authenticate a websocket');
        refuse(socket, '500 Internal Server Error');
      },
    );
  };

  // Dead peers (no pong within an interval) are dropped; live ones are not disturbed. The
  // sockets are visited a slice at a time across the interval: pinging thousands in one go
  // would stall every socket for tens of milliseconds.
  let round: WebSocket[] = [];
  const liveness = setInterval(() => {
    if (round.length === 0) round = [...wss.clients];
    for (const ws of round.splice(0, Math.max(1, Math.ceil(wss.clients.size / LIVENESS_SLICES)))) {
      if (ws.readyState !== ws.OPEN) continue;
      if (!alive.has(ws)) ws.terminate();
      else {
        alive.delete(ws);
        ws.ping();
      }
    }
  }, LIVENESS_INTERVAL_MS / LIVENESS_SLICES);
  liveness.unref();
  o.server.on('upgrade', onUpgrade);

  return {
    send(ws, data) {
      if (ws.readyState !== ws.OPEN) return false;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        o.log.warn({ endpoint: o.name }, 'closing a websocket that does not keep up');
        ws.terminate();
        return false;
      }
      ws.send(data);
      return true;
    },
    close() {
      clearInterval(liveness);
      o.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      wss.close();
    },
  };
}
