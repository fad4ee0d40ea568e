/**
 * The chat websocket that amazon-connect-chatjs speaks (the `aws/*` topics): subscribe,
 * heartbeat and deep-heartbeat replies, and every chat item of the contact pushed as an
 * `aws/chat` frame in transcript order. A socket is opened with the short-lived URL that
 * CreateParticipantConnection returns; a participant may hold several at once (chatjs opens a
 * second one before closing the first when it reconnects).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventBus } from '../ports/event-bus.ts';
import { topics } from '../ports/event-bus.ts';
import type { ChatService } from '../domain/chat/chat-service.ts';
import type { ChatEvent } from '../domain/chat/chat-item.ts';

export const CHAT_WEBSOCKET_PATH = '/chat/websocket';
/** Frames a client may send are tiny; anything larger is not chatjs. */
const MAX_FRAME_BYTES = 16 * 1024;
/** A socket that has not drained this much is too slow to keep. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Items kept for a socket between open and its subscribe frame. */
const MAX_PENDING = 1000;
const LIVENESS_INTERVAL_MS = 30_000;
const LIVENESS_SLICES = 100;

export interface ChatGateway {
  close(): void;
}

interface Log {
  warn(obj: object, msg: string): void;
}

export function attachChatGateway(server: Server, chats: ChatService, bus: EventBus, log: Log): ChatGateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const alive = new WeakSet<WebSocket>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== CHAT_WEBSOCKET_PATH) return; // another upgrade handler's path
    const token = url.searchParams.get('token') ?? '';
    chats.callerOf(token, 'websocket').then(
      ({ contact, participant, claims }) =>
        wss.handleUpgrade(req, socket, head, (ws) =>
          serve(ws, contact.initialContactId, participant.id, claims?.fromSeq ?? 0),
        ),
      () => {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
    );
  };

  /**
   * A socket gets the chat's items after `fromSeq` (its URL says where it starts) once it
   * subscribes, then live ones; by transcript position, none twice and none skipped.
   */
  const serve = (ws: WebSocket, chatId: string, participantId: string, fromSeq: number) => {
    alive.add(ws);
    let subscribed = false;
    let catchingUp = false;
    let lastSeq = fromSeq;
    const pending: ChatEvent[] = [];
    const deliver = (event: ChatEvent) => {
      if (ws.readyState !== ws.OPEN) return;
      if (event.seq !== undefined) {
        if (event.seq <= lastSeq) return;
        lastSeq = event.seq;
      }
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn({ participantId }, 'closing a chat websocket that does not keep up');
        ws.terminate();
        return;
      }
      ws.send(
        JSON.stringify({
          topic: 'aws/chat',
          contentType: 'application/json',
          content: JSON.stringify(event.item),
        }),
      );
      if (event.ended) setImmediate(() => ws.close(1000, 'Chat ended'));
    };
    const unsubscribe = bus.subscribe(topics.chat(chatId), (event) => {
      if (subscribed && !catchingUp) deliver(event as ChatEvent);
      else if (pending.length < MAX_PENDING) pending.push(event as ChatEvent);
    });
    const catchUp = () => {
      catchingUp = true;
      chats.itemsAfter(chatId, lastSeq).then(
        (items) => {
          for (const e of items) deliver(e);
          for (const e of pending.splice(0)) deliver(e);
          catchingUp = false;
        },
        (err) => {
          log.warn({ err, participantId }, 'could not catch a chat websocket up');
          ws.close(1011, 'Could not read the chat');
        },
      );
    };
    ws.on('close', unsubscribe);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data, isBinary) => {
      const frame = parseFrame(data, isBinary);
      if (!frame) {
        ws.close(1003, 'Frames are JSON text: {"topic": "aws/…"}');
        return;
      }
      switch (frame.topic) {
        case 'aws/subscribe': {
          const wanted = (frame.content as { topics?: unknown } | undefined)?.topics;
          const ok = Array.isArray(wanted) && wanted.length > 0 && wanted.every((t) => t === 'aws/chat');
          ws.send(
            JSON.stringify({
              topic: 'aws/subscribe',
              content: { status: ok ? 'success' : 'failure', topics: Array.isArray(wanted) ? wanted : [] },
            }),
          );
          if (ok && !subscribed) {
            subscribed = true;
            catchUp();
          }
          break;
        }
        case 'aws/unsubscribe':
          subscribed = false;
          ws.send(JSON.stringify({ topic: 'aws/unsubscribe', content: { status: 'success' } }));
          break;
        case 'aws/heartbeat':
          ws.send(JSON.stringify({ topic: 'aws/heartbeat' }));
          break;
        case 'aws/ping':
          ws.send(JSON.stringify({ topic: 'aws/ping', statusCode: 200, statusContent: 'OK' }));
          break;
        default:
          ws.send(
            JSON.stringify({
              topic: frame.topic,
              statusCode: 400,
              statusContent: `Unknown topic ${frame.topic}`,
            }),
          );
      }
    });
  };

  // Dead peers (no pong within an interval) are dropped; live ones are not disturbed. The
  // sockets are visited a slice at a time across the interval: pinging thousands in one go
  // would stall every chat for tens of milliseconds.
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
  server.on('upgrade', onUpgrade);

  return {
    close() {
      clearInterval(liveness);
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      wss.close();
    },
  };
}

function parseFrame(data: unknown, isBinary: boolean): { topic: string; content?: unknown } | undefined {
  if (isBinary) return undefined;
  try {
    const frame = JSON.parse(String(data)) as { topic?: unknown; content?: unknown };
    return frame && typeof frame.topic === 'string'
      ? { topic: frame.topic, content: frame.content }
      : undefined;
  } catch {
    return undefined;
  }
}
