/**
 * Agents through a real node: sign-in, status, offers pushed on the event socket, accept /
 * reject / miss, the agent in the chat through the Participant Service, leaving, after-contact
 * work — driven over HTTP and websockets as the workspace drives them, with the AWS SDK on the
 * customer's and the supervisor's side.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { after, before, describe, it } from 'node:test';
import {
  CreateUserCommand,
  DeleteUserCommand,
  DescribeContactCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
  StartChatContactCommand,
  StartContactStreamingCommand,
  StopContactCommand,
  StopContactStreamingCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  DisconnectParticipantCommand,
  GetTranscriptCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { startTestNode, type TestNode } from '../support/node.ts';
import { AgentClient, adminPassword } from '../support/agent.ts';
import type { AgentView } from '../../src/domain/agents/workspace-api.ts';

let node: TestNode;
let participant: ConnectParticipantClient;
let agentCount = 0;
/** Chats a test started, stopped when it ends so the next test starts with empty queues. */
const started: string[] = [];

before(async () => {
  node = await startTestNode(['--offer-timeout', '2']);
  participant = new ConnectParticipantClient({
    endpoint: node.url,
    region: node.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
});
after(() => node.close());

/** A customer who starts a chat and connects, as chatjs would. */
async function customer(name = 'Jane', disconnectAgentOnExit = false) {
  const chat = await node.connect().send(
    new StartChatContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: name },
      Attributes: { plan: 'gold' },
      ...(disconnectAgentOnExit && { DisconnectOnCustomerExit: ['AGENT' as const] }),
    }),
  );
  const conn = await participant.send(
    new CreateParticipantConnectionCommand({
      ParticipantToken: chat.ParticipantToken!,
      Type: ['CONNECTION_CREDENTIALS'],
    }),
  );
  const token = conn.ConnectionCredentials!.ConnectionToken!;
  started.push(chat.ContactId!);
  return {
    contactId: chat.ContactId!,
    participantToken: chat.ParticipantToken!,
    token,
    transcript: async () =>
      (await participant.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 100 })))
        .Transcript!,
  };
}

/** A new agent with the default routing profile, signed in with the workspace open and Available. */
async function newAgent(): Promise<AgentClient> {
  const connect = node.connect();
  const profiles = await connect.send(new ListRoutingProfilesCommand({ InstanceId: node.instanceId }));
  const security = await connect.send(new ListSecurityProfilesCommand({ InstanceId: node.instanceId }));
  const username = `agent${++agentCount}`;
  await connect.send(
    new CreateUserCommand({
      InstanceId: node.instanceId,
      Username: username,
      Password: 'Agent-Passw0rd',
      IdentityInfo: { FirstName: `Agent${agentCount}`, LastName: 'Test' },
      PhoneConfig: { PhoneType: 'SOFT_PHONE' },
      RoutingProfileId: profiles.RoutingProfileSummaryList![0].Id!,
      SecurityProfileIds: [security.SecurityProfileSummaryList!.find((s) => s.Name === 'Agent')!.Id!],
    }),
  );
  const agent = new AgentClient(node.url);
  await agent.signIn(username, 'Agent-Passw0rd');
  await agent.connect();
  await agent.setStatus('Available');
  return agent;
}

/** A chat websocket, subscribed as chatjs subscribes; what it is pushed, and when it closes. */
async function chatSocket(url: string) {
  const ws = new WebSocket(url);
  await once(ws, 'open');
  const received: any[] = [];
  const subscribed = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.topic === 'aws/subscribe') resolve();
      if (frame.topic === 'aws/chat') received.push(JSON.parse(frame.content));
    }),
  );
  const closed = once(ws, 'close').then(([code]) => ({ code: code as number, at: Date.now() }));
  ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
  await subscribed;
  return { ws, received, closed };
}

/** Ends the test's chats and sends its agents away. */
async function settle(agents: AgentClient[]) {
  for (const contactId of started.splice(0)) {
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: contactId }))
      .catch(() => undefined); // already ended
  }
  for (const a of agents) {
    if (a.latest) await a.setStatus('Offline').catch(() => undefined); // signed out already
    await a.disconnect();
  }
}

