/**
 * What `localconnect serve` logs at its default level: a line per API call and per step of a
 * contact, JSON unless asked for human lines, and never a token, secret or password.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import {
  DescribeContactCommand,
  DescribeInstanceCommand,
  StartChatContactCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  DisconnectParticipantCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { spawnNode, type ChildNode } from '../support/node.ts';
import { AgentClient, adminPassword } from '../support/agent.ts';

type Line = Record<string, any>;

/** The JSON lines on the node's stderr so far. */
function jsonLines(node: ChildNode): Line[] {
  return node
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

/** Waits (generously: lines are written asynchronously) until a line satisfies `test`. */
async function lineWhere(node: ChildNode, test: (l: Line) => boolean, what: string): Promise<Line> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = jsonLines(node).find(test);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no line for ${what} in:\n${node.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a whole chat logs one JSON line per API call and each step of the contact, with no secret', async () => {
  const node = await spawnNode([]);
  try {
    const connect = node.connect();
    const participant = new ConnectParticipantClient({
      endpoint: node.url,
      region: node.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const username = /admin login\s+(\S+),/.exec(node.stdout())![1];
    const password = adminPassword(node.dataDir);
    const agent = new AgentClient(node.url);
    await agent.signIn(username, password);
    await agent.connect();
    await agent.setStatus('Available');

    const chat = await connect.send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
        DisconnectOnCustomerExit: ['AGENT'],
      }),
    );
    const conn = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: chat.ParticipantToken!,
        Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
      }),
    );
    const connectionToken = conn.ConnectionCredentials!.ConnectionToken!;
    const websocketToken = new URL(conn.Websocket!.Url!).searchParams.get('token')!;
    const socket = new WebSocket(conn.Websocket!.Url!);
    await once(socket, 'open');
    const sent = await participant.send(
      new SendMessageCommand({ ConnectionToken: connectionToken, ContentType: 'text/plain', Content: 'Hi' }),
    );
    const contactId = await agent.offer(chat.ContactId, 10_000);
    const agentConnection = await agent.accept(contactId);
    const failure = await connect
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: 'no-such-contact' }))
      .then(
        () => assert.fail('DescribeContact of an unknown contact succeeded'),
        (err) => err,
      );
    const left = await participant.send(
      new DisconnectParticipantCommand({ ConnectionToken: connectionToken }),
    );
    socket.close();

    // Each SDK call: its line, under the request id the client saw.
    const calls = [
      ['StartChatContact', chat.$metadata, 200],
      ['CreateParticipantConnection', conn.$metadata, 200],
      ['SendMessage', sent.$metadata, 200],
      ['DisconnectParticipant', left.$metadata, 200],
      ['DescribeContact', failure.$metadata, failure.$metadata.httpStatusCode],
    ] as const;
    for (const [operation, metadata, status] of calls) {
      assert.ok(metadata.requestId, `${operation}: the client saw a request id`);
      const line = await lineWhere(node, (l) => l.requestId === metadata.requestId, operation);
      assert.equal(line.level, 30, `${operation} is logged at info`);
      assert.equal(line.msg, 'api call');
      assert.equal(line.operation, operation);
      assert.equal(line.status, status);
      assert.equal(typeof line.latencyMs, 'number');
      assert.ok(line.latencyMs >= 0 && line.latencyMs < 60_000, `${operation} latency ${line.latencyMs}`);
    }
    const startLine = jsonLines(node).find((l) => l.requestId === chat.$metadata.requestId)!;
    assert.equal(startLine.instanceId, node.instanceId);
    assert.equal(startLine.errorType, undefined);
    // The failed call: its 4xx status and AWS error type.
    assert.equal(failure.name, 'ResourceNotFoundException');
    const failedLine = jsonLines(node).find((l) => l.requestId === failure.$metadata.requestId)!;
    assert.equal(failedLine.status, 404);
    assert.equal(failedLine.errorType, 'ResourceNotFoundException');
    assert.equal(failedLine.instanceId, node.instanceId);
    // The workspace's calls: method and route pattern.
    for (const operation of [
      'POST /agent/api/session',
      'PUT /agent/api/status',
      'POST /agent/api/contacts/:contactId/accept',
    ]) {
      const line = await lineWhere(node, (l) => l.operation === operation, operation);
      assert.equal(line.status, 200);
    }

    // The contact's steps, in order, as they were committed.
    await lineWhere(node, (l) => l.msg === 'contact ended' && l.contactId === contactId, 'contact ended');
    const steps = jsonLines(node).filter((l) => l.contactId === contactId && l.msg.startsWith('contact '));
    assert.deepEqual(
      steps.map(({ level, msg }) => ({ level, msg })),
      ['started', 'queued', 'offered', 'accepted', 'ended'].map((step) => ({
        level: 30,
        msg: `contact ${step}`,
      })),
    );
    const [started, queued, offered, accepted, ended] = steps;
    assert.equal(started.channel, 'CHAT');
    assert.equal(started.instanceId, node.instanceId);
    assert.equal(started.flowId, node.flowId);
    assert.equal(typeof queued.queueId, 'string');
    assert.equal(offered.queueId, queued.queueId);
    assert.equal(typeof offered.agentId, 'string');
    assert.equal(accepted.agentId, offered.agentId);
    assert.equal(ended.reason, 'CUSTOMER_DISCONNECT');

    await agent.disconnect();
    await node.close();
    assert.equal(await node.exited, 0);
    // No credential anywhere in what the node wrote, including while it shut down.
    const secrets = {
      ParticipantToken: chat.ParticipantToken!,
      ConnectionToken: connectionToken,
      'the websocket URL token': websocketToken,
      "the agent's ConnectionToken": agentConnection.connectionToken,
      "the agent's websocket URL token": new URL(agentConnection.websocketUrl).searchParams.get('token')!,
      'the secret access key': node.credentials.secretAccessKey,
      'the admin password': password,
      'the session cookie': agent.cookie.split('=')[1],
    };
    for (const [name, secret] of Object.entries(secrets)) {
      assert.ok(secret && secret.length >= 8, `${name} is known to the test`);
      assert.ok(!node.stderr().includes(secret), `${name} reached stderr`);
      assert.ok(!node.stdout().includes(secret), `${name} reached stdout`);
    }
  } finally {
    await node.close();
  }
});

