/**
 * A customer's web page chatting through the unmodified amazon-connect-chatjs 5.0.0 in headless
 * Chromium against a real localconnect node. The test plays the customer's backend
 * (StartChatContact through the SDK) and the other side of the chat (a CUSTOM_BOT added with
 * CreateParticipant, talking through the Participant Service); the page (test/browser/pages/
 * chat.html) is a minimal chat widget on chatjs, and the assertions are about what it sees.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import {
  CreateParticipantCommand,
  DescribeContactCommand,
  StartChatContactCommand,
  StopContactCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  GetTranscriptCommand,
  SendEventCommand,
  SendMessageCommand,
  type Item,
} from '@aws-sdk/client-connectparticipant';
import { launchBrowser, serveTestPages, skipUnlessChromium, type TestPages } from '../support/browser.ts';
import { startTestNode, type TestNode } from '../support/node.ts';

const EVENT = 'application/vnd.amazonaws.connect.event.';
const GREETING = 'Thanks for contacting us. An agent will be with you shortly.';
/** chatjs holds read/delivered receipts back this long (its default is 5 s). */
const RECEIPT_THROTTLE_MS = 100;

const skip = skipUnlessChromium();

interface ChatDetails {
  ContactId: string;
  ParticipantId: string;
  ParticipantToken: string;
}

/** A page with chat.html loaded, and everything it did that a test may want to complain about. */
interface ChatPage {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  hosts: Set<string>;
  sockets: { url: string; closed: Promise<void> }[];
  /** Resolves with the data of the first chatjs callback `on` whose data has `match`'s fields. */
  waitFor(on: string, match?: Record<string, unknown>, timeoutMs?: number): Promise<any>;
  events(on?: string): Promise<any[]>;
}

