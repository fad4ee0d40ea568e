/**
 * Concurrent two-party audio calls on one node: each call is a real web call (StartWebRTCContact,
 * its flow, routing to an agent of its own who accepts), whose customer and agent are werift
 * peers speaking the Chime SDK's signaling from the bench process, each sending real Opus (a
 * pre-encoded tone) 50 packets a second over SRTP; the node forwards each side's audio to the
 * other. Measured over a window once every call is up: the forwarding latency of the customer's
 * packets (sent by the customer's peer → received by the agent's, both on this machine's clock;
 * that direction has one source, so the RTP timestamp the node forwards is the one sent), the
 * packets lost both ways, and the node's CPU per call.
 *
 * Baseline, in the same run: a bare UDP relay (its own process) forwarding the same RTP packets,
 * in the clear, between the same number of socket pairs, measured the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import OpusScript from 'opusscript';
import { RtpHeader, RtpPacket } from 'werift';
import { StartWebRTCContactCommand } from '@aws-sdk/client-connect';
import { spawnNode, type ChildNode } from '../test/support/node.ts';
import { availableAgent, type AgentClient } from '../test/support/agent.ts';
import { ChimeTestPeer } from '../test/support/chime-peer.ts';
import { processCpuMs } from './machine.ts';

const FRAME_MS = 20;
const FRAME_SAMPLES = 960;

export interface CallsResult {
  calls: number;
  packets: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  /** Packets not received, both ways, in % of those sent. */
  lossPct: number;
  /** The server's CPU over the window, in % of one core, and per call. */
  serverCpuPct: number;
  cpuPerCallPct: number;
}

export interface CallsRound {
  localconnect: CallsResult;
  bare: CallsResult;
}

/** One second of a 440 Hz tone as Opus frames, encoded once and looped by every sender. */
function toneFrames(): Buffer[] {
  const encoder = new OpusScript(48_000, 1, OpusScript.Application.AUDIO);
  const frames: Buffer[] = [];
  let phase = 0;
  for (let f = 0; f < 1000 / FRAME_MS; f++) {
    const pcm = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      // A level of its own for each frame, so that no two frames of the loop are the same bytes.
      pcm[i] = Math.round((6000 + 40 * f) * Math.sin(phase));
      phase += (2 * Math.PI * 440) / 48_000;
    }
    frames.push(Buffer.from(encoder.encode(Buffer.from(pcm.buffer), FRAME_SAMPLES)));
  }
  encoder.delete();
  return frames;
}

/**
 * What a measured window saw: latencies of timed packets, and counts both ways. A timed packet
 * is known at the receiver by its payload (which frame of the loop it is: the node forwards
 * Opus as it came, while it may re-base sequence numbers and timestamps), and matched to the
 * oldest send of that frame on its stream not yet received.
 */
class Window {
  open = false;
  readonly latencies: number[] = [];
  sent = 0;
  received = 0;
  /** By stream and frame of the loop, the send times of its packets sent while the window was open. */
  readonly sentAt = new Map<number, Map<number, number[]>>();
  readonly #frameOf: Map<string, number>;

