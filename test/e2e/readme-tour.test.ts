/**
 * The README's tour, run as a reader runs it: its start-chat-contact command, copied from the
 * README with the ids filled in, through the AWS CLI. Run twice, it starts two chats (a fixed
 * --client-token would answer the first, stopped contact again).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
import { ROOT, startTestNode, type TestNode } from '../support/node.ts';
import { AWS_CLI, skipUnless } from '../support/tools.ts';

/** The tour's commands that start with `aws connect <subcommand>`, continuation lines joined. */
function tourCommand(subcommand: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\\\n\s*/g, ''));
  const line = blocks.flatMap((b) => b.split('\n')).find((l) => l.startsWith(`aws connect ${subcommand} `));
  assert.ok(line, `the README's tour has an aws connect ${subcommand} command`);
  return line;
}

function cli(command: string, node: TestNode): Promise<string> {
  const args = command
    .replace(/^aws /, '')
    .replace('http://127.0.0.1:8080', node.url)
    .replace('--instance-id <id>', `--instance-id ${node.instanceId}`)
    .replace('--contact-flow-id <id>', `--contact-flow-id ${node.flowId}`)
    .split(/\s+/)
    .filter(Boolean);
  assert.ok(!args.some((a) => a.includes('<')), `every placeholder is filled in: ${args.join(' ')}`);
  return new Promise((resolve, reject) =>
    execFile(
      AWS_CLI,
      [...args, '--output', 'json'],
      { env: { ...process.env, ...node.awsEnv } },
      (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
    ),
  );
}

describe("the README's tour", { skip: skipUnless('aws-cli') }, () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(() => node.close());

  test('its start-chat-contact, run again after a stop, starts a new chat', async () => {
    const command = tourCommand('start-chat-contact');
    const first = JSON.parse(await cli(command, node));
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: first.ContactId }));
    const second = JSON.parse(await cli(command, node));
    assert.notEqual(second.ContactId, first.ContactId);
    const { Contact } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: second.ContactId }));
    assert.equal(Contact!.DisconnectTimestamp, undefined, 'the second chat is live');
  });
});
