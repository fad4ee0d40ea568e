/**
 * Chats against a real node (its own process, SQLite in a temp dir), each next to a bare
 * `ws` + `node:http` server doing the same work without storage, measured in the same run:
 *
 * - message latency: many concurrent chats, each with its customer subscribed on a websocket
 *   and a CUSTOM_BOT (CreateParticipant) sending one SendMessage a second; the latency is from
 *   the moment the request is sent to the moment the item arrives on the customer's socket;
 * - memory per idle chat: the server's RSS (after a full GC) before and after N more chats
 *   are started and their customers connected, subscribed and idle.
 *
 * The load comes from this process: 1,000 requests and 1,000 pushes a second are light work
 * for one core, and the two cores are shared the same way by localconnect and the baseline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ConnectClient, CreateParticipantCommand, StartChatContactCommand } from '@aws-sdk/client-connect';
import { spawnNode, tempDir, type ChildNode } from '../test/support/node.ts';
import { machineCpu, processCpuMs } from './machine.ts';
import { startSignInFlood, type SignInFloodCounts, type SignInFloodOptions } from './sign-in-flood.ts';

// ------------------------------------------------------------------ the baseline server

const WS_MODULE = createRequire(import.meta.url).resolve('ws');

/**
 * The request → push path and nothing else: a socket is registered under the token in its URL,
 * and a POST /participant/message with that token as X-Amz-Bearer builds the chat item,
 * pushes it to the chat's sockets as an aws/chat frame and answers {Id, AbsoluteTime}.
 */
const BARE_SERVER = `
const http = require('node:http');
const { WebSocketServer } = require(${JSON.stringify(WS_MODULE)});
const chats = new Map();
const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const token = String(req.headers['x-amz-bearer'] ?? '');
    const input = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const item = {
      Id: crypto.randomUUID(), AbsoluteTime: new Date().toISOString(), Type: 'MESSAGE',
      ContentType: input.ContentType, Content: input.Content, ParticipantId: token,
      DisplayName: 'Bench bot', ParticipantRole: 'CUSTOM_BOT', ContactId: token, InitialContactId: token,
    };
    const frame = JSON.stringify({ topic: 'aws/chat', contentType: 'application/json', content: JSON.stringify(item) });
    for (const ws of chats.get(token) ?? []) ws.send(frame);
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID() });
    res.end(JSON.stringify({ Id: item.Id, AbsoluteTime: item.AbsoluteTime }));
  });
});
server.on('upgrade', (req, socket, head) => {
  const token = new URL(req.url, 'http://localhost').searchParams.get('token') ?? '';
  wss.handleUpgrade(req, socket, head, (ws) => {
    let sockets = chats.get(token);
    if (!sockets) chats.set(token, (sockets = new Set()));
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.topic === 'aws/subscribe')
        ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { status: 'success', topics: frame.content.topics } }));
    });
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

interface BareServer {
  url: string;
  child: ChildProcess;
  stderr(): string;
  close(): Promise<void>;
}

async function startBare(execArgv: string[] = []): Promise<BareServer> {
  const child = spawn(process.execPath, [...execArgv, '-e', BARE_SERVER], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const [data] = await once(child.stdout!, 'data');
  const exited = once(child, 'exit');
  return {
    url: `http://127.0.0.1:${/port (\d+)/.exec(String(data))![1]}`,
    child,
    stderr: () => err,
    close: async () => {
      child.kill();
      await exited;
    },
  };
}

// ------------------------------------------------------------------ clients

/** Where a customer socket's chat items go: the measurement under way, if any. */
export interface Sink {
  onItem(item: { Content?: string }): void;
  lastFrameAt: number;
}

export const sink = (): Sink => ({ onItem: () => {}, lastFrameAt: performance.now() });

/** Opens a customer socket, subscribes as chatjs does, and routes its chat items to `to`. */
export async function openCustomer(url: string, to: Sink): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await once(ws, 'open');
  const subscribed = new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      to.lastFrameAt = performance.now();
      const frame = JSON.parse(String(data)) as { topic: string; content: any };
      if (frame.topic === 'aws/chat') to.onItem(JSON.parse(frame.content as string));
      else if (frame.topic === 'aws/subscribe') {
        if (frame.content?.status === 'success') resolve();
        else reject(new Error(`subscribe failed: ${JSON.stringify(frame)}`));
      }
    });
  });
  ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
  await subscribed;
  return ws;
}