describe('agent sign-in', () => {
  it('signs in with the first start login, and refuses wrong, anonymous, cross-site and repeated attempts', async () => {
    const admin = new AgentClient(node.url);
    const wrong = await admin.request('POST', '/session', { username: 'admin', password: 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'InvalidCredentials');
    const unknown = await admin.request('POST', '/session', { username: 'ghost', password: 'nope' });
    assert.deepEqual([unknown.status, unknown.body.error], [401, 'InvalidCredentials']);
    assert.equal((await admin.request('GET', '/state')).status, 401);

    const state = await admin.signIn('admin', adminPassword(node.dataDir));
    assert.equal(state.user.username, 'admin');
    assert.equal(state.status.name, 'Offline');
    assert.deepEqual(
      state.statuses.map((s) => s.name),
      ['Available', 'Offline'],
    );
    assert.match(admin.cookie, /^localconnect-agent=/);
    assert.equal((await admin.request('GET', '/state')).status, 200);

    // A page on another origin cannot drive the API with the agent's cookie.
    const crossSite = await fetch(`${node.url}/agent/api/status`, {
      method: 'PUT',
      headers: { cookie: admin.cookie, 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ statusId: state.statuses[0].id }),
    });
    assert.equal(crossSite.status, 403);
    const form = await fetch(`${node.url}/agent/api/status`, {
      method: 'PUT',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'statusId=x',
    });
    assert.equal(form.status, 403);

    // Guessing one user's password is slowed down after a few tries (sign-in-guard.test.ts).
    const guesser = new AgentClient(node.url);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push(
        (await guesser.request('POST', '/session', { username: 'target', password: `guess${i}` })).status,
      );
    assert.deepEqual(codes.slice(0, 5), Array(5).fill(401));
    assert.deepEqual(codes.slice(5), [429, 429]);
    const limited = await guesser.request('POST', '/session', { username: 'target', password: 'x' });
    assert.ok(limited.body.retryAfterSeconds > 0);

    await admin.connect();
    const out = await admin.request('DELETE', '/session');
    assert.equal(out.status, 204);
    await admin.untilSignedOut();
    assert.equal((await admin.request('GET', '/state')).status, 401);
  });
});