describe('a customer chat in chatjs (headless Chromium) against a localconnect node', { skip }, () => {
  let node: TestNode;
  let pages: TestPages;
  let browser: Browser;
  let participant: ConnectParticipantClient;
  const shots = mkdtempSync(join(tmpdir(), 'localconnect-chat-'));

  before(async () => {
    [node, pages, browser] = await Promise.all([startTestNode(), serveTestPages(), launchBrowser()]);
    participant = new ConnectParticipantClient({
      endpoint: node.url,
      region: node.region,
      // The service authenticates by bearer token; the SDK signs anyway, with whatever it has.
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      maxAttempts: 1,
    });
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
    await node?.close();
  });

  async function openChatPage(): Promise<ChatPage> {
    const page = await browser.newPage();
    const cp: ChatPage = {
      page,
      consoleErrors: [],
      pageErrors: [],
      hosts: new Set(),
      sockets: [],
      waitFor: (on, match = {}, timeoutMs = 5000) =>
        page.evaluate(([on, match, timeoutMs]) => (globalThis as any).waitFor(on, match, timeoutMs), [
          on,
          match,
          timeoutMs,
        ] as const),
      events: async (on) => {
        const all: { on: string; data: any }[] = await page.evaluate(() => (globalThis as any).chatEvents);
        return all.filter((e) => on === undefined || e.on === on).map((e) => e.data);
      },
    };
    page.on('console', (msg) => {
      if (msg.type() === 'error') cp.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => cp.pageErrors.push(err.message));
    page.on('request', (req) => cp.hosts.add(new URL(req.url()).host));
    page.on('websocket', (ws) => {
      cp.hosts.add(new URL(ws.url()).host);
      cp.sockets.push({ url: ws.url(), closed: new Promise((resolve) => ws.on('close', () => resolve())) });
    });
    await page.goto(pages.url('/chat.html'));
    assert.equal(await page.textContent('#version'), '5.0.0');
    return cp;
  }

  async function startChat(cp: ChatPage, chatDetails: ChatDetails) {
    return cp.page.evaluate((args) => (globalThis as any).startChat(args), {
      endpoint: node.url,
      region: node.region,
      chatDetails,
      receiptThrottleMs: RECEIPT_THROTTLE_MS,
    });
  }

  /** What the customer's backend does: StartChatContact, then hand the three ids to the page. */
  async function startChatContact(): Promise<ChatDetails> {
    const res = await node.connect().send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
        InitialMessage: { ContentType: 'text/plain', Content: 'Hi, I have a question' },
      }),
    );
    return {
      ContactId: res.ContactId!,
      ParticipantId: res.ParticipantId!,
      ParticipantToken: res.ParticipantToken!,
    };
  }

  async function describeContact(contactId: string) {
    const { Contact } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
    return Contact!;
  }

  /** The screenshot of what the customer saw, into the temp dir, path printed. */
  async function screenshot(t: TestContext, cp: ChatPage, name: string): Promise<void> {
    const file = join(shots, `${name}.png`);
    await cp.page.screenshot({ path: file, fullPage: true });
    assert.deepEqual([...readFileSync(file).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    t.diagnostic(`screenshot: ${file}`);
  }

  async function assertClean(cp: ChatPage): Promise<void> {
    assert.deepEqual(cp.pageErrors, [], 'uncaught errors in the page');
    assert.deepEqual(cp.consoleErrors, [], 'console errors in the page');
    const chatjsErrors = (await cp.page.evaluate(() => (globalThis as any).chatjsLog as string[])).filter(
      (l) => l.startsWith('ERROR'),
    );
    assert.deepEqual(chatjsErrors, [], 'chatjs logged errors');
    // Nothing but the page server and the node: no telemetry, no AWS endpoints.
    const allowed = new Set([new URL(pages.origin).host, new URL(node.url).host]);
    assert.deepEqual(
      [...cp.hosts].filter((h) => !allowed.has(h)),
      [],
      'requests left 127.0.0.1',
    );
  }

  test('greeting, messages both ways, typing, receipts, a reload with history, and StopContact', async (t) => {
    // 1. The customer's backend starts the chat; the page connects with what it was handed.
    const chat = await startChatContact();
    const cp = await openChatPage();
    const connected = await startChat(cp, chat);
    assert.deepEqual(connected, { connectSuccess: true, connectCalled: true });
    await cp.waitFor('established');

    // 2. The customer's arrival and the Default inbound flow's greeting.
    const joined = await cp.waitFor('message', {
      ContentType: `${EVENT}participant.joined`,
      ParticipantId: chat.ParticipantId,
    });
    assert.equal(joined.ParticipantRole, 'CUSTOMER');
    assert.equal(joined.DisplayName, 'Jane');
    const greeting = await cp.waitFor('message', { ParticipantRole: 'SYSTEM', Type: 'MESSAGE' });
    assert.equal(greeting.Content, GREETING);
    assert.equal(greeting.ContentType, 'text/plain');
    assert.equal(greeting.ContactId, chat.ContactId);
    assert.equal(greeting.InitialContactId, chat.ContactId);
    assert.equal(cp.sockets.length, 1, 'chatjs opened one websocket');
    assert.match(cp.sockets[0].url, /^ws:\/\/127\.0\.0\.1:\d+\//);

    // 3. The customer writes; a bot joins through the Connect API and answers.
    const question = await cp.page.evaluate(() => (globalThis as any).sendText('I need help with my order'));
    assert.ok(question.Id, 'SendMessage returned an Id');
    const echoed = await cp.waitFor('message', { Id: question.Id });
    assert.equal(echoed.ParticipantRole, 'CUSTOMER');
    assert.equal(echoed.Content, 'I need help with my order');

    const added = await node.connect().send(
      new CreateParticipantCommand({
        InstanceId: node.instanceId,
        ContactId: chat.ContactId,
        ParticipantDetails: { ParticipantRole: 'CUSTOM_BOT', DisplayName: 'Helper bot' },
      }),
    );
    const botToken = added.ParticipantCredentials!.ParticipantToken!;
    const botConn = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: botToken,
        Type: ['CONNECTION_CREDENTIALS'],
        ConnectParticipant: true,
      }),
    );
    const bot = botConn.ConnectionCredentials!.ConnectionToken!;
    const botJoined = await cp.waitFor('message', {
      ContentType: `${EVENT}participant.joined`,
      ParticipantId: added.ParticipantId,
    });
    assert.equal(botJoined.ParticipantRole, 'CUSTOM_BOT');
    assert.equal(botJoined.DisplayName, 'Helper bot');
    // The bot also listens on a websocket, to see the customer typing.
    const botSocket = await openSocket(
      (
        await participant.send(
          new CreateParticipantConnectionCommand({ ParticipantToken: botToken, Type: ['WEBSOCKET'] }),
        )
      ).Websocket!.Url!,
    );

    const seenByBot = await participant.send(
      new GetTranscriptCommand({ ConnectionToken: bot, SortOrder: 'ASCENDING', MaxResults: 100 }),
    );
    const asked = seenByBot.Transcript!.find((i) => i.Id === question.Id);
    assert.ok(asked, 'the bot reads the customer message in GetTranscript');
    assert.equal(asked.Content, 'I need help with my order');
    assert.equal(asked.ParticipantRole, 'CUSTOMER');

    const reply = await participant.send(
      new SendMessageCommand({
        ConnectionToken: bot,
        ContentType: 'text/plain',
        Content: 'Sure, what is your order number?',
      }),
    );
    const answered = await cp.waitFor('message', { Id: reply.Id });
    assert.equal(answered.ParticipantRole, 'CUSTOM_BOT');
    assert.equal(answered.ParticipantId, added.ParticipantId);
    assert.equal(answered.DisplayName, 'Helper bot');
    assert.equal(answered.Content, 'Sure, what is your order number?');
    assert.equal(answered.Type, 'MESSAGE');

    // 4. Typing, both ways.
    await participant.send(new SendEventCommand({ ConnectionToken: bot, ContentType: `${EVENT}typing` }));
    const botTyping = await cp.waitFor('typing', { ParticipantRole: 'CUSTOM_BOT' });
    assert.equal(botTyping.ParticipantId, added.ParticipantId);
    assert.equal(botTyping.DisplayName, 'Helper bot');
    assert.equal(await cp.page.textContent('#typing'), 'Helper bot is typing…');
    await cp.page.evaluate(() => (globalThis as any).sendTyping());
    const customerTyping = await botSocket.chatItem(
      (i) => i.ContentType === `${EVENT}typing` && i.ParticipantRole === 'CUSTOMER',
    );
    assert.equal(customerTyping.ParticipantId, chat.ParticipantId);
    assert.equal(customerTyping.InitialContactId, chat.ContactId);

    // 5. Receipts. The customer read the bot's reply: the bot sees it in its transcript.
    await cp.page.evaluate((id) => (globalThis as any).sendRead(id), reply.Id!);
    const readByCustomer = await poll(async () => {
      const { Transcript } = await participant.send(
        new GetTranscriptCommand({ ConnectionToken: bot, SortOrder: 'ASCENDING', MaxResults: 100 }),
      );
      const item = Transcript!.find((i) => i.Id === reply.Id);
      return item?.MessageMetadata?.Receipts?.[0]?.ReadTimestamp ? item : undefined;
    });
    assert.equal(readByCustomer.MessageMetadata!.MessageId, reply.Id);
    assert.equal(readByCustomer.MessageMetadata!.Receipts![0].RecipientParticipantId, chat.ParticipantId);
    // The bot got the customer's message and read it: the customer (its sender) sees both.
    for (const receipt of ['delivered', 'read']) {
      await participant.send(
        new SendEventCommand({
          ConnectionToken: bot,
          ContentType: `${EVENT}message.${receipt}`,
          Content: JSON.stringify({ messageId: question.Id }),
        }),
      );
    }
    const delivered = await cp.waitFor('delivered', { MessageMetadata: { MessageId: question.Id } });
    assert.equal(delivered.MessageMetadata.Receipts[0].RecipientParticipantId, added.ParticipantId);
    assert.ok(delivered.MessageMetadata.Receipts[0].DeliveredTimestamp);
    const read = await cp.waitFor('read', { MessageMetadata: { MessageId: question.Id } });
    assert.equal(read.MessageMetadata.Receipts[0].RecipientParticipantId, added.ParticipantId);
    assert.ok(Date.parse(read.MessageMetadata.Receipts[0].ReadTimestamp) > 0);
    // The customer's own receipt for the bot's reply is not shown to the customer.
    assert.deepEqual(
      (await cp.events('read')).filter((r) => r.MessageMetadata?.MessageId === reply.Id),
      [],
      'chatjs shows the customer its own read receipt',
    );
    await screenshot(t, cp, 'chat-in-progress');

    // 6. A reload: a new ChatSession with the same chatDetails shows the chat so far.
    const reloaded = await openChatPage();
    assert.deepEqual(await startChat(reloaded, chat), { connectSuccess: true, connectCalled: true });
    const history = await reloaded.page.evaluate(() => (globalThis as any).loadHistory());
    assert.equal(history.InitialContactId, chat.ContactId);
    const items: Item[] = history.Transcript;
    assert.deepEqual(
      items.map((i) => `${i.ParticipantRole}:${i.Type}:${i.Type === 'MESSAGE' ? i.Content : i.ContentType}`),
      [
        `CUSTOMER:EVENT:${EVENT}participant.joined`,
        'CUSTOMER:MESSAGE:Hi, I have a question',
        `SYSTEM:MESSAGE:${GREETING}`,
        'CUSTOMER:MESSAGE:I need help with my order',
        `CUSTOM_BOT:EVENT:${EVENT}participant.joined`,
        'CUSTOM_BOT:MESSAGE:Sure, what is your order number?',
      ],
    );
    assert.equal(items[3].Id, question.Id);
    assert.equal(items[5].Id, reply.Id);
    const questionReceipt = items[3].MessageMetadata?.Receipts?.[0];
    assert.equal(
      questionReceipt?.RecipientParticipantId,
      added.ParticipantId,
      'the bot read receipt is kept',
    );
    assert.ok(questionReceipt?.ReadTimestamp);
    assert.equal(items[5].MessageMetadata?.Receipts?.[0]?.RecipientParticipantId, chat.ParticipantId);
    await screenshot(t, reloaded, 'chat-reloaded');

    // 7. The contact is stopped: every open page of the customer sees the chat end.
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    for (const p of [cp, reloaded]) {
      const ended = await p.waitFor('message', { ContentType: `${EVENT}chat.ended` });
      assert.equal(ended.InitialContactId, chat.ContactId);
      await p.waitFor('ended');
      assert.equal(await p.page.textContent('#status'), 'ended');
      await withTimeout(
        Promise.all(p.sockets.map((s) => s.closed)),
        5000,
        'chatjs closes its websockets once the chat ended',
      );
    }
    await withTimeout(botSocket.closed, 5000, 'the bot websocket closes when the chat ended');
    await screenshot(t, cp, 'chat-ended');
    for (const p of [cp, reloaded]) await assertClean(p);
    assert.equal((await describeContact(chat.ContactId)).DisconnectReason, 'API');
  });

  test('the customer leaves: disconnectParticipant() ends the chat (CUSTOMER_DISCONNECT)', async (t) => {
    const chat = await startChatContact();
    const cp = await openChatPage();
    assert.deepEqual(await startChat(cp, chat), { connectSuccess: true, connectCalled: true });
    await cp.waitFor('message', { ParticipantRole: 'SYSTEM', Content: GREETING });

    await cp.page.evaluate(() => (globalThis as any).leave());
    const left = await cp.waitFor('message', { ContentType: `${EVENT}participant.left` });
    assert.equal(left.ParticipantId, chat.ParticipantId);
    await cp.waitFor('message', { ContentType: `${EVENT}chat.ended` });
    await cp.waitFor('ended');
    await withTimeout(
      Promise.all(cp.sockets.map((s) => s.closed)),
      5000,
      'websocket closed after chat.ended',
    );
    const contact = await describeContact(chat.ContactId);
    assert.equal(contact.DisconnectReason, 'CUSTOMER_DISCONNECT');
    assert.ok(contact.DisconnectTimestamp instanceof Date);
    await screenshot(t, cp, 'customer-left');
    await assertClean(cp);
  });
});

/** A bare websocket participant (the bot's view), speaking the frames chatjs speaks. */
async function openSocket(url: string) {
  const ws = new WebSocket(url);
  const items: any[] = [];
  const waiters: { match: (i: any) => boolean; resolve: (i: any) => void }[] = [];
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.topic === 'aws/subscribe') return subscribed();
    if (frame.topic !== 'aws/chat') return;
    const item = JSON.parse(frame.content);
    items.push(item);
    for (const w of waiters.slice()) {
      if (!w.match(item)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(item);
    }
  });
  const closed = once(ws, 'close');
  await once(ws, 'open');
  ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
  await withTimeout(ready, 5000, 'the bot websocket subscribes');
  return {
    closed,
    chatItem: (match: (i: any) => boolean): Promise<any> => {
      const seen = items.find(match);
      if (seen) return Promise.resolve(seen);
      return withTimeout(
        new Promise((resolve) => waiters.push({ match, resolve })),
        5000,
        `bot websocket item; got ${JSON.stringify(items.map((i) => i.ContentType))}`,
      );
    },
  };
}

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}
