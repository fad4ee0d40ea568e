/**
 * Durability: a node killed with SIGKILL loses no acknowledged contact, nor routing state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeContactCommand, StartChatContactCommand } from '@aws-sdk/client-connect';
import { spawnNode, tempDir } from '../support/node.ts';
import { AgentClient, adminPassword } from '../support/agent.ts';

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
