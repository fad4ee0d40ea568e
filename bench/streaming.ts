/**
 * Chat streaming under load: one node (its own process, SQLite in a temp dir) publishing to the
 * bench's SNS peer (sns-peer.ts, a process of its own), its chats set up as in the message
 * latency benchmark (a customer socket, a CUSTOM_BOT sending one message a second). Each round
 * has three phases, the same chats sending the same load in each:
 *
 * - plain: no chat streams (the baseline);
 * - healthy: every chat streams to one of a few topics (StartContactStreaming), and one chat in
 *   ten to a second topic of its own too, as Amazon Connect allows two;
 * - dead: the same, with the peer failing every Publish to the second topics (500), so the
 *   node's delivery worker retries them with backoff while it goes on with the others.
 *
 * The lag of a message is from the moment the bench received the SendMessage answer (the item
 * committed) to the moment the peer received its Publish, both read from this machine's clock
 * (performance.timeOrigin + performance.now()). Between rounds the streams are stopped, the
 * second topics come back and what the node kept for them is delivered before the next round.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { StartContactStreamingCommand, StopContactStreamingCommand } from '@aws-sdk/client-connect';
import { spawnNode, tempDir, type ChildNode } from '../test/support/node.ts';
import {
  ChatStarter,
  closeAll,
  cpuIdle,
  measureLatency,
  openCustomer,
  pool,
  quiet,
  sink,
  startChat,
  type LatencyResult,
  type LoadTarget,
} from './chat.ts';
import { startSnsPeer, type PublishRecord, type SnsPeer } from './sns-peer.ts';

const ACCOUNT_ID = '123456789012';
const METRICS_TOKEN = 'bench-metrics-token';

export interface Spread {
  count: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

export interface StreamingPhase {
  /** The message latency benchmark's measure: SendMessage sent → item on the customer's socket. */
  socket: LatencyResult;
  /** SendMessage response time, all chats. */
  send: Spread;
  /** SendMessage response time of the chats streaming to no second topic ("the others"). */
  othersSend: Spread;
  /** SendMessage answered → Publish received, every message to a topic that is up. */
  lag?: Spread;
  /** The same, the others' messages only. */
  othersLag?: Spread;
  /** Publishes expected at topics that are up but not received within 10 s of the phase's end. */
  unpublished: number;
}

export interface StreamingRound {
  plain: StreamingPhase;
  healthy: StreamingPhase;
  dead: StreamingPhase;
  /** How long the node took to deliver the second topics' backlog once they were back, ms. */
  drainMs: number;
}

export interface StreamingOptions {
  chats: number;
  /** Topics the chats' first streams are spread over. */
  topics: number;
  /** One chat in `secondEvery` also streams to a second topic of its own (the one that dies). */
  secondEvery: number;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  log?: (line: string) => void;
}

function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { count: s.length, p50ms: q(0.5), p99ms: q(0.99), maxMs: s[s.length - 1] ?? NaN };
}

/** A chat of the benchmark: where it streams in the streaming phases, its streams while they run. */
interface StreamedChat {
  contactId: string;
  first: string;
  second?: string;
  streamingIds: string[];
}

class Streams {
  readonly #node: ChildNode;
  readonly #starter: ChatStarter;
  readonly chats: StreamedChat[] = [];

  constructor(node: ChildNode, starter: ChatStarter) {
    this.#node = node;
    this.#starter = starter;
  }

  async start(): Promise<void> {
    await pool(this.chats.length, 16, async (i) => {
      const chat = this.chats[i];
      for (const arn of [chat.first, chat.second].filter((a) => a !== undefined)) {
        const out = await this.#starter.connect.send(
          new StartContactStreamingCommand({
            InstanceId: this.#node.instanceId,
            ContactId: chat.contactId,
            ChatStreamingConfiguration: { StreamingEndpointArn: arn },
          }),
        );
        chat.streamingIds.push(out.StreamingId!);
      }
    });
  }

  async stop(): Promise<void> {
    await pool(this.chats.length, 16, async (i) => {
      const chat = this.chats[i];
      for (const streamingId of chat.streamingIds.splice(0)) {
        await this.#starter.connect.send(
          new StopContactStreamingCommand({
            InstanceId: this.#node.instanceId,
            ContactId: chat.contactId,
            StreamingId: streamingId,
          }),
        );
      }
    });
  }
}

/** A message SendMessage committed: by which chat, when its answer arrived (epoch ms). */
interface Answered {
  sender: number;
  answeredAt: number;
}