export async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((ws) => {
      if (ws.readyState === ws.CLOSED) return undefined;
      const closed = once(ws, 'close');
      ws.terminate();
      return closed;
    }),
  );
}

/** A Participant Service call: plain HTTP, the bearer token is the only credential. */
function participantCall(
  agent: Agent,
  baseUrl: string,
  path: string,
  bearer: string,
  body: unknown,
): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'x-amz-bearer': bearer,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function participantJson(
  agent: Agent,
  baseUrl: string,
  path: string,
  bearer: string,
  body: unknown,
): Promise<any> {
  const res = await participantCall(agent, baseUrl, path, bearer, body);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body}`);
  return JSON.parse(res.body);
}

/** Runs `fn` over 0..n-1, `concurrency` at a time. */
export async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** Resolves once no frame has reached the sink for `quietMs` (the flows' greetings are done). */
export async function quiet(to: Sink, quietMs = 1000, maxMs = 30_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (performance.now() - to.lastFrameAt < quietMs && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ChatEnds {
  contactId: string;
  /** The customer's websocket URL. */
  websocketUrl: string;
  /** The ConnectionToken the messages are sent with. */
  senderToken?: string;
}

/** The clients that set chats up on a node: one of each, so their connections are reused. */
export class ChatStarter {
  readonly node: ChildNode;
  readonly connect: ConnectClient;
  readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  constructor(node: ChildNode) {
    this.node = node;
    this.connect = node.connect();
  }
  close(): void {
    this.connect.destroy();
    this.agent.destroy();
  }
}

/**
 * Starts a chat on the node (its Default inbound flow greets and queues it) and asks for the
 * customer's websocket URL; with `bot`, adds a CUSTOM_BOT and connects it.
 */
export async function startChat(
  { node, connect, agent }: ChatStarter,
  i: number,
  bot: boolean,
): Promise<ChatEnds> {
  const chat = await connect.send(
    new StartChatContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: `Customer ${i}` },
    }),
  );
  const customer = await participantJson(agent, node.url, '/participant/connection', chat.ParticipantToken!, {
    Type: ['WEBSOCKET'],
  });
  if (!bot) return { contactId: chat.ContactId!, websocketUrl: customer.Websocket.Url };
  const added = await connect.send(
    new CreateParticipantCommand({
      InstanceId: node.instanceId,
      ContactId: chat.ContactId,
      ParticipantDetails: { ParticipantRole: 'CUSTOM_BOT', DisplayName: 'Bench bot' },
    }),
  );
  const botConnection = await participantJson(
    agent,
    node.url,
    '/participant/connection',
    added.ParticipantCredentials!.ParticipantToken!,
    { Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true },
  );
  return {
    contactId: chat.ContactId!,
    websocketUrl: customer.Websocket.Url,
    senderToken: botConnection.ConnectionCredentials.ConnectionToken,
  };
}

const bareSocketUrl = (bare: BareServer, i: number) =>
  `${bare.url.replace('http:', 'ws:')}/chat/websocket?token=chat-${i}`;

// ------------------------------------------------------------------ message latency

export interface LatencyResult {
  seconds: number;
  sent: number;
  delivered: number;
  /** Sent, but never seen on the customer's socket. */
  lost: number;
  /** SendMessage answered with something else than 200, or failed. */
  errors: number;
  /** Items delivered per second. */
  throughput: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxMs: number;
  /** CPU time of the server process (all its threads) per message sent, µs. */
  serverCpuUs: number;
  /** CPU time of the bench process (the load and the sockets) per message sent, µs. */
  clientCpuUs: number;
  /** CPU the rest of the machine used meanwhile, % of one core: noise from other processes. */
  otherCpuPct: number;
}

export interface ChatLatencyRound {
  localconnect: LatencyResult;
  bare: LatencyResult;
}

export interface LoadTarget {
  pid: number;
  baseUrl: string;
  senders: string[];
  sink: Sink;
}

let run = 0;

/** Told of each SendMessage answered with 200: by which sender, when sent and answered (performance.now()), its body. */
export type OnAnswered = (sender: number, sentAt: number, answeredAt: number, body: string) => void;

/**
 * Every chat sends one message a second, spread evenly (open loop: a message is sent when it is
 * due, whether or not earlier ones have arrived); each is matched on the customer's socket by
 * its unique content.
 */
export async function measureLatency(
  target: LoadTarget,
  seconds: number,
  onAnswered?: OnAnswered,
): Promise<LatencyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const prefix = `bench ${++run}:`;
  const pending = new Map<string, number>();
  const samples: number[] = [];
  let errors = 0;
  target.sink.onItem = (item) => {
    const t0 = item.Content === undefined ? undefined : pending.get(item.Content);
    if (t0 === undefined) return; // a flow's message, or another run's
    samples.push(performance.now() - t0);
    pending.delete(item.Content!);
  };
  const n = target.senders.length;
  const total = n * seconds;
  const cpuBefore = processCpuMs(target.pid);
  const clientBefore = process.cpuUsage();
  const machineBefore = machineCpu().busyMs;
  const start = performance.now();
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * n) / 1000) + 1);
      for (; k < due; k++) {
        const content = `${prefix}${k}`;
        const sender = k % n;
        const sentAt = performance.now();
        pending.set(content, sentAt);
        participantCall(agent, target.baseUrl, '/participant/message', target.senders[sender], {
          ContentType: 'text/plain',
          Content: content,
        }).then(
          (res) => {
            if (res.status !== 200) errors++;
            else onAnswered?.(sender, sentAt, performance.now(), res.body);
          },
          () => errors++,
        );
      }
      if (k < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // Stragglers.
  const deadline = performance.now() + 5000;
  while (pending.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const cpu = processCpuMs(target.pid) - cpuBefore;
  const { user, system } = process.cpuUsage(clientBefore);
  const client = (user + system) / 1000;
  const other = machineCpu().busyMs - machineBefore - cpu - client;
  const wallMs = performance.now() - start;
  target.sink.onItem = () => {};
  agent.destroy();
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? NaN;
  return {
    seconds,
    sent: total,
    delivered: samples.length,
    lost: pending.size,
    errors,
    throughput: samples.length / seconds,
    p50ms: q(0.5),
    p90ms: q(0.9),
    p99ms: q(0.99),
    maxMs: samples[samples.length - 1] ?? NaN,
    serverCpuUs: (cpu * 1000) / total,
    clientCpuUs: (client * 1000) / total,
    otherCpuPct: Math.max(0, (100 * other) / wallMs),
  };
}

export interface ChatLatencyOptions {
  chats: number;
  rounds: number;
  /** Length of a measured round on localconnect. */
  seconds: number;
  /** Length of a measured round on the baseline. */
  baselineSeconds: number;
  /** Unmeasured load on each server before the first round (JIT, caches, pools). */
  warmupSeconds: number;
  log?: (line: string) => void;
}

/**
 * Sets the chats up on both servers once (before any clock starts), warms both up, then
 * alternates measured rounds: localconnect, baseline, localconnect, baseline…
 */
export async function benchChatLatency(o: ChatLatencyOptions): Promise<ChatLatencyRound[]> {
  const log = o.log ?? (() => {});
  const work = tempDir('localconnect-bench-');
  const node = await spawnNode(['--log-level', 'warn'], { dataDir: join(work, 'data') });
  const bare = await startBare();
  const sockets: WebSocket[] = [];
  const starter = new ChatStarter(node);
  try {
    const lc: LoadTarget = { pid: node.child.pid!, baseUrl: node.url, senders: [], sink: sink() };
    const t0 = performance.now();
    await pool(o.chats, 32, async (i) => {
      const chat = await startChat(starter, i, true);
      sockets.push(await openCustomer(chat.websocketUrl, lc.sink));
      lc.senders[i] = chat.senderToken!;
    });
    await quiet(lc.sink);
    log(`  ${o.chats} chats with a customer socket and a bot set up in ${fmtS(performance.now() - t0)}`);
    const base: LoadTarget = { pid: bare.child.pid!, baseUrl: bare.url, senders: [], sink: sink() };
    await pool(o.chats, 32, async (i) => {
      sockets.push(await openCustomer(bareSocketUrl(bare, i), base.sink));
      base.senders[i] = `chat-${i}`;
    });
    await measureLatency(lc, o.warmupSeconds);
    await measureLatency(base, o.warmupSeconds);
    const rounds: ChatLatencyRound[] = [];
    for (let r = 0; r < o.rounds; r++) {
      log(`Chat message latency round ${r + 1}/${o.rounds}…`);
      const localconnect = await measureLatency(lc, o.seconds);
      const baseline = await measureLatency(base, o.baselineSeconds);
      rounds.push({ localconnect, bare: baseline });
    }
    return rounds;
  } finally {
    starter.close();
    await closeAll(sockets);
    await bare.close();
    await node.close();
    rmSync(work, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ message latency under a sign-in flood

export interface SignInFloodRound {
  quiet: LatencyResult;
  flood: LatencyResult;
  signIns: SignInFloodCounts;
}

export interface SignInFloodBenchOptions {
  chats: number;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  flood: SignInFloodOptions;
  log?: (line: string) => void;
}

/**
 * One node, its chats sending as in the latency benchmark; rounds alternate between no other
 * load (the baseline) and a sign-in flood running for the whole round.
 */
export async function benchChatLatencyUnderSignInFlood(
  o: SignInFloodBenchOptions,
): Promise<SignInFloodRound[]> {
  const log = o.log ?? (() => {});
  const work = tempDir('localconnect-bench-');
  const node = await spawnNode(['--log-level', 'warn'], { dataDir: join(work, 'data') });
  const sockets: WebSocket[] = [];
  const starter = new ChatStarter(node);
  try {
    const lc: LoadTarget = { pid: node.child.pid!, baseUrl: node.url, senders: [], sink: sink() };
    await pool(o.chats, 32, async (i) => {
      const chat = await startChat(starter, i, true);
      sockets.push(await openCustomer(chat.websocketUrl, lc.sink));
      lc.senders[i] = chat.senderToken!;
    });
    await quiet(lc.sink);
    // Warm-up, unmeasured: the messages, and a flood (the sign-in path's first run compiles it).
    const warmFlood = await startSignInFlood(node.url, o.flood);
    await measureLatency(lc, o.warmupSeconds);
    await warmFlood.stop();
    await cpuIdle(node.child.pid!);
    await measureLatency(lc, o.warmupSeconds);
    const rounds: SignInFloodRound[] = [];
    for (let r = 0; r < o.rounds; r++) {
      log(`SendMessage under a sign-in flood, round ${r + 1}/${o.rounds}…`);
      const quietRound = await measureLatency(lc, o.seconds);
      const flood = await startSignInFlood(node.url, o.flood);
      const flooded = await measureLatency(lc, o.seconds);
      const signIns = await flood.stop();
      rounds.push({ quiet: quietRound, flood: flooded, signIns });
      // The hashing the flood left queued is done before the next quiet round.
      await cpuIdle(node.child.pid!);
    }
    return rounds;
  } finally {
    starter.close();
    await closeAll(sockets);
    await node.close();
    rmSync(work, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ memory per idle chat

/** A Chrome DevTools Protocol session on a process started with --inspect=127.0.0.1:0. */
class Inspector {
  readonly #ws: WebSocket;
  #id = 0;
  readonly #calls = new Map<number, { resolve: (result: any) => void; reject: (err: Error) => void }>();
  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (msg.id === undefined) return;
      const call = this.#calls.get(msg.id);
      this.#calls.delete(msg.id);
      if (msg.error) call?.reject(new Error(JSON.stringify(msg.error)));
      else call?.resolve(msg.result);
    });
  }
  static async attach(stderr: () => string): Promise<Inspector> {
    const deadline = Date.now() + 10_000;
    let url: string | undefined;
    while (!(url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr())?.[1])) {
      if (Date.now() > deadline) throw new Error(`no inspector URL in:\n${stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await once(ws, 'open');
    return new Inspector(ws);
  }
  call(method: string, params: object = {}): Promise<any> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }
  close(): void {
    this.#ws.terminate();
  }
}

