/**
 * Nothing of a call outlives it: 50 calls in a row, each set up (customer and agent as werift
 * peers speaking the Chime SDK's signaling, Opus both ways), ended by StopContact and torn
 * down, leave the process's UDP sockets, its other handles (TCP aside: the test's HTTP clients
 * keep connections as they please) and its heap where they were after the first two (warm-up)
 * calls, within a small bound, and none of the 100 signaling sockets open at the node. The node
 * runs in this process, so its media plane's sockets and objects are counted here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StartWebRTCContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';
import { AgentClient, availableAgent } from '../support/agent.ts';
import { ChimeTestPeer } from '../support/chime-peer.ts';
import { T } from '../support/chime-signaling.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CALLS = 50;
const WARM_UP = 2;

let node: TestNode;
let agent: AgentClient;
/** One client for the test: each new one keeps connections of its own open (keep-alive). */
let connect: ReturnType<TestNode['connect']>;
before(async () => {
  node = await startTestNode();
  connect = node.connect();
  agent = await availableAgent(node.url, node.connect(), node.instanceId, 'leaks');
});
after(async () => {
  await agent.disconnect();
  await node.close();
});

const handles = () => (process as any)._getActiveHandles() as any[];
/**
 * Handles other than TCP sockets: the test's HTTP clients keep idle connections to the node
 * (keep-alive) as they please, so TCP is counted by the signaling sockets alone (below).
 */
const nonTcpHandles = () => handles().filter((h) => h.remotePort === undefined).length;
/**
 * Signaling sockets the node still held 2 s after their call was torn down, found by the client
 * ports of the call's two sockets. Checked call by call, while the ports are the call's own: over
 * a whole run the machine hands the same port to a later connection.
 */
let signalingLeftOpen = 0;
let signalingChecked = 0;
async function signalingClosed(ports: number[]): Promise<void> {
  signalingChecked += ports.length;
  const open = () => handles().filter((h) => ports.includes(h.remotePort)).length;
  for (let i = 0; i < 20 && open() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  signalingLeftOpen += open();
}
const udpSockets = () =>
  handles().filter((h: any) => typeof h.send === 'function' && typeof h.addMembership === 'function').length;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 200));
    gc();
  }
};

async function oneCall(): Promise<void> {
  const call = await connect.send(
    new StartWebRTCContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
    }),
  );
  const customer = await ChimeTestPeer.join(call.ConnectionData!);
  const ports = [(customer.signal.ws as any)._socket.localPort as number];
  let agentPeer: ChimeTestPeer | undefined;
  try {
    customer.sendTone(440);
    const { connectionData } = await agent.acceptCall(await agent.offer(call.ContactId!));
    agentPeer = await ChimeTestPeer.join(connectionData);
    ports.push((agentPeer.signal.ws as any)._socket.localPort);
    agentPeer.sendTone(880);
    const before = customer.packetsHeard;
    await agentPeer.hearsWhen((p) => p.packetsHeard >= 5, 'the customer');
    assert.ok(udpSockets() >= 4, "the peers' sockets are counted");
    await customer.hearsWhen((p) => p.packetsHeard >= before + 5, 'the agent');
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }));
    await customer.signal.next(T.AUDIO_STATUS, 5000);
  } finally {
    await customer.close();
    await agentPeer?.close();
  }
  await agent.until((s) => s.contacts.some((c) => c.contactId === call.ContactId && c.state === 'ENDED'));
  assert.equal((await agent.command(call.ContactId!, 'clear')).status, 204);
  await signalingClosed(ports);
}

test(`${CALLS} calls set up and torn down leave no UDP socket, handle or heap behind`, async () => {
  for (let i = 0; i < WARM_UP; i++) await oneCall();
  await settle();
  const base = { udp: udpSockets(), handles: nonTcpHandles(), heap: process.memoryUsage().heapUsed };
  for (let i = WARM_UP; i < CALLS; i++) await oneCall();
  await settle();
  const end = { udp: udpSockets(), handles: nonTcpHandles(), heap: process.memoryUsage().heapUsed };
  const grewMiB = (end.heap - base.heap) / 2 ** 20;
  console.log(
    `calls ${CALLS}: UDP sockets ${base.udp} → ${end.udp}, other handles (not TCP) ${base.handles} → ${end.handles}, signaling sockets left open ${signalingLeftOpen} of ${signalingChecked}, heap ${grewMiB.toFixed(1)} MiB`,
  );
  assert.equal(end.udp, base.udp, 'UDP sockets');
  assert.equal(signalingLeftOpen, 0, 'signaling sockets still open at the node');
  assert.ok(end.handles <= base.handles + 2, `handles ${base.handles} → ${end.handles}`);
  assert.ok(grewMiB < 16, `heap grew ${grewMiB.toFixed(1)} MiB`);
});