/** Waits until the peer has received every id in `expected` (or `maxMs` passed); their receive times. */
async function collect(
  peer: SnsPeer,
  expected: Set<string>,
  maxMs: number,
): Promise<Map<string, PublishRecord>> {
  const got = new Map<string, PublishRecord>();
  const deadline = performance.now() + maxMs;
  for (;;) {
    for (const r of await peer.takeRecords()) {
      const key = `${r[1]} ${r[0]}`;
      if (expected.has(key) && !got.has(key)) got.set(key, r);
    }
    if (got.size >= expected.size || performance.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function phase(
  lc: LoadTarget,
  peer: SnsPeer,
  chats: StreamedChat[],
  streaming: boolean,
  dead: Set<string>,
  seconds: number,
): Promise<StreamingPhase> {
  await peer.takeRecords(); // what earlier phases left
  const answered = new Map<string, Answered>();
  const send: number[] = [];
  const othersSend: number[] = [];
  const socket = await measureLatency(lc, seconds, (sender, sentAt, answeredAt, body) => {
    send.push(answeredAt - sentAt);
    if (chats[sender].second === undefined) othersSend.push(answeredAt - sentAt);
    const { Id } = JSON.parse(body) as { Id: string };
    answered.set(Id, { sender, answeredAt: performance.timeOrigin + answeredAt });
  });
  const result: StreamingPhase = {
    socket,
    send: spread(send),
    othersSend: spread(othersSend),
    unpublished: 0,
  };
  if (!streaming) return result;
  // Every message, once to each topic of its chat that is up.
  const expected = new Set<string>();
  for (const [id, { sender }] of answered) {
    for (const arn of [chats[sender].first, chats[sender].second]) {
      if (arn !== undefined && !dead.has(arn)) expected.add(`${arn} ${id}`);
    }
  }
  const got = await collect(peer, expected, 10_000);
  const lag: number[] = [];
  const othersLag: number[] = [];
  for (const [itemId, , receivedAt] of got.values()) {
    const a = answered.get(itemId)!;
    lag.push(receivedAt - a.answeredAt);
    if (chats[a.sender].second === undefined) othersLag.push(receivedAt - a.answeredAt);
  }
  return {
    ...result,
    lag: spread(lag),
    othersLag: spread(othersLag),
    unpublished: expected.size - got.size,
  };
}

/**
 * Sets the chats up once, warms the node up (plain, then streaming), then runs the rounds:
 * plain, healthy, dead; then stops the streams and lets the second topics' backlog drain.
 */
export async function benchStreaming(o: StreamingOptions): Promise<StreamingRound[]> {
  const log = o.log ?? (() => {});
  const work = tempDir('localconnect-bench-');
  const peer = await startSnsPeer();
  const node = await spawnNode(
    [
      '--log-level',
      'warn',
      '--sns-endpoint',
      peer.url,
      '--account-id',
      ACCOUNT_ID,
      '--metrics-token',
      METRICS_TOKEN,
    ],
    {
      dataDir: join(work, 'data'),
      // The node's SNS client signs with these; the peer does not check signatures.
      env: { AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench' },
    },
  );
  const sockets: WebSocket[] = [];
  const starter = new ChatStarter(node);
  const topic = (name: string) => `arn:aws:sns:${node.region}:${ACCOUNT_ID}:${name}`;
  try {
    const lc: LoadTarget = { pid: node.child.pid!, baseUrl: node.url, senders: [], sink: sink() };
    const streams = new Streams(node, starter);
    const t0 = performance.now();
    await pool(o.chats, 32, async (i) => {
      const chat = await startChat(starter, i, true);
      sockets.push(await openCustomer(chat.websocketUrl, lc.sink));
      lc.senders[i] = chat.senderToken!;
      streams.chats[i] = {
        contactId: chat.contactId,
        first: topic(`bench-chats-${i % o.topics}`),
        second: i % o.secondEvery === 0 ? topic(`bench-second-${i}`) : undefined,
        streamingIds: [],
      };
    });
    await quiet(lc.sink);
    log(`  ${o.chats} chats with a customer socket and a bot set up in ${fmtS(performance.now() - t0)}`);
    const seconds = streams.chats.flatMap((c) => (c.second === undefined ? [] : [c.second]));
    const none = new Set<string>();
    await measureLatency(lc, o.warmupSeconds);
    await streams.start();
    await measureLatency(lc, o.warmupSeconds);
    await streams.stop();
    await cpuIdle(node.child.pid!);
    const rounds: StreamingRound[] = [];
    for (let r = 0; r < o.rounds; r++) {
      log(`Chat streaming round ${r + 1}/${o.rounds}…`);
      const plain = await phase(lc, peer, streams.chats, false, none, o.seconds);
      await streams.start();
      const healthy = await phase(lc, peer, streams.chats, true, none, o.seconds);
      const dead = new Set(seconds);
      await peer.setDead(seconds);
      const deadPhase = await phase(lc, peer, streams.chats, true, dead, o.seconds);
      // What the node holds for the second topics is still theirs once their streams stop.
      await streams.stop();
      await peer.setDead([]);
      const drainStart = performance.now();
      await drain(node, 120_000);
      const drainMs = performance.now() - drainStart;
      await cpuIdle(node.child.pid!);
      rounds.push({ plain, healthy, dead: deadPhase, drainMs });
    }
    return rounds;
  } finally {
    starter.close();
    await closeAll(sockets);
    await node.close();
    await peer.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Waits until the node's outbox backlog (its /metrics) is empty, or `maxMs` passed. */
async function drain(node: ChildNode, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const res = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
    const text = await res.text();
    const backlog = text
      .split('\n')
      .filter((l) => l.startsWith('localconnect_outbox_backlog'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    if (backlog === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
