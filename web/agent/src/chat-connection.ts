/**
 * The agent's side of one chat: the chat websocket (the protocol chatjs speaks), the transcript
 * read through the Participant Service, typing and receipts both ways, and messages sent. It
 * lives outside React so that every connected chat keeps receiving (and acknowledging) while
 * another one is on screen; components read it through useChatConnection.
 */
import { participant, randomId } from './participant.ts';
import { addItem, addTranscript, hasReceiptFrom } from './transcript.ts';
import { contentTypes, type ChatConnectionData, type ChatItem } from './types.ts';
import type { ContactConnection } from './contact-connections.ts';

export type ChatStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface PendingMessage {
  localId: string;
  /** Kept across retries so a message the server did take is not sent twice. */
  clientToken: string;
  text: string;
  failed?: string;
}

export interface ChatSnapshot {
  status: ChatStatus;
  participantId?: string;
  items: ChatItem[];
  pending: PendingMessage[];
  typing?: { participantId?: string; name: string; until: number };
  /** The transcript has been read at least once. */
  loaded: boolean;
  ended: boolean;
  error?: string;
  /** Customer messages not yet read here. */
  unread: number;
}

const HEARTBEAT_MS = 10_000;
/** Heartbeats are answered: a socket silent for this long is dead even if it looks open. */
const SILENCE_MS = 35_000;
const TYPING_SHOWN_MS = 10_000;
const TYPING_SENT_EVERY_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
const TRANSCRIPT_RETRY_MS = 3_000;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function absoluteWebsocketUrl(url: string): string {
  if (/^wss?:\/\//.test(url)) return url;
  if (/^https?:\/\//.test(url)) return url.replace(/^http/, 'ws');
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${url}`;
}

const isCustomerMessage = (i: ChatItem) => i.Type === 'MESSAGE' && i.ParticipantRole === 'CUSTOMER';

export class ChatConnection implements ContactConnection {
  readonly contactId: string;
  /** What the agent has typed and not sent, kept while another chat is on screen. */
  draft = '';
  readonly #fetchConnection: () => Promise<ChatConnectionData>;
  #fresh?: ChatConnectionData;
  #token?: string;
  #ws?: WebSocket;
  #heartbeat?: number;
  #retry?: number;
  #typingTimer?: number;
  #attempt = 0;
  #stopped = false;
  #lastFrameAt = 0;
  #lastTypingSent = 0;
  readonly #deliveredSent = new Set<string>();
  readonly #readSent = new Set<string>();
  /** Receipts go one at a time: a transcript's worth at once would be a burst of requests. */
  #receipts: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<() => void>();
  #snap: ChatSnapshot = {
    status: 'connecting',
    items: [],
    pending: [],
    loaded: false,
    ended: false,
    unread: 0,
  };

  constructor(
    contactId: string,
    fetchConnection: () => Promise<ChatConnectionData>,
    fresh?: ChatConnectionData,
  ) {
    this.contactId = contactId;
    this.#fetchConnection = fetchConnection;
    this.#fresh = fresh;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot => this.#snap;

  start(): void {
    void this.#open();
  }

  /** The contact has ended: nothing more to send or receive, but what was said stays readable. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    window.clearTimeout(this.#retry);
    window.clearTimeout(this.#typingTimer);
    const ws = this.#ws;
    this.#detach();
    ws?.close(1000);
    this.#update({ status: 'closed', ended: true, typing: undefined, error: undefined });
  }

  dispose(): void {
    this.stop();
    this.#listeners.clear();
  }

  async sendMessage(text: string): Promise<void> {
    const pending: PendingMessage = { localId: randomId(), clientToken: randomId(), text };
    this.#update({ pending: [...this.#snap.pending, pending] });
    await this.#deliver(pending);
  }

  async retry(localId: string): Promise<void> {
    const pending = this.#snap.pending.find((p) => p.localId === localId);
    if (!pending) return;
    this.#replacePending({ ...pending, failed: undefined });
    await this.#deliver(pending);
  }

  discard(localId: string): void {
    this.#update({ pending: this.#snap.pending.filter((p) => p.localId !== localId) });
  }

  /** The agent is typing: tells the customer, at most once per TYPING_SENT_EVERY_MS. */
  typing(): void {
    const token = this.#token;
    if (!token || this.#snap.ended || Date.now() - this.#lastTypingSent < TYPING_SENT_EVERY_MS) return;
    this.#lastTypingSent = Date.now();
    participant.sendEvent(token, contentTypes.typing).catch(() => {
      // Typing is a hint; a lost one is not worth telling anyone about.
    });
  }

  /** The chat is on screen: every customer message in it has been read. */
  markRead(): void {
    const me = this.#snap.participantId;
    if (!me) return;
    let changed = false;
    for (const item of this.#snap.items) {
      if (!isCustomerMessage(item) || this.#readSent.has(item.Id) || hasReceiptFrom(item, me, 'read'))
        continue;
      changed = true;
      if (this.#snap.ended) this.#readSent.add(item.Id);
      else this.#sendReceipt('read', item.Id);
    }
    if (changed) this.#update({});
  }

  // ------------------------------------------------------------------ internals

  #update(patch: Partial<ChatSnapshot>): void {
    const next = { ...this.#snap, ...patch };
    next.unread = this.#countUnread(next);
    this.#snap = next;
    for (const listener of this.#listeners) listener();
  }

  #countUnread(snap: ChatSnapshot): number {
    const me = snap.participantId ?? '';
    return snap.items.filter(
      (i) => isCustomerMessage(i) && !this.#readSent.has(i.Id) && !hasReceiptFrom(i, me, 'read'),
    ).length;
  }

  async #open(): Promise<void> {
    if (this.#stopped) return;
    let connection: ChatConnectionData;
    try {
      // A websocket URL works once and briefly: a reconnect needs a new one.
      connection = this.#fresh ?? (await this.#fetchConnection());
      this.#fresh = undefined;
    } catch (err) {
      if (this.#stopped) return;
      this.#update({ status: 'reconnecting', error: `Cannot connect to the chat: ${messageOf(err)}` });
      this.#scheduleRetry();
      return;
    }
    if (this.#stopped) return;
    this.#token = connection.connectionToken;
    this.#update({ participantId: connection.participantId });

    const ws = new WebSocket(absoluteWebsocketUrl(connection.websocketUrl));
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
      this.#lastFrameAt = Date.now();
      this.#heartbeat = window.setInterval(() => this.#beat(ws), HEARTBEAT_MS);
      this.#attempt = 0;
      this.#update({ status: 'open', error: undefined });
      // Read after subscribing: what happens in between arrives on the socket too, merged by Id.
      // After a reconnect this also fills in what was said while the socket was down.
      void this.#loadTranscript(ws);
    };
    ws.onmessage = (e) => {
      if (this.#ws !== ws) return;
      this.#lastFrameAt = Date.now();
      this.#frame(e.data);
    };
    ws.onclose = () => {
      if (this.#ws === ws) this.#dropped();
    };
  }

  #detach(): void {
    window.clearInterval(this.#heartbeat);
    this.#ws = undefined;
  }

  #dropped(): void {
    this.#detach();
    if (this.#stopped || this.#snap.ended) {
      this.#update({ status: 'closed' });
      return;
    }
    this.#update({ status: 'reconnecting' });
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt++;
    window.clearTimeout(this.#retry);
    this.#retry = window.setTimeout(() => void this.#open(), delay);
  }

  #beat(ws: WebSocket): void {
    if (Date.now() - this.#lastFrameAt > SILENCE_MS) {
      // Closing a dead socket can take a long while to report; reconnect without waiting.
      this.#dropped();
      ws.close();
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ topic: 'aws/heartbeat' }));
  }

  async #loadTranscript(ws: WebSocket): Promise<void> {
    const token = this.#token;
    if (!token) return;
    try {
      const transcript = await participant.fullTranscript(token);
      if (this.#stopped) return;
      const items = addTranscript(this.#snap.items, transcript);
      const ended = this.#snap.ended || items.some((i) => i.ContentType === contentTypes.ended);
      this.#update({ items, loaded: true, ended, error: undefined });
      this.#acknowledgeDelivery();
    } catch (err) {
      if (this.#stopped || this.#snap.ended) return;
      this.#update({ error: `Cannot load the transcript: ${messageOf(err)}` });
      window.setTimeout(() => {
        if (this.#ws === ws) void this.#loadTranscript(ws);
      }, TRANSCRIPT_RETRY_MS);
    }
  }

  #frame(data: unknown): void {
    let frame: { topic?: unknown; content?: unknown };
    try {
      frame = JSON.parse(String(data)) as typeof frame;
    } catch {
      return;
    }
    if (frame.topic === 'aws/subscribe') {
      if ((frame.content as { status?: unknown } | undefined)?.status === 'failure') this.#ws?.close();
      return;
    }
    if (frame.topic !== 'aws/chat' || typeof frame.content !== 'string') return;
    try {
      this.#item(JSON.parse(frame.content) as ChatItem);
    } catch {
      // Not an item: nothing this workspace can show.
    }
  }

  #item(item: ChatItem): void {
    if (!item || typeof item.Id !== 'string' || typeof item.ContentType !== 'string') return;
    const me = this.#snap.participantId;
    if (item.ContentType === contentTypes.typing) {
      if (item.ParticipantId !== me) this.#showTyping(item);
      return;
    }
    let typing = this.#snap.typing;
    const fromTyper = typing !== undefined && item.ParticipantId === typing.participantId;
    if (fromTyper && (item.Type === 'MESSAGE' || item.ContentType === contentTypes.left)) typing = undefined;
    let ended = this.#snap.ended;
    if (item.ContentType === contentTypes.ended) {
      ended = true;
      typing = undefined;
    }
    this.#update({ items: addItem(this.#snap.items, item), typing, ended });
    if (isCustomerMessage(item)) this.#acknowledgeDelivery();
  }

  #showTyping(item: ChatItem): void {
    const until = Date.now() + TYPING_SHOWN_MS;
    const name = item.DisplayName || (item.ParticipantRole === 'CUSTOMER' ? 'Customer' : 'Someone');
    this.#update({ typing: { participantId: item.ParticipantId, name, until } });
    window.clearTimeout(this.#typingTimer);
    this.#typingTimer = window.setTimeout(() => {
      if (this.#snap.typing && this.#snap.typing.until <= Date.now()) this.#update({ typing: undefined });
    }, TYPING_SHOWN_MS);
  }

  /** message.delivered for every customer message that has not had one from this agent. */
  #acknowledgeDelivery(): void {
    const me = this.#snap.participantId;
    if (!me || this.#snap.ended) return;
    for (const item of this.#snap.items) {
      if (isCustomerMessage(item) && !hasReceiptFrom(item, me, 'delivered'))
        this.#sendReceipt('delivered', item.Id);
    }
  }

  #sendReceipt(kind: 'delivered' | 'read', messageId: string): void {
    const sent = kind === 'read' ? this.#readSent : this.#deliveredSent;
    const token = this.#token;
    if (sent.has(messageId) || !token) return;
    sent.add(messageId);
    const contentType = kind === 'read' ? contentTypes.read : contentTypes.delivered;
    this.#receipts = this.#receipts.then(() =>
      participant.sendEvent(token, contentType, JSON.stringify({ messageId })).catch(() => {
        // A receipt is a courtesy to the customer; one that did not go is not retried.
      }),
    );
  }

  async #deliver(pending: PendingMessage): Promise<void> {
    const token = this.#token;
    if (!token) {
      this.#replacePending({ ...pending, failed: 'Not connected to the chat yet.' });
      return;
    }
    try {
      const sent = await participant.sendMessage(token, pending.text, pending.clientToken);
      // The customer's typing indicator went away with the message; typing again should show.
      this.#lastTypingSent = 0;
      const item: ChatItem = {
        Id: sent.Id,
        AbsoluteTime: sent.AbsoluteTime,
        Type: 'MESSAGE',
        ContentType: 'text/plain',
        Content: pending.text,
        ParticipantId: this.#snap.participantId,
        ParticipantRole: 'AGENT',
        // Until the socket brings the stored item (same Id), which replaces this one.
        ContactId: this.contactId,
        InitialContactId: this.contactId,
      };
      this.#update({
        items: addItem(this.#snap.items, item),
        pending: this.#snap.pending.filter((p) => p.localId !== pending.localId),
      });
    } catch (err) {
      this.#replacePending({ ...pending, failed: messageOf(err) });
    }
  }

  #replacePending(next: PendingMessage): void {
    this.#update({ pending: this.#snap.pending.map((p) => (p.localId === next.localId ? next : p)) });
  }
}