interface MemorySample {
  rssKb: number;
  /** The anonymous and the file-backed (SQLite's mmap, code) parts of the RSS. */
  rssAnonKb: number;
  rssFileKb: number;
  heapUsedKb: number;
}

/** Resolves once the process has used under 5% of a core for half a second (its work is done). */
export async function cpuIdle(pid: number, maxMs = 30_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const before = processCpuMs(pid);
    await new Promise((r) => setTimeout(r, 500));
    if (processCpuMs(pid) - before < 25 || performance.now() > deadline) return;
  }
}

/** Once the process is idle, after two full GCs: VmRSS from /proc and the V8 heap in use. */
async function sampleMemory(pid: number, inspector: Inspector): Promise<MemorySample> {
  await cpuIdle(pid);
  await inspector.call('HeapProfiler.collectGarbage');
  await inspector.call('HeapProfiler.collectGarbage');
  await new Promise((r) => setTimeout(r, 200));
  const evaluated = await inspector.call('Runtime.evaluate', {
    expression: 'process.memoryUsage().heapUsed',
    returnByValue: true,
  });
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);
  return {
    rssKb: kb('VmRSS'),
    rssAnonKb: kb('RssAnon'),
    rssFileKb: kb('RssFile'),
    heapUsedKb: evaluated.result.value / 1024,
  };
}