  constructor(frames: Buffer[]) {
    this.#frameOf = new Map(frames.map((f, i) => [f.toString('latin1'), i]));
    if (this.#frameOf.size !== frames.length) throw new Error('the loop has two equal frames');
  }

  sentPacket(stream: number, frame: number): void {
    if (!this.open) return;
    this.sent++;
    let byFrame = this.sentAt.get(stream);
    if (!byFrame) this.sentAt.set(stream, (byFrame = new Map()));
    let times = byFrame.get(frame);
    if (!times) byFrame.set(frame, (times = []));
    times.push(performance.now());
  }

  receivedPacket(stream: number, payload: Buffer): void {
    const frame = this.#frameOf.get(payload.toString('latin1'));
    const at = frame === undefined ? undefined : this.sentAt.get(stream)?.get(frame)?.shift();
    if (at === undefined) return;
    this.received++;
    this.latencies.push(performance.now() - at);
  }

  /** A packet of a stream whose timestamps are not comparable: counted, not timed. */
  receivedUntimed(): void {
    if (this.open) this.received++;
  }

  result(calls: number, cpuMs: number, seconds: number): CallsResult {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    const cpuPct = (100 * cpuMs) / (seconds * 1000);
    return {
      calls,
      packets: this.sent,
      p50ms: q(0.5),
      p99ms: q(0.99),
      maxMs: sorted.at(-1) ?? NaN,
      lossPct: this.sent === 0 ? NaN : Math.max(0, (100 * (this.sent - this.received)) / this.sent),
      serverCpuPct: cpuPct,
      cpuPerCallPct: cpuPct / calls,
    };
  }
}

/** Runs `tick` every 20 ms by the clock (late ticks catch up), until stopped. */
function pace(tick: () => void): () => void {
  let next = performance.now();
  let timer: NodeJS.Timeout;
  const run = () => {
    while (next <= performance.now()) {
      tick();
      next += FRAME_MS;
    }
    timer = setTimeout(run, Math.max(0, next - performance.now()));
  };
  run();
  return () => clearTimeout(timer);
}

async function measure(
  window: Window,
  pid: number,
  calls: number,
  warmupSeconds: number,
  seconds: number,
): Promise<CallsResult> {
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  const cpuBefore = processCpuMs(pid);
  window.open = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  window.open = false;
  const cpuMs = processCpuMs(pid) - cpuBefore;
  await new Promise((r) => setTimeout(r, 500)); // the last packets in flight
  return window.result(calls, cpuMs, seconds);
}

/** `calls` calls on a fresh node, each side sending, measured for `seconds` after a warm-up. */
async function localconnectCalls(
  calls: number,
  warmupSeconds: number,
  seconds: number,
): Promise<CallsResult> {
  const node: ChildNode = await spawnNode([
    '--log-level',
    'warn',
    '--quota',
    `activeCallsPerInstance=${calls * 2}`,
    '--quota',
    'StartWebRTCContact=1000/1000',
  ]);
  const frames = toneFrames();
  const window = new Window(frames);
  const peers: ChimeTestPeer[] = [];
  const agents: AgentClient[] = [];
  let stop = () => {};
  try {
    const connect = node.connect();
    for (let i = 0; i < calls; i++)
      agents.push(await availableAgent(node.url, connect, node.instanceId, `bench${i}`));
    const senders: { peer: ChimeTestPeer; stream: number; timed: boolean }[] = [];
    for (let i = 0; i < calls; i++) {
      const call = await connect.send(
        new StartWebRTCContactCommand({
          InstanceId: node.instanceId,
          ContactFlowId: node.flowId,
          ParticipantDetails: { DisplayName: `Caller ${i}` },
        }),
      );
      const customerStream = 2 * i;
      const customer = await ChimeTestPeer.join(call.ConnectionData!, {
        decode: false,
        onHeard: () => window.receivedUntimed(),
      });
      peers.push(customer);
      senders.push({ peer: customer, stream: customerStream, timed: true });
      // The flow starts once the customer is heard: a packet or two before the first tick.
      customer.sendFrame(frames[0]);
      // Routing offers it to one of the agents who are free.
      const offered = await Promise.any(
        agents.map(async (a) => {
          await a.offer(call.ContactId!, 10_000);
          return a;
        }),
      );
      const accepted = await offered.acceptCall(call.ContactId!);
      const agentPeer = await ChimeTestPeer.join(accepted.connectionData, {
        decode: false,
        onHeard: (rtp) => window.receivedPacket(customerStream, rtp.payload),
      });
      peers.push(agentPeer);
      senders.push({ peer: agentPeer, stream: 2 * i + 1, timed: false });
    }
    let frame = 0;
    stop = pace(() => {
      const index = frame++ % frames.length;
      for (const s of senders) {
        if (s.timed) window.sentPacket(s.stream, index);
        else if (window.open) window.sent++;
        s.peer.sendFrame(frames[index]);
      }
    });
    return await measure(window, node.child.pid!, calls, warmupSeconds, seconds);
  } finally {
    stop();
    for (const p of peers) await p.close().catch(() => undefined);
    for (const a of agents) await a.disconnect().catch(() => undefined);
    await node.close();
    rmSync(node.dataDir, { recursive: true, force: true });
  }
}

const BARE_RELAY = `
const dgram = require('node:dgram');
const socket = dgram.createSocket('udp4');
const peerOf = new Map();
socket.on('message', (msg, from) => {
  const key = from.port;
  if (msg.length === 2) { peerOf.set(key, msg.readUInt16BE(0)); return; }
  const to = peerOf.get(key);
  if (to) socket.send(msg, to, '127.0.0.1');
});
socket.bind(0, '127.0.0.1', () => console.log('port ' + socket.address().port));
`;

/** The same packets through a bare UDP relay: each pair's sockets told of each other, in the clear. */
async function bareCalls(calls: number, warmupSeconds: number, seconds: number): Promise<CallsResult> {
  const relay: ChildProcess = spawn(process.execPath, ['-e', BARE_RELAY], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(relay.stdout!, 'data')) as [Buffer];
  const relayPort = Number(/port (\d+)/.exec(String(line))![1]);
  const frames = toneFrames();
  const window = new Window(frames);
  const sockets: Socket[] = [];
  let stop = () => {};
  try {
    const pairs: { a: Socket; b: Socket; stream: number; seq: number; ts: number }[] = [];
    for (let i = 0; i < calls; i++) {
      const [a, b] = [createSocket('udp4'), createSocket('udp4')];
      await Promise.all([a, b].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
      sockets.push(a, b);
      const stream = 2 * i;
      // Each socket tells the relay its peer's port; then what it sends goes to the peer.
      for (const [from, to] of [
        [a, b],
        [b, a],
      ]) {
        const hello = Buffer.alloc(2);
        hello.writeUInt16BE(to.address().port);
        from.send(hello, relayPort, '127.0.0.1');
      }
      b.on('message', (msg) => window.receivedPacket(stream, RtpPacket.deSerialize(msg).payload));
      a.on('message', () => window.receivedUntimed());
      pairs.push({ a, b, stream, seq: 0, ts: Math.floor(Math.random() * 2 ** 31) });
    }
    await new Promise((r) => setTimeout(r, 200));
    let frame = 0;
    stop = pace(() => {
      const index = frame++ % frames.length;
      for (const p of pairs) {
        p.seq = (p.seq + 1) & 0xffff;
        p.ts = (p.ts + FRAME_SAMPLES) >>> 0;
        const header = new RtpHeader({ payloadType: 111, sequenceNumber: p.seq, timestamp: p.ts, ssrc: 1 });
        const rtp = new RtpPacket(header, frames[index]).serialize();
        window.sentPacket(p.stream, index);
        p.a.send(rtp, relayPort, '127.0.0.1');
        if (window.open) window.sent++;
        p.b.send(rtp, relayPort, '127.0.0.1');
      }
    });
    return await measure(window, relay.pid!, calls, warmupSeconds, seconds);
  } finally {
    stop();
    for (const s of sockets) s.close();
    relay.kill();
  }
}

export async function benchCalls(o: {
  calls: number;
  rounds: number;
  warmupSeconds: number;
  seconds: number;
  log: (line: string) => void;
}): Promise<CallsRound[]> {
  const rounds: CallsRound[] = [];
  for (let i = 0; i < o.rounds; i++) {
    o.log(`Concurrent calls round ${i + 1}/${o.rounds}: setting up ${o.calls} calls…`);
    const localconnect = await localconnectCalls(o.calls, o.warmupSeconds, o.seconds);
    const bare = await bareCalls(o.calls, o.warmupSeconds, o.seconds);
    rounds.push({ localconnect, bare });
  }
  return rounds;
}
