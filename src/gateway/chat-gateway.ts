/**
 * The chat websocket that amazon-connect-chatjs speaks (the `aws/*` topics): subscribe,
 * heartbeat and deep-heartbeat replies, and every chat item of the contact pushed as an
 * `aws/chat` frame in transcript order. A socket is opened with the short-lived URL that
 * CreateParticipantConnection returns; a participant may hold a few at once (chatjs opens a
 * second one before closing the first when it reconnects). A participant's sockets close when
 * their right to the chat ends: their leaving a chat that goes on, or the chat's end, both carried
 * on the chat's topic, so the node that holds the socket learns it wherever the change was made.
 */
import type { Server } from 'node:http';
import type { WebSocket } from 'ws';
import type { EventBus } from '../ports/event-bus.ts';
import { topics } from '../ports/event-bus.ts';
import type { ChatService } from '../domain/chat/chat-service.ts';
import type { ChatEvent } from '../domain/chat/chat-item.ts';
import { attachWebSocketEndpoint, type EndpointLog } from './websocket-endpoint.ts';

export const CHAT_WEBSOCKET_PATH = '/chat/websocket';
/** Frames a client may send are tiny; anything larger is not chatjs. */
const MAX_FRAME_BYTES = 16 * 1024;
/** Items kept for a socket between open and its subscribe frame. */
const MAX_PENDING = 1000;
/**
 * Sockets one participant may hold on this node; opening one more closes the oldest (a
 * reconnecting chatjs's old socket may be half-open, so the new one must win).
 */
export const MAX_SOCKETS_PER_PARTICIPANT = 3;

export interface ChatGateway {
  close(): void;
}

interface SocketCaller {
  chatId: string;
  participantId: string;
  fromSeq: number;
}

export function attachChatGateway(
  server: Server,
  chats: ChatService,
  bus: EventBus,
  log: EndpointLog,
): ChatGateway {
  /**
   * A socket gets the chat's items after `fromSeq` (its URL says where it starts) once it
   * subscribes, then live ones; by transcript position, none twice and none skipped.
   */
  const byParticipant = new Map<string, WebSocket[]>();
  const hold = (ws: WebSocket, participantId: string) => {
    const held = byParticipant.get(participantId) ?? [];
    byParticipant.set(participantId, held);
    held.push(ws);
    if (held.length > MAX_SOCKETS_PER_PARTICIPANT)
      held.shift()!.close(1008, 'A newer websocket of this participant replaced this one');
    ws.on('close', () => {
      const i = held.indexOf(ws);
      if (i >= 0) held.splice(i, 1);
      if (held.length === 0 && byParticipant.get(participantId) === held) byParticipant.delete(participantId);
    });
  };

  const serve = (ws: WebSocket, { chatId, participantId, fromSeq }: SocketCaller) => {
    hold(ws, participantId);
    let subscribed = false;
    let catchingUp = false;
    /** The chat ended, or this participant left it: nothing more goes out. */
    let finished = false;
    let lastSeq = fromSeq;
    const pending: ChatEvent[] = [];
    /** Why the socket ends with this item: the chat ends with it, or this participant's right does. */
    const endsWith = (event: ChatEvent) =>
      event.ended
        ? 'Chat ended'
        : event.revokes === participantId
          ? 'The participant has left the chat'
          : undefined;
    const finish = (reason: string) => {
      finished = true;
      setImmediate(() => ws.close(1000, reason));
    };
    const deliver = (event: ChatEvent) => {
      if (finished || ws.readyState !== ws.OPEN) return;
      // An item the catch-up read already sent still ends the socket if the chat ends with it.
      if (event.seq === undefined || event.seq > lastSeq) {
        if (event.seq !== undefined) lastSeq = event.seq;
        endpoint.send(
          ws,
          JSON.stringify({
            topic: 'aws/chat',
            contentType: 'application/json',
            content: JSON.stringify(event.item),
          }),
        );
      }
      const reason = endsWith(event);
      if (reason) finish(reason);
    };
    const unsubscribe = bus.subscribe(topics.chat(chatId), (published) => {
      const event = published as ChatEvent;
      if (subscribed && !catchingUp) deliver(event);
      // Their right ended before they subscribed: nothing they had not seen goes out.
      else if (!subscribed && event.revokes === participantId) finish('The participant has left the chat');
      else if (pending.length < MAX_PENDING) pending.push(event);
    });
    const catchUp = () => {
      catchingUp = true;
      chats.itemsAfter(chatId, lastSeq).then(
        (items) => {
          // What the bus said of an item (that the chat ends with it, or this participant's
          // right does) goes with it, wherever the read and the bus overlap.
          const said = new Map(pending.filter((e) => e.seq !== undefined).map((e) => [e.seq, e]));
          for (const e of items) deliver(said.get(e.seq) ?? e);
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

  const endpoint = attachWebSocketEndpoint<SocketCaller>({
    server,
    path: CHAT_WEBSOCKET_PATH,
    name: 'chat',
    maxPayload: MAX_FRAME_BYTES,
    log,
    authenticate: (_req, url) =>
      chats.callerOf(url.searchParams.get('token') ?? '', 'websocket').then(
        ({ contact, participant, claims }) => ({
          chatId: contact.initialContactId,
          participantId: participant.id,
          fromSeq: claims?.fromSeq ?? 0,
        }),
        () => '403 Forbidden',
      ),
    serve,
  });

  return { close: () => endpoint.close() };
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
