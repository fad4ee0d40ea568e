/**
 * ClientToken idempotency of StartChatContact: repeats, concurrent repeats, and reuse with
 * different parameters.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { StartChatContactCommand, type ConnectClient } from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';

describe('StartChatContact ClientToken', () => {
  let node: TestNode;
  let connect: ConnectClient;
  // A quota of 2 active chats makes the number of contacts created observable through the API.
  before(async () => {
    node = await startTestNode(['--quota', 'activeChatsPerInstance=2']);
    connect = node.connect();
  });
  after(() => node.close());

  const start = (ClientToken: string, DisplayName = 'Jane') =>
    connect.send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName },
        ClientToken,
      }),
    );

  test('50 concurrent identical requests create one contact and all get its ids and token', async () => {
    const token = randomUUID();
    const results = await Promise.all(Array.from({ length: 50 }, () => start(token)));
    const distinct = new Set(results.map((r) => `${r.ContactId}/${r.ParticipantId}/${r.ParticipantToken}`));
    assert.equal(distinct.size, 1);
    // Exactly one chat is active: one more fits under the quota of 2, the next does not.
    await start(randomUUID());
    await assert.rejects(start(randomUUID()), (err: any) => {
      assert.equal(err.name, 'LimitExceededException');
      assert.equal(err.$metadata.httpStatusCode, 429);
      return true;
    });
    // A repeat of a token still answers while the quota is full: it creates nothing.
    const again = await start(token);
    assert.equal(again.ContactId, results[0].ContactId);
  });
});

describe('StartChatContact ClientToken with room to spare', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(() => node.close());

  test('the same token with different parameters is IdempotencyException (409), the original still answers', async () => {
    const connect = node.connect();
    const token = randomUUID();
    const input = { InstanceId: node.instanceId, ContactFlowId: node.flowId, ClientToken: token };
    const first = await connect.send(
      new StartChatContactCommand({ ...input, ParticipantDetails: { DisplayName: 'Jane' } }),
    );
    await assert.rejects(
      connect.send(new StartChatContactCommand({ ...input, ParticipantDetails: { DisplayName: 'Joe' } })),
      (err: any) => {
        assert.equal(err.name, 'IdempotencyException');
        assert.equal(err.$metadata.httpStatusCode, 409);
        return true;
      },
    );
    const repeat = await connect.send(
      new StartChatContactCommand({ ...input, ParticipantDetails: { DisplayName: 'Jane' } }),
    );
    assert.deepEqual(
      [repeat.ContactId, repeat.ParticipantId, repeat.ParticipantToken],
      [first.ContactId, first.ParticipantId, first.ParticipantToken],
    );
  });
});
