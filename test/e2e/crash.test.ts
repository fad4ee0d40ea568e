/**
 * Durability: a node killed with SIGKILL loses no acknowledged contact, nor routing state, and
 * a chat's flow that was waiting goes on after the restart; data stored before timers were due
 * work in the store gets them at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  CreateContactFlowCommand,
  DescribeContactCommand,
  StartChatContactCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  GetTranscriptCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { connectAtClock, spawnNode, startTestNode, tempDir, type TestNode } from '../support/node.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { AgentClient, adminPassword } from '../support/agent.ts';
import { designerFlow, type DesignerAction } from '../support/flows.ts';

test('every acknowledged StartChatContact survives kill -9', async () => {
  const dataDir = tempDir();
  const first = await spawnNode([], { dataDir });
  const connect = first.connect();
  const acknowledged: string[] = [];
  let killed = false;
  const worker = async () => {
    while (!killed) {
      try {
        const out = await connect.send(
          new StartChatContactCommand({
            InstanceId: first.instanceId,
            ContactFlowId: first.flowId,
            ParticipantDetails: { DisplayName: 'Load' },
          }),
        );
        acknowledged.push(out.ContactId!);
      } catch {
        // requests in flight when the node dies fail; they were never acknowledged
      }
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  // Kill it mid-stream: once a few hundred contacts are acknowledged (or after 15 s at most).
  const deadline = Date.now() + 15_000;
  while (acknowledged.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  killed = true;
  await Promise.all(workers);
  connect.destroy();
  assert.ok(acknowledged.length > 100, `load too light to mean anything: ${acknowledged.length} contacts`);

  const second = await spawnNode([], { dataDir });
  try {
    assert.equal(second.instanceId, first.instanceId);
    const client = second.connect();
    const missing: string[] = [];
    for (let i = 0; i < acknowledged.length; i += 32) {
      await Promise.all(
        acknowledged
          .slice(i, i + 32)
          .map((ContactId) =>
            client
              .send(new DescribeContactCommand({ InstanceId: second.instanceId, ContactId }))
              .catch(() => missing.push(ContactId)),
          ),
      );
    }
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged contacts lost`);
  } finally {
    await second.close();
  }
});

test('routing state survives kill -9: the agent keeps their status, an unaccepted offer goes back to the queue', async () => {
  const dataDir = tempDir();
  const first = await spawnNode([], { dataDir });
  const agent = new AgentClient(first.url);
  await agent.signIn('admin', adminPassword(dataDir));
  await agent.connect();
  await agent.setStatus('Available');
  const offered = await first.connect().send(
    new StartChatContactCommand({
      InstanceId: first.instanceId,
      ContactFlowId: first.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
    }),
  );
  await agent.offer(offered.ContactId);
  const accepted = await first.connect().send(
    new StartChatContactCommand({
      InstanceId: first.instanceId,
      ContactFlowId: first.flowId,
      ParticipantDetails: { DisplayName: 'Ravi' },
    }),
  );
  await agent.offer(accepted.ContactId);
  await agent.accept(accepted.ContactId!);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  await agent.disconnect();

  const second = await spawnNode([], { dataDir });
  try {
    // The session cookie still works; the agent is still Available, with the accepted chat.
    const back = new AgentClient(second.url);
    back.cookie = agent.cookie;
    await back.connect();
    const state = back.latest!;
    assert.equal(state.status.name, 'Available');
    const accepted2 = state.contacts.find((c) => c.contactId === accepted.ContactId);
    assert.equal(accepted2?.state, 'CONNECTED');
    // The offer the node died holding went back to the queue and comes to the agent again.
    await back.offer(offered.ContactId);
    await back.disconnect();
  } finally {
    await second.close();
  }
});

test('an offer outstanding when the node is killed -9 times out after the restart: the agent has missed it', async () => {
  const dataDir = tempDir();
  const first = await spawnNode(['--offer-timeout', '3'], { dataDir });
  const agent = new AgentClient(first.url);
  await agent.signIn('admin', adminPassword(dataDir));
  await agent.connect();
  await agent.setStatus('Available');
  const offered = await first.connect().send(
    new StartChatContactCommand({
      InstanceId: first.instanceId,
      ContactFlowId: first.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
    }),
  );
  await agent.offer(offered.ContactId);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  await agent.disconnect();

  const second = await spawnNode(['--offer-timeout', '3'], { dataDir });
  try {
    const back = new AgentClient(second.url);
    back.cookie = agent.cookie;
    await back.connect();
    // Nobody accepts it: within its 3 s (and the node's second of polling) the agent has missed it.
    const missed = await back.until(
      (s) => s.contacts.some((c) => c.contactId === offered.ContactId && c.state === 'MISSED'),
      15_000,
    );
    assert.equal(missed.contacts.length, 1);
    await back.disconnect();
  } finally {
    await second.close();
  }
});

test('a node started on data stored before due work gives its chats their expiry and its waiting flows their timers', async () => {
  const [hello, pause, after, hold, end] = Array.from({ length: 5 }, () => randomUUID());
  const dataDir = tempDir();
  const clock = new ManualClock(Date.now());
  const first = await startTestNode([], { clock }, { dataDir });
  const { contactId, token } = await chatInFlow(
    first,
    [
      say(hello, 'Please hold.', pause),
      {
        Identifier: pause,
        Type: 'Wait',
        Parameters: { TimeoutSeconds: '120' },
        Transitions: {
          NextAction: end,
          Conditions: [{ NextAction: after, Condition: { Operator: 'Equals', Operands: ['WaitCompleted'] } }],
          Errors: [{ ErrorType: 'NoMatchingError', NextAction: end }],
        },
      },
      say(after, 'Thanks for waiting.', hold),
      // Longer than the chat's 60 minutes: the chat's expiry is what ends it.
      { ...holdOpen(hold, end), Parameters: { TimeoutSeconds: '7200' } },
      bye(end),
    ],
    60,
  );
  assert.deepEqual(await systemMessages(first, token, 1, 5000), ['Please hold.']);
  await first.close();
  // As a database from before due work looks: the chat and its waiting run, no due items.
  const db = new DatabaseSync(join(dataDir, 'localconnect.db'));
  assert.ok(Number(db.prepare('DELETE FROM due_work').run().changes) >= 2);
  db.prepare("DELETE FROM meta WHERE key = 'due-backfill'").run();
  db.close();

  const second = await startTestNode([], { clock }, { dataDir });
  try {
    clock.advance(121_000);
    assert.deepEqual(await systemMessages(second, token, 2, 10_000), ['Please hold.', 'Thanks for waiting.']);
    clock.advance(60 * 60_000);
    // A client a poll: the SDK corrects its clock offset by the server's Date header, which
    // tells real time.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { Contact } = await connectAtClock(second, clock).send(
        new DescribeContactCommand({ InstanceId: second.instanceId, ContactId: contactId }),
      );
      if (Contact!.DisconnectReason === 'EXPIRED') break;
      assert.ok(Date.now() < deadline, `not expired: ${JSON.stringify(Contact!.DisconnectReason)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await second.close();
  }
});

const participantAt = (node: TestNode) =>
  new ConnectParticipantClient({
    endpoint: node.url,
    region: node.region,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    maxAttempts: 1,
  });

/**
 * Saves the flow on the node and starts a chat in it (of `durationMinutes`, else the default);
 * returns the contact and the customer's ConnectionToken.
 */
