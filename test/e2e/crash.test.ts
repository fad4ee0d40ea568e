/**
 * Durability: a node killed with SIGKILL under load loses no acknowledged contact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeContactCommand, StartChatContactCommand } from '@aws-sdk/client-connect';
import { spawnNode, tempDir } from '../support/node.ts';

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