export interface MemoryResult {
  chats: number;
  before: MemorySample;
  /** localconnect only: the chats started and their websocket URLs issued, no socket yet. */
  started?: MemorySample;
  after: MemorySample;
  /** KB of RSS per idle connected chat: (after − before) / chats. */
  rssPerChatKb: number;
  /** KB of anonymous RSS (heap, malloc, SQLite's cache; no file-backed pages) per idle chat. */
  anonPerChatKb: number;
  /** KB of V8 heap in use per idle connected chat. */
  heapPerChatKb: number;
  /** localconnect only: KB of RSS per chat for the chat itself and for its socket. */
  rssPerStartedChatKb?: number;
  rssPerSocketKb?: number;
}

export interface ChatMemoryRound {
  localconnect: MemoryResult;
  bare: MemoryResult;
}

const INSPECT = '--inspect=127.0.0.1:0';

/**
 * `warm` chats are started and connected first (code loaded and compiled, pools and caches
 * sized), then the server is sampled; then `chats` more, sampled again once idle.
 */
export async function benchChatMemory(chats: number, warm: number): Promise<ChatMemoryRound> {
  const perChat = (a: number, b: number) => (b - a) / chats;

  const work = tempDir('localconnect-bench-');
  const node = await spawnNode(['--log-level', 'warn'], {
    dataDir: join(work, 'data'),
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${INSPECT}`.trim() },
  });
  const sockets: WebSocket[] = [];
  // Its connections stay open (kept alive) from the first sample to the last.
  const starter = new ChatStarter(node);
  let localconnect: MemoryResult;
  try {
    const inspector = await Inspector.attach(() => node.stderr());
    const to = sink();
    await pool(warm, 32, async (i) => {
      sockets.push(await openCustomer((await startChat(starter, i, false)).websocketUrl, to));
    });
    await quiet(to);
    const before = await sampleMemory(node.child.pid!, inspector);
    const started = await pool(chats, 32, (i) => startChat(starter, warm + i, false));
    const middle = await sampleMemory(node.child.pid!, inspector);
    await pool(chats, 32, async (i) => {
      sockets.push(await openCustomer(started[i].websocketUrl, to));
    });
    await quiet(to);
    const after = await sampleMemory(node.child.pid!, inspector);
    inspector.close();
    localconnect = {
      chats,
      before,
      started: middle,
      after,
      rssPerChatKb: perChat(before.rssKb, after.rssKb),
      anonPerChatKb: perChat(before.rssAnonKb, after.rssAnonKb),
      heapPerChatKb: perChat(before.heapUsedKb, after.heapUsedKb),
      rssPerStartedChatKb: perChat(before.rssKb, middle.rssKb),
      rssPerSocketKb: perChat(middle.rssKb, after.rssKb),
    };
  } finally {
    starter.close();
    await closeAll(sockets.splice(0));
    await node.close();
    rmSync(work, { recursive: true, force: true });
  }

  const bare = await startBare([INSPECT]);
  let baseline: MemoryResult;
  try {
    const inspector = await Inspector.attach(() => bare.stderr());
    const to = sink();
    await pool(warm, 32, async (i) => {
      sockets.push(await openCustomer(bareSocketUrl(bare, i), to));
    });
    await quiet(to, 300);
    const before = await sampleMemory(bare.child.pid!, inspector);
    await pool(chats, 32, async (i) => {
      sockets.push(await openCustomer(bareSocketUrl(bare, warm + i), to));
    });
    await quiet(to, 300);
    const after = await sampleMemory(bare.child.pid!, inspector);
    inspector.close();
    baseline = {
      chats,
      before,
      after,
      rssPerChatKb: perChat(before.rssKb, after.rssKb),
      anonPerChatKb: perChat(before.rssAnonKb, after.rssAnonKb),
      heapPerChatKb: perChat(before.heapUsedKb, after.heapUsedKb),
    };
  } finally {
    await closeAll(sockets.splice(0));
    await bare.close();
  }
  return { localconnect, bare: baseline };
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