describe('routing chats to agents', () => {
  it("shows the agent the chat's active streams as they start and stop", async () => {
    const agent = await newAgent();
    const cust = await customer('Jane');
    const contactId = await agent.offer(cust.contactId);
    await agent.accept(contactId);
    const connected = await agent.until((s) =>
      s.contacts.some((c) => c.contactId === contactId && c.state === 'CONNECTED'),
    );
    assert.equal(connected.contacts.find((c) => c.contactId === contactId)!.streams, undefined);
    const topic = `arn:aws:sns:${node.region}:123456789012:chat-stream`;
    const { StreamingId } = await node.connect().send(
      new StartContactStreamingCommand({
        InstanceId: node.instanceId,
        ContactId: contactId,
        ChatStreamingConfiguration: { StreamingEndpointArn: topic },
        ClientToken: `stream-${contactId}`,
      }),
    );
    const streaming = await agent.until(
      (s) => s.contacts.find((c) => c.contactId === contactId)?.streams !== undefined,
    );
    assert.deepEqual(streaming.contacts.find((c) => c.contactId === contactId)!.streams, [
      { streamingId: StreamingId, endpointArn: topic },
    ]);
    await node
      .connect()
      .send(
        new StopContactStreamingCommand({ InstanceId: node.instanceId, ContactId: contactId, StreamingId }),
      );
    await agent.until((s) => s.contacts.find((c) => c.contactId === contactId)?.streams === undefined);
    await settle([agent]);
  });

  it('offers the chat to an Available agent, who joins, chats, leaves and finishes after-contact work', async () => {
    const agent = await newAgent();
    const cust = await customer('Jane');
    const contactId = await agent.offer(cust.contactId);
    const offered = agent.latest!.contacts.find((c) => c.contactId === contactId)!;
    assert.equal(offered.customerName, 'Jane');
    assert.equal(offered.queue.name, 'BasicQueue');
    assert.deepEqual(offered.attributes, { plan: 'gold' });
    assert.ok(offered.offerExpiresAt! > Date.now());

    const conn = await agent.accept(contactId);
    await agent.until((s) => s.contacts.some((c) => c.contactId === contactId && c.state === 'CONNECTED'));
    await participant.send(
      new SendMessageCommand({
        ConnectionToken: conn.connectionToken,
        ContentType: 'text/plain',
        Content: 'Hi Jane',
      }),
    );
    const items = await cust.transcript();
    const joined = items.find(
      (i) => i.ContentType?.endsWith('participant.joined') && i.ParticipantRole === 'AGENT',
    );
    assert.ok(joined, 'the customer sees the agent join');
    assert.ok(items.some((i) => i.ParticipantRole === 'AGENT' && i.Content === 'Hi Jane'));
    assert.ok(
      items.some((i) => i.ParticipantRole === 'SYSTEM' && i.Type === 'MESSAGE'),
      'the flow greeting is there',
    );

    const described = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
    assert.equal(described.Contact!.AgentInfo!.Id, agent.latest!.user.id);
    assert.ok(
      described.Contact!.AgentInfo!.ConnectedToAgentTimestamp! >=
        described.Contact!.QueueInfo!.EnqueueTimestamp!,
    );

    assert.equal((await agent.command(contactId, 'end')).status, 204);
    const acw = await agent.until((s) =>
      s.contacts.some((c) => c.contactId === contactId && c.state === 'ENDED'),
    );
    assert.equal(acw.contacts[0].disconnectReason, 'AGENT_DISCONNECT');
    const ended = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
    assert.equal(ended.Contact!.DisconnectReason, 'AGENT_DISCONNECT');
    assert.equal((await agent.command(contactId, 'clear')).status, 204);
    await agent.until((s) => s.contacts.length === 0);
    const cleared = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
    assert.ok(cleared.Contact!.AgentInfo!.AfterContactWorkEndTimestamp);
    await settle([agent]);
  });

  it('a rejected chat goes to the other agent; a missed one leaves the agent Missed and goes on', async () => {
    const first = await newAgent();
    const second = await newAgent();
    const cust = await customer();
    const holder = await Promise.race([
      first.offer(cust.contactId).then(() => first),
      second.offer(cust.contactId).then(() => second),
    ]);
    const other = holder === first ? second : first;
    assert.equal((await holder.command(cust.contactId, 'reject')).status, 204);
    await other.offer(cust.contactId);
    assert.equal((await holder.command(cust.contactId, 'accept')).status, 409, 'no longer offered to them');

    // The offer times out after 2 s: missed, and back to the agent who rejected it.
    await other.until(
      (s) => s.contacts.some((c) => c.contactId === cust.contactId && c.state === 'MISSED'),
      5000,
    );
    await holder.offer(cust.contactId, 5000);
    // Missed: nothing new until the agent clears it.
    const next = await customer();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!other.latest!.contacts.some((c) => c.contactId === next.contactId));
    assert.equal((await other.command(cust.contactId, 'clear')).status, 204);
    const taker = await Promise.race([
      other.offer(next.contactId).then(() => other),
      holder.offer(next.contactId).then(() => holder),
    ]);
    assert.ok(taker);
    await settle([first, second]);
  });

  it('a customer who leaves: the agent stays until they end the chat, or leaves with them (DisconnectOnCustomerExit)', async () => {
    const agent = await newAgent();
    const stay = await customer('Jane');
    await agent.offer(stay.contactId);
    const conn = await agent.accept(stay.contactId);
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken: stay.token }));
    // The chat goes on for the agent, who reads that the customer left; the customer's token is spent.
    const items = (
      await participant.send(
        new GetTranscriptCommand({ ConnectionToken: conn.connectionToken, MaxResults: 100 }),
      )
    ).Transcript!;
    assert.ok(
      items.some((i) => i.ContentType?.endsWith('participant.left') && i.ParticipantRole === 'CUSTOMER'),
    );
    await assert.rejects(stay.transcript(), { name: 'AccessDeniedException' });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(agent.latest!.contacts.find((c) => c.contactId === stay.contactId)?.state, 'CONNECTED');
    assert.equal((await agent.command(stay.contactId, 'end')).status, 204);
    const acw = await agent.until((s) =>
      s.contacts.some((c) => c.contactId === stay.contactId && c.state === 'ENDED'),
    );
    assert.equal(
      acw.contacts.find((c) => c.contactId === stay.contactId)?.disconnectReason,
      'CUSTOMER_DISCONNECT',
    );
    assert.equal((await agent.command(stay.contactId, 'clear')).status, 204);

    const leave = await customer('Ravi', true);
    await agent.offer(leave.contactId);
    await agent.accept(leave.contactId);
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken: leave.token }));
    const ended = await agent.until((s) =>
      s.contacts.some((c) => c.contactId === leave.contactId && c.state === 'ENDED'),
    );
    assert.equal(
      ended.contacts.find((c) => c.contactId === leave.contactId)?.disconnectReason,
      'CUSTOMER_DISCONNECT',
    );
    await settle([agent]);
  });

  it("a customer who leaves while the agent stays loses their websocket at once, and gets none of the agent's messages", async () => {
    const agent = await newAgent();
    const jane = await customer('Jane');
    await agent.offer(jane.contactId);
    const conn = await agent.accept(jane.contactId);
    const { Websocket } = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: jane.participantToken,
        Type: ['WEBSOCKET'],
      }),
    );
    const ws = new WebSocket(Websocket!.Url!);
    await once(ws, 'open');
    const received: any[] = [];
    const subscribed = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.topic === 'aws/subscribe') resolve();
        if (frame.topic === 'aws/chat') received.push(JSON.parse(frame.content));
      }),
    );
    ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
    await subscribed;
    const closed = once(ws, 'close');
    const leftAt = Date.now();
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken: jane.token }));
    const [code] = await closed;
    assert.equal(code, 1000);
    assert.ok(Date.now() - leftAt < 1000, 'closed within a second');
    assert.ok(received.at(-1).ContentType.endsWith('participant.left'), 'their leaving is the last item');
    const count = received.length;
    await participant.send(
      new SendMessageCommand({
        ConnectionToken: conn.connectionToken,
        ContentType: 'text/plain',
        Content: 'Are you there?',
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, count);
    await settle([agent]);
  });

  for (const [how, endSession] of [
    [
      'is deleted (DeleteUser)',
      (agent: AgentClient) =>
        node
          .connect()
          .send(new DeleteUserCommand({ InstanceId: node.instanceId, UserId: agent.latest!.user.id })),
    ],
    [
      'signs out',
      async (agent: AgentClient) => assert.equal((await agent.request('DELETE', '/session')).status, 204),
    ],
  ] as const) {
    it(`an agent in a chat who ${how} leaves it: their chat websocket closes at once, gets nothing more, and their token stops working`, async () => {
      const agent = await newAgent();
      const jane = await customer('Jane');
      await agent.offer(jane.contactId);
      const conn = await agent.accept(jane.contactId);
      const agentSocket = await chatSocket(conn.websocketUrl);
      const { Websocket } = await participant.send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: jane.participantToken,
          Type: ['WEBSOCKET'],
        }),
      );
      const janeSocket = await chatSocket(Websocket!.Url!);
      await participant.send(
        new SendMessageCommand({ ConnectionToken: jane.token, ContentType: 'text/plain', Content: 'Hello?' }),
      );
      const deadline = Date.now() + 5000;
      while (!agentSocket.received.some((i) => i.Content === 'Hello?') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.ok(
        agentSocket.received.some((i) => i.Content === 'Hello?'),
        'the agent reads the customer',
      );

      const endedAt = Date.now();
      await endSession(agent);
      const closed = await Promise.race([
        agentSocket.closed,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000)),
      ]);
      assert.ok(closed, "the agent's chat websocket is still open");
      assert.equal(closed.code, 1000);
      assert.ok(closed.at - endedAt < 1000, `closed ${closed.at - endedAt} ms after, not within a second`);
      const last = agentSocket.received.at(-1);
      assert.ok(last.ContentType.endsWith('participant.left'), 'their own leaving is the last item they get');
      assert.equal(last.ParticipantId, conn.participantId);
      const count = agentSocket.received.length;

      // The customer sees the agent leave, and the chat ends as when an agent leaves it.
      await janeSocket.closed;
      const tail = janeSocket.received.slice(-2);
      assert.ok(tail[0].ContentType.endsWith('participant.left'));
      assert.equal(tail[0].ParticipantId, conn.participantId);
      assert.ok(tail[1].ContentType.endsWith('chat.ended'));
      const described = await node
        .connect()
        .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: jane.contactId }));
      assert.equal(described.Contact!.DisconnectReason, 'AGENT_DISCONNECT');

      // Nothing more reaches the agent, and their connection token no longer works.
      await assert.rejects(
        participant.send(
          new SendMessageCommand({
            ConnectionToken: jane.token,
            ContentType: 'text/plain',
            Content: 'Still there?',
          }),
        ),
        { name: 'AccessDeniedException' },
      );
      await assert.rejects(
        participant.send(
          new SendMessageCommand({
            ConnectionToken: conn.connectionToken,
            ContentType: 'text/plain',
            Content: 'Bye',
          }),
        ),
        { name: 'AccessDeniedException' },
      );
      await assert.rejects(
        participant.send(new GetTranscriptCommand({ ConnectionToken: conn.connectionToken })),
        { name: 'AccessDeniedException' },
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(agentSocket.received.length, count);
      await settle([agent]);
    });
  }

  it('one websocket URL holds at most a few sockets: each one more closes the oldest', async () => {
    const jane = await customer('Jane');
    const { Websocket } = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: jane.participantToken,
        Type: ['WEBSOCKET'],
      }),
    );
    const sockets: WebSocket[] = [];
    for (let i = 0; i < 50; i++) {
      const ws = new WebSocket(Websocket!.Url!);
      ws.on('error', () => {});
      await once(ws, 'open');
      sockets.push(ws);
    }
    await new Promise((r) => setTimeout(r, 300));
    const open = sockets.filter((ws) => ws.readyState === ws.OPEN);
    assert.deepEqual(open, sockets.slice(-3), 'the three newest stay open');
    for (const ws of open) ws.close();
    await settle([]);
  });

  it('offers go back to the queue when the agent goes Offline, signs out or closes the workspace', async () => {
    const a = await newAgent();
    const cust = await customer();
    await a.offer(cust.contactId);
    await a.setStatus('Offline');
    await a.until((s) => s.contacts.length === 0);
    const b = await newAgent();
    await b.offer(cust.contactId);
    await b.disconnect();
    await a.setStatus('Available');
    await a.offer(cust.contactId);
    assert.equal((await a.request('DELETE', '/session')).status, 204);
    const c = await newAgent();
    await c.offer(cust.contactId);
    await settle([a, b, c]);
  });
});