test('--log-format pretty prints human lines, json (the default off a terminal) JSON lines', async () => {
  for (const [args, env, pretty] of [
    [['--log-format', 'pretty'], {}, true],
    [[], { LOCALCONNECT_LOG_FORMAT: 'pretty' }, true],
    [['--log-format', 'json'], { LOCALCONNECT_LOG_FORMAT: 'pretty' }, false],
    [[], {}, false],
  ] as const) {
    const node = await spawnNode([...args], { env });
    try {
      const out = await node.connect().send(new DescribeInstanceCommand({ InstanceId: node.instanceId }));
      const deadline = Date.now() + 10_000;
      while (!node.stderr().includes(out.$metadata.requestId!) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const lines = node.stderr().split('\n').filter(Boolean);
      const call = lines.find((l) => l.includes(out.$metadata.requestId!));
      const what = `${JSON.stringify(args)} ${JSON.stringify(env)}:\n${node.stderr()}`;
      assert.ok(call, `the call is logged with ${what}`);
      if (pretty) {
        for (const line of lines) assert.ok(!line.startsWith('{'), `a JSON line with ${what}`);
        assert.match(call, /INFO.*api call.*DescribeInstance/);
        assert.ok(
          lines.some((l) => /INFO.*Server listening/.test(l)),
          what,
        );
      } else {
        for (const line of lines) assert.equal(typeof JSON.parse(line), 'object', what);
        assert.equal(JSON.parse(call).operation, 'DescribeInstance');
      }
    } finally {
      await node.close();
    }
  }
});
