/**
 * A chat from the customer's side through the Participant Service (the AWS SDK for JavaScript's
 * ConnectParticipantClient) and the chat websocket (a plain `ws` client speaking the frames
 * chatjs speaks), with StartChatContact and StopContact through the Connect API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  CreateParticipantCommand,
  DescribeContactCommand,
  StartChatContactCommand,
  StopContactCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  DisconnectParticipantCommand,
  GetTranscriptCommand,
  SendEventCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { connectAtClock, startTestNode, type TestNode } from '../support/node.ts';
import { ManualClock } from '../../src/ports/clock.ts';

const EVENT = 'application/vnd.amazonaws.connect.event.';

/** A websocket client that records frames and answers what chatjs would. */
class ChatSocket {
  readonly ws: WebSocket;
  readonly frames: any[] = [];
  #waiters: { match: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
  }
  async open(): Promise<void> {
    await once(this.ws, 'open');
  }
  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }
  next(match: (f: any) => boolean, timeoutMs = 5000): Promise<any> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ match, resolve });
      setTimeout(
        () => reject(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)),
        timeoutMs,
      ).unref();
    });
  }
  chatItem(match: (item: any) => boolean): Promise<any> {
    return this.next((f) => f.topic === 'aws/chat' && match(JSON.parse(f.content))).then((f) =>
      JSON.parse(f.content),
    );
  }
  async subscribe(): Promise<void> {
    this.send({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } });
    const reply = await this.next((f) => f.topic === 'aws/subscribe');
    assert.deepEqual(reply.content, { status: 'success', topics: ['aws/chat'] });
  }
}

/** A ConnectionToken for a participant, without a websocket. */
async function connectionToken(client: ConnectParticipantClient, participantToken: string): Promise<string> {
  const connection = await client.send(
    new CreateParticipantConnectionCommand({
      ParticipantToken: participantToken,
      Type: ['CONNECTION_CREDENTIALS'],
    }),
  );
  return connection.ConnectionCredentials!.ConnectionToken!;
}

/** The customer's side as chatjs opens it: credentials and a subscribed websocket. */
async function connectWithSocket(client: ConnectParticipantClient, participantToken: string) {
  const connection = await client.send(
    new CreateParticipantConnectionCommand({
      ParticipantToken: participantToken,
      Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
    }),
  );
  const socket = new ChatSocket(connection.Websocket!.Url!);
  await socket.open();
  await socket.subscribe();
  return { connection, socket };
}

async function startChat(node: TestNode, extra: Record<string, unknown> = {}) {
  return node.connect().send(
    new StartChatContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
      InitialMessage: { ContentType: 'text/plain', Content: 'Hello' },
      ...extra,
    }),
  );
}

const participantClient = (node: TestNode) =>
  new ConnectParticipantClient({
    endpoint: node.url,
    region: node.region,
    // The service authenticates by bearer token; the SDK signs anyway, with whatever it has.
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    maxAttempts: 1,
  });

