/**
 * Rate limits and the concurrent-chat quota answer as Amazon Connect does: 429 with the
 * error name the SDKs retry on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeContactCommand, StartChatContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';
import { ManualClock } from '../../src/ports/clock.ts';

const chat = (node: TestNode) =>
  new StartChatContactCommand({
    InstanceId: node.instanceId,
    ContactFlowId: node.flowId,
    ParticipantDetails: { DisplayName: 'Jane' },
  });

describe('--quotas aws', () => {
  let node: TestNode;
  const clock = new ManualClock(Date.now());
  before(async () => {
    node = await startTestNode(['--quotas', 'aws'], { clock });
  });
  after(() => node.close());

  test('StartChatContact: a burst of 8, then TooManyRequestsException until the bucket refills at 5/s', async () => {
    const connect = node.connect();
    const outcomes = [];
    for (let i = 0; i < 10; i++)
      outcomes.push(
        await connect.send(chat(node)).then(
          () => 'ok',
          (e) => e,
        ),
      );
    assert.deepEqual(outcomes.slice(0, 8), Array(8).fill('ok'));
    for (const err of outcomes.slice(8)) {
      assert.equal(err.name, 'TooManyRequestsException');
      assert.equal(err.$metadata.httpStatusCode, 429);
    }
    clock.advance(1000); // five tokens back
    for (let i = 0; i < 5; i++) await connect.send(chat(node));
    await assert.rejects(connect.send(chat(node)), { name: 'TooManyRequestsException' });
  });

  test('DescribeContact is throttled with ThrottlingException, as its model says', async () => {
    clock.advance(10_000);
    const connect = node.connect();
    const { ContactId } = await connect.send(chat(node));
    const describe = () =>
      connect.send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId }));
    const outcomes = [];
    for (let i = 0; i < 6; i++)
      outcomes.push(
        await describe().then(
          () => 'ok',
          (e) => e.name,
        ),
      );
    assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok', 'ok', 'ThrottlingException']);
  });
});

describe('concurrent active chats quota', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode(['--quota', 'activeChatsPerInstance=3']);
  });
  after(() => node.close());

  test('the fourth active chat is LimitExceededException; ending one makes room', async () => {
    const connect = node.connect();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await connect.send(chat(node))).ContactId!);
    await assert.rejects(connect.send(chat(node)), (err: any) => {
      assert.equal(err.name, 'LimitExceededException');
      assert.equal(err.$metadata.httpStatusCode, 429);
      assert.match(err.message, /3 concurrent active chats/);
      return true;
    });
    await connect.send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: ids[0] }));
    await connect.send(chat(node));
  });
});