async function chatInFlow(
  node: TestNode,
  actions: DesignerAction[],
  durationMinutes?: number,
): Promise<{ contactId: string; token: string }> {
  const { ContactFlowId } = await node.connect().send(
    new CreateContactFlowCommand({
      InstanceId: node.instanceId,
      Name: `flow-${randomUUID()}`,
      Type: 'CONTACT_FLOW',
      Content: designerFlow(actions),
    }),
  );
  const chat = await node.connect().send(
    new StartChatContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId,
      ParticipantDetails: { DisplayName: 'Jane' },
      ChatDurationInMinutes: durationMinutes,
    }),
  );
  const conn = await participantAt(node).send(
    new CreateParticipantConnectionCommand({
      ParticipantToken: chat.ParticipantToken,
      Type: ['CONNECTION_CREDENTIALS'],
    }),
  );
  return { contactId: chat.ContactId!, token: conn.ConnectionCredentials!.ConnectionToken! };
}

/** Polls the customer's transcript until `count` SYSTEM messages have arrived; returns their texts. */
async function systemMessages(node: TestNode, token: string, count: number, ms: number): Promise<string[]> {
  const participant = participantAt(node);
  const deadline = Date.now() + ms;
  for (;;) {
    const t = await participant.send(
      new GetTranscriptCommand({ ConnectionToken: token, SortOrder: 'ASCENDING', MaxResults: 100 }),
    );
    const texts = t.Transcript!.filter((i) => i.ParticipantRole === 'SYSTEM').map((i) => i.Content!);
    if (texts.length >= count) return texts;
    if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(texts)} after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The flow's last action: waits long enough that the chat is still open when the test reads it. */
const holdOpen = (id: string, bye: string): DesignerAction => ({
  Identifier: id,
  Type: 'Wait',
  Parameters: { TimeoutSeconds: '600' },
  Transitions: {
    NextAction: bye,
    Conditions: [{ NextAction: bye, Condition: { Operator: 'Equals', Operands: ['WaitCompleted'] } }],
    Errors: [{ ErrorType: 'NoMatchingError', NextAction: bye }],
  },
});

const say = (id: string, text: string, next: string): DesignerAction => ({
  Identifier: id,
  Type: 'MessageParticipant',
  Parameters: { Text: text },
  Transitions: { NextAction: next, Errors: [{ ErrorType: 'NoMatchingError', NextAction: next }] },
});

const bye = (id: string): DesignerAction => ({
  Identifier: id,
  Type: 'DisconnectParticipant',
  Parameters: {},
  Transitions: {},
});

test('a flow in Wait when the node is killed -9 goes on after the restart', async () => {
  const [hello, pause, after, hold, end] = Array.from({ length: 5 }, () => randomUUID());
  const dataDir = tempDir();
  const first = await spawnNode([], { dataDir });
  const { token } = await chatInFlow(first, [
    say(hello, 'Please hold.', pause),
    {
      Identifier: pause,
      Type: 'Wait',
      Parameters: { TimeoutSeconds: '3' },
      Transitions: {
        NextAction: end,
        Conditions: [{ NextAction: after, Condition: { Operator: 'Equals', Operands: ['WaitCompleted'] } }],
        Errors: [{ ErrorType: 'NoMatchingError', NextAction: end }],
      },
    },
    say(after, 'Thanks for waiting.', hold),
    holdOpen(hold, end),
    bye(end),
  ]);
  assert.deepEqual(await systemMessages(first, token, 1, 5000), ['Please hold.']);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');

  const second = await spawnNode([], { dataDir });
  try {
    // The Wait's 3 s run out while the node is down or starting; the restarted node wakes the run.
    assert.deepEqual(await systemMessages(second, token, 2, 15_000), ['Please hold.', 'Thanks for waiting.']);
  } finally {
    await second.close();
  }
});

test('a flow in GetParticipantInput when the node is killed -9 takes the answer after the restart', async () => {
  const [ask, echo, hold, end] = Array.from({ length: 4 }, () => randomUUID());
  const dataDir = tempDir();
  const first = await spawnNode([], { dataDir });
  const { token } = await chatInFlow(first, [
    {
      Identifier: ask,
      Type: 'GetParticipantInput',
      Parameters: {
        Text: 'Your name?',
        StoreInput: 'True',
        InputValidation: { CustomValidation: { MaximumLength: '30' } },
      },
      Transitions: { NextAction: echo, Errors: [{ ErrorType: 'NoMatchingError', NextAction: end }] },
    },
    say(echo, 'Nice to meet you, $.StoredCustomerInput.', hold),
    holdOpen(hold, end),
    bye(end),
  ]);
  assert.deepEqual(await systemMessages(first, token, 1, 5000), ['Your name?']);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');

  const second = await spawnNode([], { dataDir });
  try {
    await participantAt(second).send(
      new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'Jane' }),
    );
    assert.deepEqual(await systemMessages(second, token, 2, 10_000), [
      'Your name?',
      'Nice to meet you, Jane.',
    ]);
  } finally {
    await second.close();
  }
});