describe('queue figures on the event socket', () => {
  it('every open workspace gets the new figures when a chat joins the queue, however many are open', async () => {
    // More workspaces than are refreshed at once; all Offline, so the chat stays queued.
    const agents: AgentClient[] = [];
    for (let i = 0; i < 20; i++) agents.push(await newAgent());
    for (const a of agents) await a.setStatus('Offline');
    const waiting = (s: AgentView) => s.queues.find((q) => q.name === 'BasicQueue')?.contactsInQueue;
    for (const a of agents) await a.until((s) => waiting(s) === 0);
    await customer('Queued');
    const seen = await Promise.all(agents.map((a) => a.until((s) => waiting(s) === 1)));
    assert.equal(seen.length, 20);
    for (const s of seen) assert.equal(s.queues.find((q) => q.name === 'BasicQueue')!.agentsAvailable, 0);
    await settle(agents);
  });
});

describe('the workspace API refuses bad input with a clear error and keeps serving', () => {
  it('answers malformed, oversized, unauthenticated and unknown requests with 4xx, never 5xx', async () => {
    const admin = new AgentClient(node.url);
    await admin.signIn('admin', adminPassword(node.dataDir));
    const call = async (
      method: string,
      path: string,
      body?: string,
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(`${node.url}/agent/api${path}`, {
        method,
        headers: { 'content-type': 'application/json', cookie: admin.cookie, ...headers },
        body,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const cases: [string, string, string | undefined, Record<string, string>, number, string][] = [
      ['POST', '/session', '{"username":', {}, 400, 'BadRequest'],
      ['POST', '/session', '[1,2]', {}, 400, 'BadRequest'],
      ['POST', '/session', '{"username":1,"password":[]}', {}, 400, 'BadRequest'],
      ['PUT', '/status', '{}', {}, 400, 'BadRequest'],
      ['PUT', '/status', '{"statusId":"nope"}', {}, 404, 'NotFound'],
      ['PUT', '/status', JSON.stringify({ statusId: 'x'.repeat(2_000_000) }), {}, 413, 'BadRequest'],
      ['POST', '/contacts/unknown-contact/accept', '{}', {}, 409, 'Conflict'],
      ['POST', '/contacts/unknown-contact/connection', '{}', {}, 409, 'Conflict'],
      ['POST', '/contacts/unknown-contact/clear', '{}', {}, 409, 'Conflict'],
      ['GET', '/state', undefined, { cookie: 'localconnect-agent=forged' }, 401, 'NotSignedIn'],
      ['GET', '/state', undefined, { cookie: `${admin.cookie}x` }, 401, 'NotSignedIn'],
      ['GET', '/no-such-route', undefined, {}, 404, 'NotFound'],
    ];
    for (const [method, path, body, headers, status, error] of cases) {
      const res = await call(method, path, body, headers);
      assert.deepEqual(
        [res.status, res.body?.error],
        [status, error],
        `${method} ${path} ${body?.slice(0, 40)}`,
      );
      assert.equal(typeof res.body.message, 'string');
    }
    // A workspace socket that sends junk, or too much, is closed; the node carries on.
    const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}/agent/api/events`, {
      headers: { cookie: admin.cookie },
    });
    await once(ws, 'open');
    ws.send('not json');
    ws.send(Buffer.alloc(10_000));
    const [code] = await once(ws, 'close');
    assert.equal(code, 1009);
    const refused = new WebSocket(`${node.url.replace(/^http/, 'ws')}/agent/api/events`);
    const [err] = await once(refused, 'error');
    assert.match(String(err), /401/);
    assert.equal((await admin.request('GET', '/state')).status, 200);
  });
});