describe('a customer chat through the Participant Service and the websocket', () => {
  let node: TestNode;
  let participant: ConnectParticipantClient;
  before(async () => {
    node = await startTestNode();
    participant = participantClient(node);
  });
  after(() => node.close());

  test('connect, subscribe, talk, type, read, reload the transcript, and see the chat end', async () => {
    const chat = await startChat(node);
    const conn = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: chat.ParticipantToken,
        Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
      }),
    );
    assert.match(conn.Websocket!.Url!, /^ws:\/\/127\.0\.0\.1:\d+\//);
    assert.ok(Date.parse(conn.Websocket!.ConnectionExpiry!) > Date.now());
    assert.ok(Date.parse(conn.ConnectionCredentials!.Expiry!) > Date.now() + 23 * 3600_000);
    const token = conn.ConnectionCredentials!.ConnectionToken!;

    const socket = new ChatSocket(conn.Websocket!.Url!);
    await socket.open();
    await socket.subscribe();
    // The first socket gets the chat from its start: the customer's arrival, the InitialMessage,
    // and the Default inbound flow's greeting.
    await socket.chatItem((i) => i.ContentType === `${EVENT}participant.joined`);
    await socket.chatItem((i) => i.Content === 'Hello' && i.ParticipantRole === 'CUSTOMER');
    const greeting = await socket.chatItem((i) => i.ParticipantRole === 'SYSTEM');
    assert.equal(greeting.Content, 'Thanks for contacting us. An agent will be with you shortly.');
    assert.equal(greeting.Type, 'MESSAGE');
    assert.equal(greeting.DisplayName, 'SYSTEM_MESSAGE');
    socket.send({ topic: 'aws/heartbeat' });
    await socket.next((f) => f.topic === 'aws/heartbeat');
    socket.send({ topic: 'aws/ping' });
    assert.equal((await socket.next((f) => f.topic === 'aws/ping')).statusCode, 200);

    const sent = await participant.send(
      new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'I need help' }),
    );
    const pushed = await socket.chatItem((i) => i.Id === sent.Id);
    assert.equal(pushed.Content, 'I need help');
    assert.equal(pushed.Type, 'MESSAGE');
    assert.equal(pushed.ParticipantRole, 'CUSTOMER');
    assert.equal(pushed.ParticipantId, chat.ParticipantId);
    assert.equal(pushed.DisplayName, 'Jane');
    assert.equal(pushed.InitialContactId, chat.ContactId);
    assert.equal(pushed.ContactId, chat.ContactId);
    assert.equal(pushed.AbsoluteTime, sent.AbsoluteTime);
    assert.match(sent.AbsoluteTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    await participant.send(new SendEventCommand({ ConnectionToken: token, ContentType: `${EVENT}typing` }));
    await socket.chatItem(
      (i) => i.ContentType === `${EVENT}typing` && i.ParticipantId === chat.ParticipantId,
    );

    await participant.send(
      new SendEventCommand({
        ConnectionToken: token,
        ContentType: `${EVENT}message.read`,
        Content: JSON.stringify({ messageId: sent.Id }),
      }),
    );
    const receipt = await socket.chatItem((i) => i.Type === 'MESSAGEMETADATA');
    assert.equal(receipt.MessageMetadata.MessageId, sent.Id);
    assert.equal(receipt.MessageMetadata.Receipts[0].RecipientParticipantId, chat.ParticipantId);
    assert.ok(receipt.MessageMetadata.Receipts[0].ReadTimestamp);

    // What chatjs sends when the page reloads.
    const transcript = await participant.send(
      new GetTranscriptCommand({
        ConnectionToken: token,
        MaxResults: 15,
        ScanDirection: 'BACKWARD',
        SortOrder: 'ASCENDING',
        StartPosition: {},
      }),
    );
    assert.equal(transcript.InitialContactId, chat.ContactId);
    const summary = transcript.Transcript!.map((i) => `${i.Type}:${i.ContentType}:${i.Content ?? ''}`);
    assert.deepEqual(summary, [
      `EVENT:${EVENT}participant.joined:`,
      'MESSAGE:text/plain:Hello',
      'MESSAGE:text/plain:Thanks for contacting us. An agent will be with you shortly.',
      'MESSAGE:text/plain:I need help',
    ]);
    // The flow then put the chat in BasicQueue.
    const { Contact: queued } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    assert.ok(queued!.QueueInfo?.Id, 'the Default inbound flow queues the chat');
    assert.ok(queued!.QueueInfo!.EnqueueTimestamp instanceof Date);
    const read = transcript.Transcript!.find((i) => i.Id === sent.Id)!;
    assert.equal(read.MessageMetadata!.Receipts![0].RecipientParticipantId, chat.ParticipantId);

    const closed = once(socket.ws, 'close');
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    const ended = await socket.chatItem((i) => i.ContentType === `${EVENT}chat.ended`);
    assert.equal(ended.InitialContactId, chat.ContactId);
    await closed;
    await assert.rejects(
      participant.send(
        new SendMessageCommand({
          ConnectionToken: token,
          ContentType: 'text/plain',
          Content: 'still there?',
        }),
      ),
      { name: 'AccessDeniedException' },
    );
    await assert.rejects(
      participant.send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: chat.ParticipantToken,
          Type: ['WEBSOCKET'],
        }),
      ),
      { name: 'AccessDeniedException' },
    );
  });

  test('a CUSTOM_BOT added with CreateParticipant talks with the customer through the same chat', async () => {
    const chat = await startChat(node);
    const { connection: customer, socket } = await connectWithSocket(participant, chat.ParticipantToken!);

    const added = await node.connect().send(
      new CreateParticipantCommand({
        InstanceId: node.instanceId,
        ContactId: chat.ContactId,
        ParticipantDetails: { ParticipantRole: 'CUSTOM_BOT', DisplayName: 'Helper bot' },
      }),
    );
    const joined = await socket.chatItem(
      (i) => i.ContentType === `${EVENT}participant.joined` && i.ParticipantId === added.ParticipantId,
    );
    assert.equal(joined.ParticipantRole, 'CUSTOM_BOT');
    assert.equal(joined.DisplayName, 'Helper bot');

    const bot = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: added.ParticipantCredentials!.ParticipantToken,
        Type: ['CONNECTION_CREDENTIALS'],
        ConnectParticipant: true,
      }),
    );
    const botToken = bot.ConnectionCredentials!.ConnectionToken!;
    const reply = await participant.send(
      new SendMessageCommand({
        ConnectionToken: botToken,
        ContentType: 'text/plain',
        Content: 'How can I help?',
      }),
    );
    const pushed = await socket.chatItem((i) => i.Id === reply.Id);
    assert.equal(pushed.ParticipantRole, 'CUSTOM_BOT');
    assert.equal(pushed.DisplayName, 'Helper bot');

    const question = await participant.send(
      new SendMessageCommand({
        ConnectionToken: customer.ConnectionCredentials!.ConnectionToken,
        ContentType: 'text/plain',
        Content: 'My order is late',
      }),
    );
    const seenByBot = await participant.send(
      new GetTranscriptCommand({ ConnectionToken: botToken, SortOrder: 'ASCENDING' }),
    );
    assert.ok(seenByBot.Transcript!.some((i) => i.Id === question.Id && i.ParticipantRole === 'CUSTOMER'));

    await assert.rejects(
      node.connect().send(
        new CreateParticipantCommand({
          InstanceId: node.instanceId,
          ContactId: chat.ContactId,
          ParticipantDetails: { ParticipantRole: 'AGENT', DisplayName: 'Not this way' },
        }),
      ),
      { name: 'InvalidRequestException' },
    );
  });

  test('a CUSTOM_BOT leaving takes only the bot out: the others see it leave and the chat goes on', async () => {
    const chat = await startChat(node);
    const { connection: customer, socket } = await connectWithSocket(participant, chat.ParticipantToken!);
    const added = await node.connect().send(
      new CreateParticipantCommand({
        InstanceId: node.instanceId,
        ContactId: chat.ContactId,
        ParticipantDetails: { ParticipantRole: 'CUSTOM_BOT', DisplayName: 'Helper bot' },
      }),
    );
    const botToken = await connectionToken(participant, added.ParticipantCredentials!.ParticipantToken!);
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken: botToken }));
    const left = await socket.chatItem(
      (i) => i.ContentType === `${EVENT}participant.left` && i.ParticipantId === added.ParticipantId,
    );
    assert.equal(left.ParticipantRole, 'CUSTOM_BOT');
    const { Contact } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    assert.equal(Contact!.DisconnectTimestamp, undefined, 'the chat goes on');
    assert.equal(Contact!.DisconnectReason, undefined);
    // The customer still talks; the bot's token no longer works.
    await participant.send(
      new SendMessageCommand({
        ConnectionToken: customer.ConnectionCredentials!.ConnectionToken,
        ContentType: 'text/plain',
        Content: 'Still here',
      }),
    );
    await assert.rejects(
      participant.send(
        new SendMessageCommand({ ConnectionToken: botToken, ContentType: 'text/plain', Content: 'x' }),
      ),
      { name: 'AccessDeniedException' },
    );
    assert.ok(
      !socket.frames.some(
        (f) => f.topic === 'aws/chat' && JSON.parse(f.content).ContentType === `${EVENT}chat.ended`,
      ),
    );
  });

  test('a ClientToken makes SendMessage idempotent', async () => {
    const chat = await startChat(node, { InitialMessage: undefined });
    const token = await connectionToken(participant, chat.ParticipantToken!);
    const send = () =>
      participant.send(
        new SendMessageCommand({
          ConnectionToken: token,
          ContentType: 'text/plain',
          Content: 'once',
          ClientToken: 'ct-1',
        }),
      );
    const [a, b] = [await send(), await send()];
    assert.equal(a.Id, b.Id);
    const transcript = await participant.send(
      new GetTranscriptCommand({ ConnectionToken: token, SortOrder: 'ASCENDING' }),
    );
    assert.equal(transcript.Transcript!.filter((i) => i.Content === 'once').length, 1);

    // chatjs gives every read receipt the same ClientToken: receipts for different messages all count.
    const second = await participant.send(
      new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'twice' }),
    );
    for (const messageId of [a.Id, second.Id]) {
      await participant.send(
        new SendEventCommand({
          ConnectionToken: token,
          ContentType: `${EVENT}message.read`,
          Content: JSON.stringify({ messageId }),
          ClientToken: 'INCOMING_READ_RECEIPT',
        }),
      );
    }
    const after = await participant.send(
      new GetTranscriptCommand({ ConnectionToken: token, SortOrder: 'ASCENDING' }),
    );
    const receipted = after
      .Transcript!.filter((i) => i.MessageMetadata?.Receipts?.[0]?.ReadTimestamp)
      .map((i) => i.Id);
    assert.deepEqual(receipted, [a.Id, second.Id]);
  });

  test('content types and sizes the chat does not support are ValidationException', async () => {
    const chat = await startChat(node, { InitialMessage: undefined });
    const token = await connectionToken(participant, chat.ParticipantToken!);
    const bad = [
      { ContentType: 'text/markdown', Content: '**not enabled on this chat**' },
      { ContentType: 'text/plain', Content: 'x'.repeat(1025) },
      { ContentType: 'image/png', Content: 'x' },
    ];
    for (const msg of bad) {
      await assert.rejects(
        participant.send(new SendMessageCommand({ ConnectionToken: token, ...msg })),
        (err: any) => {
          assert.equal(err.name, 'ValidationException');
          assert.equal(err.$metadata.httpStatusCode, 400);
          return true;
        },
      );
    }
    await participant.send(
      new SendMessageCommand({
        ConnectionToken: token,
        ContentType: 'text/plain',
        Content: 'x'.repeat(1024),
      }),
    );
  });

  test('tokens are checked: foreign, swapped, missing and forged tokens are AccessDeniedException', async () => {
    const a = await startChat(node);
    const b = await startChat(node);
    const tokenA = await connectionToken(participant, a.ParticipantToken!);
    const attempts = [
      // a ParticipantToken is not a ConnectionToken
      () =>
        participant.send(
          new SendMessageCommand({
            ConnectionToken: a.ParticipantToken,
            ContentType: 'text/plain',
            Content: 'x',
          }),
        ),
      // nor the other way round
      () =>
        participant.send(
          new CreateParticipantConnectionCommand({ ParticipantToken: tokenA, Type: ['WEBSOCKET'] }),
        ),
      // a forged ParticipantToken naming b's participant
      () =>
        participant.send(
          new CreateParticipantConnectionCommand({
            ParticipantToken: `${b.ParticipantToken!.slice(0, 30)}${'A'.repeat(b.ParticipantToken!.length - 30)}`,
            Type: ['WEBSOCKET'],
          }),
        ),
      () => participant.send(new GetTranscriptCommand({ ConnectionToken: `${tokenA}x` })),
      () => participant.send(new GetTranscriptCommand({ ConnectionToken: tokenA, ContactId: b.ContactId })),
    ];
    for (const attempt of attempts) {
      await assert.rejects(attempt(), (err: any) => {
        assert.equal(err.name, 'AccessDeniedException');
        assert.equal(err.$metadata.httpStatusCode, 403);
        return true;
      });
    }
    const res = await fetch(`${node.url}/participant/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ContentType: 'text/plain', Content: 'x' }),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  });

  test('only the canonical spelling of a ConnectionToken or websocket URL token is accepted', async () => {
    const chat = await startChat(node);
    const conn = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: chat.ParticipantToken,
        Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
      }),
    );
    const token = conn.ConnectionCredentials!.ConnectionToken!;
    const url = new URL(conn.Websocket!.Url!);
    const urlToken = url.searchParams.get('token')!;
    // Spellings that decode to the same signature bytes: the last character's two unused bits
    // set, padding added, the standard alphabet in place of the URL-safe one.
    const respellings = (t: string) => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(t.at(-1)!);
      return [
        ...[1, 2, 3].map((bits) => `${t.slice(0, -1)}${alphabet[last ^ bits]}`),
        `${t}=`,
        `${t.slice(0, t.indexOf('.'))}.${t
          .slice(t.indexOf('.') + 1)
          .replaceAll('-', '+')
          .replaceAll('_', '/')}`,
      ].filter((v) => v !== t);
    };
    assert.ok(Buffer.from(token.slice(token.indexOf('.') + 1), 'base64url').length === 32);
    for (const forged of respellings(token)) {
      await assert.rejects(participant.send(new GetTranscriptCommand({ ConnectionToken: forged })), {
        name: 'AccessDeniedException',
      });
    }
    for (const forged of respellings(urlToken)) {
      url.searchParams.set('token', forged);
      const ws = new WebSocket(url);
      const [err] = await once(ws, 'error');
      assert.match(String(err), /403/, forged);
    }
    // The tokens as issued still work.
    assert.equal(
      (await participant.send(new GetTranscriptCommand({ ConnectionToken: token }))).InitialContactId,
      chat.ContactId,
    );
    url.searchParams.set('token', urlToken);
    const socket = new ChatSocket(url.toString());
    await socket.open();
    socket.ws.close();
  });

  test('the customer leaving ends the chat: participant.left, chat.ended, CUSTOMER_DISCONNECT', async () => {
    const chat = await startChat(node);
    const { connection: conn, socket } = await connectWithSocket(participant, chat.ParticipantToken!);
    await participant.send(
      new DisconnectParticipantCommand({ ConnectionToken: conn.ConnectionCredentials!.ConnectionToken }),
    );
    const left = await socket.chatItem((i) => i.ContentType === `${EVENT}participant.left`);
    assert.equal(left.ParticipantId, chat.ParticipantId);
    await socket.chatItem((i) => i.ContentType === `${EVENT}chat.ended`);
    const { Contact } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    assert.equal(Contact!.DisconnectReason, 'CUSTOMER_DISCONNECT');
    assert.ok(Contact!.DisconnectTimestamp instanceof Date);
  });

  test('a chat that ends while its socket subscribes: the socket gets the chat up to chat.ended, then closes', async () => {
    // The subscribe's catch-up read and the customer's leaving race; each order must end the same way.
    for (let attempt = 0; attempt < 24; attempt++) {
      const chat = await startChat(node);
      const conn = await participant.send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: chat.ParticipantToken,
          Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
        }),
      );
      const socket = new ChatSocket(conn.Websocket!.Url!);
      await socket.open();
      const closed = once(socket.ws, 'close');
      const leave = () =>
        participant.send(
          new DisconnectParticipantCommand({ ConnectionToken: conn.ConnectionCredentials!.ConnectionToken }),
        );
      const leaving = attempt % 2 === 0 ? leave() : undefined;
      await new Promise((r) => setTimeout(r, attempt % 4 < 2 ? 0 : attempt % 5));
      socket.send({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } });
      await (leaving ?? leave());
      const outcome = await Promise.race([
        closed.then(([code]) => `closed ${code}`),
        new Promise((r) => setTimeout(() => r('still open after 3 s'), 3000)),
      ]);
      assert.equal(outcome, 'closed 1000', `attempt ${attempt}`);
      const items = socket.frames.filter((f) => f.topic === 'aws/chat').map((f) => JSON.parse(f.content));
      assert.deepEqual(
        items.slice(-2).map((i) => i.ContentType),
        [`${EVENT}participant.left`, `${EVENT}chat.ended`],
        `attempt ${attempt}: the chat's last items come last`,
      );
      assert.equal(items[0].ContentType, `${EVENT}participant.joined`, `attempt ${attempt}: from its start`);
    }
  });

  test('websocket URLs are checked and malformed frames are refused without harm', async () => {
    const bad = new WebSocket(`${node.url.replace('http', 'ws')}/chat/websocket?token=forged`);
    const [err] = await once(bad, 'error');
    assert.match(String(err), /403/);

    const chat = await startChat(node);
    const conn = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: chat.ParticipantToken,
        Type: ['WEBSOCKET'],
      }),
    );
    const socket = new ChatSocket(conn.Websocket!.Url!);
    await socket.open();
    socket.send({ topic: 'aws/unknown' });
    assert.equal((await socket.next((f) => f.topic === 'aws/unknown')).statusCode, 400);
    const closed = once(socket.ws, 'close');
    socket.ws.send('not json');
    const [code] = await closed;
    assert.equal(code, 1003);
    // The node still serves.
    await startChat(node);
  });
});

describe('the chat duration', () => {
  test('a chat ends when ChatDurationInMinutes runs out, and its transcript is written as JSON', async () => {
    const clock = new ManualClock(Date.now());
    const node = await startTestNode([], { clock });
    try {
      const chat = await startChat(node, { ChatDurationInMinutes: 60 });
      const conn = await participantClient(node).send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: chat.ParticipantToken,
          Type: ['WEBSOCKET'],
        }),
      );
      const socket = new ChatSocket(conn.Websocket!.Url!);
      await socket.open();
      await socket.subscribe();
      clock.advance(59 * 60_000);
      await new Promise((r) => setTimeout(r, 1200));
      const endedEarly = socket.frames.some(
        (f) => f.topic === 'aws/chat' && String(f.content).includes('chat.ended'),
      );
      assert.ok(!endedEarly, 'ended before its time');
      clock.advance(60_000);
      const ended = await socket.chatItem((i) => i.ContentType === `${EVENT}chat.ended`);
      assert.equal(ended.ContactId, chat.ContactId);

      const connect = connectAtClock(node, clock);
      const { Contact } = await connect.send(
        new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }),
      );
      assert.equal(Contact!.DisconnectReason, 'EXPIRED');

      const dir = join(node.dataDir, 'blobs', 'connect', node.instanceId, 'ChatTranscripts');
      const file = await waitFor(() => findFile(dir, `${chat.ContactId}_`));
      const transcript = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(transcript.ContactId, chat.ContactId);
      assert.equal(transcript.InstanceId, node.instanceId);
      assert.deepEqual(transcript.Participants, [{ ParticipantId: chat.ParticipantId }]);
      assert.deepEqual(
        transcript.Transcript.map((i: any) => `${i.ParticipantRole ?? '-'}:${i.ContentType}`),
        [
          'CUSTOMER:' + `${EVENT}participant.joined`,
          'CUSTOMER:text/plain',
          'SYSTEM:text/plain',
          `-:${EVENT}chat.ended`,
        ],
      );
    } finally {
      await node.close();
    }
  });
});

function findFile(dir: string, prefix: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const name = entry.split('/').pop()!;
    // .json: not a blob still being written under its temporary name
    if (name.startsWith(prefix) && name.endsWith('.json')) return join(dir, entry);
  }
  return undefined;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('token lifetimes', () => {
  test('a ConnectionToken expires after a day; the ParticipantToken gets a new one; a stale websocket URL is refused', async () => {
    const clock = new ManualClock(Date.now());
    const node = await startTestNode([], { clock });
    try {
      const client = participantClient(node);
      const chat = await startChat(node, { ChatDurationInMinutes: 10080 });
      const first = await client.send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: chat.ParticipantToken,
          Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
        }),
      );
      clock.advance(101_000);
      const stale = new WebSocket(first.Websocket!.Url!);
      const [err] = await once(stale, 'error');
      assert.match(String(err), /403/, 'a websocket URL opens connections for 100 s only');

      clock.advance(24 * 3600_000);
      const send = (token: string) =>
        client.send(
          new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'hi' }),
        );
      await assert.rejects(send(first.ConnectionCredentials!.ConnectionToken!), {
        name: 'AccessDeniedException',
      });
      const renewed = await client.send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: chat.ParticipantToken,
          Type: ['CONNECTION_CREDENTIALS'],
        }),
      );
      await send(renewed.ConnectionCredentials!.ConnectionToken!);
    } finally {
      await node.close();
    }
  });
});

describe('the first connection window', () => {
  test('a chat whose customer does not connect within 5 minutes ends (EXPIRED)', async () => {
    const clock = new ManualClock(Date.now());
    const node = await startTestNode([], { clock });
    try {
      const chat = await startChat(node);
      clock.advance(5 * 60_000 + 1000);
      await assert.rejects(
        participantClient(node).send(
          new CreateParticipantConnectionCommand({
            ParticipantToken: chat.ParticipantToken,
            Type: ['WEBSOCKET'],
          }),
        ),
        { name: 'AccessDeniedException' },
      );
      const connect = connectAtClock(node, clock);
      const { Contact } = await connect.send(
        new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }),
      );
      assert.equal(Contact!.DisconnectReason, 'EXPIRED');
    } finally {
      await node.close();
    }
  });
});
