/**
 * Every frame `ws` rejects, written as raw bytes to each websocket endpoint of a node running
 * as a child process: after each one the node has not exited, a fresh socket opens and an API
 * call answers. Then seeded random frames and bytes, batch by batch, with the same check after
 * each batch; a failure names the seed, and LOCALCONNECT_FUZZ_SEED replays it.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  DescribeInstanceCommand,
  StartChatContactCommand,
  StartWebRTCContactCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
} from '@aws-sdk/client-connectparticipant';
import { spawnNode, type ChildNode } from '../support/node.ts';
import { AgentClient, adminPassword } from '../support/agent.ts';

let node: ChildNode;
let agent: AgentClient;

before(async () => {
  node = await spawnNode(['--log-level', 'error']);
  agent = new AgentClient(node.url);
  await agent.signIn('admin', adminPassword(node.dataDir));
});
after(() => node.close());

/** A fresh chat websocket URL from CreateParticipantConnection. */
async function chatUrl(): Promise<string> {
  const chat = await node.connect().send(
    new StartChatContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
    }),
  );
  const participant = new ConnectParticipantClient({
    endpoint: node.url,
    region: node.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const conn = await participant.send(
    new CreateParticipantConnectionCommand({ ParticipantToken: chat.ParticipantToken!, Type: ['WEBSOCKET'] }),
  );
  return conn.Websocket!.Url!;
}

interface Endpoint {
  name: string;
  /** Path and query, and headers, of an authenticated upgrade (a subprotocol among them). */
  target(): Promise<{ path: string; headers: Record<string, string> }>;
}

/** A new web call's signaling URL (with the query the Chime SDK adds) and its JoinToken. */
async function signalingTarget(): Promise<{ path: string; headers: Record<string, string> }> {
  const call = await node.connect().send(
    new StartWebRTCContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
    }),
  );
  const url = new URL(call.ConnectionData!.Meeting!.MediaPlacement!.SignalingUrl!);
  return {
    path: `${url.pathname}?X-Chime-Control-Protocol-Version=3&X-Amzn-Chime-Send-Close-On-Error=1`,
    headers: { 'sec-websocket-protocol': `_aws_wt_session, ${call.ConnectionData!.Attendee!.JoinToken}` },
  };
}

const endpoints: Endpoint[] = [
  {
    name: 'chat',
    target: async () => {
      const url = new URL(await chatUrl());
      return { path: url.pathname + url.search, headers: {} };
    },
  },
  {
    name: 'agent events',
    target: async () => ({
      path: '/agent/api/events',
      headers: { cookie: agent.cookie, origin: node.url },
    }),
  },
  { name: 'meeting signaling', target: signalingTarget },
];

/** A frame as the bytes on the wire; `key`: the mask (random unless given). */
function frame(o: {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** A length header claiming this many bytes, whatever follows. */
  claimed?: bigint;
  key?: Buffer;
}): Buffer {
  const payload = o.payload ?? Buffer.alloc(0);
  const mask = o.mask ?? true;
  const len = o.claimed ?? BigInt(payload.length);
  const head = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | o.opcode];
  const maskBit = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(maskBit | Number(len));
  else if (len < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  const key = mask ? (o.key ?? randomBytes(4)) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

const text = (s: string) => Buffer.from(s);
const closePayload = (code: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
};

/** Each kind of frame ws rejects, and a reset halfway through a frame. */
const malformed: { name: string; bytes: () => Buffer; reset?: boolean }[] = [
  {
    name: 'a text frame that is not UTF-8',
    bytes: () => frame({ opcode: 1, payload: Buffer.from([0xff, 0xfe, 0xc3]) }),
  },
  { name: 'an unmasked client frame', bytes: () => frame({ opcode: 1, payload: text('{}'), mask: false }) },
  { name: 'RSV1 set without an extension', bytes: () => frame({ opcode: 1, payload: text('{}'), rsv: 4 }) },
  { name: 'RSV2 set', bytes: () => frame({ opcode: 1, payload: text('{}'), rsv: 2 }) },
  { name: 'RSV3 set', bytes: () => frame({ opcode: 1, payload: text('{}'), rsv: 1 }) },
  { name: 'a frame over the size limit', bytes: () => frame({ opcode: 2, payload: Buffer.alloc(70_000) }) },
  { name: 'a length header claiming terabytes', bytes: () => frame({ opcode: 2, claimed: 1n << 42n }) },
  { name: 'a length header with the top bit set', bytes: () => frame({ opcode: 2, claimed: 1n << 63n }) },
  { name: 'a reserved data opcode', bytes: () => frame({ opcode: 3, payload: text('x') }) },
  { name: 'a reserved control opcode', bytes: () => frame({ opcode: 0xb, payload: text('x') }) },
  { name: 'a fragmented control frame', bytes: () => frame({ opcode: 9, payload: text('x'), fin: false }) },
  { name: 'a control frame over 125 bytes', bytes: () => frame({ opcode: 9, payload: Buffer.alloc(126) }) },
  { name: 'a continuation with no start', bytes: () => frame({ opcode: 0, payload: text('x') }) },
  {
    name: 'a new data frame inside a fragmented message',
    bytes: () =>
      Buffer.concat([
        frame({ opcode: 1, payload: text('{'), fin: false }),
        frame({ opcode: 1, payload: text('}') }),
      ]),
  },
  { name: 'an invalid close code', bytes: () => frame({ opcode: 8, payload: closePayload(1005) }) },
  { name: 'a close code out of range', bytes: () => frame({ opcode: 8, payload: closePayload(5000) }) },
  {
    name: 'a close frame with a 1-byte payload',
    bytes: () => frame({ opcode: 8, payload: Buffer.from([3]) }),
  },
  {
    name: 'a close reason that is not UTF-8',
    bytes: () => frame({ opcode: 8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) }),
  },
  {
    name: 'a reset halfway through a frame',
    bytes: () => frame({ opcode: 1, payload: Buffer.alloc(1000, 0x61) }).subarray(0, 500),
    reset: true,
  },
];

/** Opens a raw upgrade and resolves with the socket once the server has answered 101 (or not). */
function upgrade(path: string, headers: Record<string, string>): Promise<{ socket: Socket; status: number }> {
  const { port } = new URL(node.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    let answer = '';
    socket.once('connect', () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    const onData = (d: Buffer) => {
      answer += d.toString('latin1');
      if (!answer.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0) });
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before an answer: ${answer}`)));
  });
}

/** Resolves when the server has closed the socket (or after a while, then destroys it). */
function closedByServer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 2000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
}

/** The node is alive: it has not exited, a fresh socket of each kind opens, the API answers. */
async function assertServing(): Promise<void> {
  assert.equal(node.child.exitCode, null, `node exited:\n${node.stderr()}`);
  // The process guard keeps the node up through an error nothing handled; none is expected here.
  assert.doesNotMatch(node.stderr(), /reached the top of the process/);
  for (const e of endpoints) {
    const {
      path,
      headers: { 'sec-websocket-protocol': offered, ...headers },
    } = await e.target();
    const protocols = offered?.split(',').map((p) => p.trim()) ?? [];
    const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}${path}`, protocols, { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
  }
  const described = await node.connect().send(new DescribeInstanceCommand({ InstanceId: node.instanceId }));
  assert.equal(described.Instance?.Id, node.instanceId);
}

for (const e of endpoints) {
  describe(`malformed frames on the ${e.name} websocket`, () => {
    for (const m of malformed) {
      it(`${m.name}: the node still serves`, async () => {
        const { path, headers } = await e.target();
        const { socket, status } = await upgrade(path, headers);
        assert.equal(status, 101);
        socket.write(m.bytes());
        if (m.reset) socket.resetAndDestroy();
        await closedByServer(socket);
        await assertServing();
      });
    }

    it('frames sent before the upgrade is answered, and with a bad token, leave the node serving', async () => {
      const { path, headers } = await e.target();
      for (const bad of [path, path.replace(/token=[^&]+/, 'token=forged')]) {
        const { port } = new URL(node.url);
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('error', () => {});
        await new Promise((r) => socket.once('connect', r));
        const request = [
          `GET ${bad} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        ];
        // Every malformed frame at once, right behind the request, then a reset.
        socket.write(
          Buffer.concat([Buffer.from(`${request.join('\r\n')}\r\n\r\n`), ...malformed.map((m) => m.bytes())]),
        );
        socket.resetAndDestroy();
      }
      await new Promise((r) => setTimeout(r, 200));
      await assertServing();
    });
  });
}

// ---------------------------------------------------------------------------- fuzz

/** A small seeded PRNG (mulberry32): the same seed, the same bytes. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}
type Rng = ReturnType<typeof prng>;

/** Frames chatjs sends and near misses of them, as payloads. */
const chatjsLike = [
  '{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}',
  '{"topic":"aws/subscribe","content":{"topics":[]}}',
  '{"topic":"aws/subscribe","content":{"topics":"aws/chat"}}',
  '{"topic":"aws/unsubscribe"}',
  '{"topic":"aws/heartbeat"}',
  '{"topic":"aws/ping"}',
  '{"topic":"aws/nope","content":null}',
  '{"topic":42}',
  '{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}',
  '[]',
  'null',
  '{}',
];

/** A random payload: bytes, text, or a chatjs frame perhaps cut or bent. */
function payload(r: Rng): Buffer {
  const size = r.pick([0, 1, 2, r.int(16), r.int(126), 125 + r.int(3), r.int(2000), 65_535 + r.int(3)]);
  switch (r.int(4)) {
    case 0:
      return r.bytes(Math.min(size, 20_000));
    case 1:
      return Buffer.from('é☃😀abc{}"\\'.repeat(1 + r.int(40)).slice(0, size));
    default: {
      const json = Buffer.from(r.pick(chatjsLike));
      if (r.chance(0.2)) return json.subarray(0, r.int(json.length + 1));
      if (r.chance(0.2)) json[r.int(json.length)] = r.int(256);
      return json;
    }
  }
}

/** One random frame: header fields mostly plausible, sometimes not, and a length that may lie. */
function randomFrame(r: Rng): Buffer {
  const body = payload(r);
  const claimed = r.chance(0.1)
    ? r.pick([0n, BigInt(body.length + 1 + r.int(100)), BigInt(r.int(1 << 16)), 1n << BigInt(16 + r.int(48))])
    : undefined;
  const bytes = frame({
    opcode: r.chance(0.8) ? r.pick([0, 1, 1, 1, 2, 8, 9, 10]) : r.int(16),
    payload: body,
    fin: r.chance(0.85),
    rsv: r.chance(0.1) ? r.int(8) : 0,
    mask: r.chance(0.95),
    claimed,
    key: r.bytes(4),
  });
  // Now and then a frame cut short, or with a byte flipped.
  if (r.chance(0.05)) return bytes.subarray(0, r.int(bytes.length));
  if (r.chance(0.05)) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
  return bytes;
}

/** What one fuzz socket sends: a few frames, or pure random bytes, in one write or several. */
function fuzzCase(r: Rng): Buffer[] {
  if (r.chance(0.15)) return [r.bytes(1 + r.int(300))];
  return Array.from({ length: 1 + r.int(5) }, () => randomFrame(r));
}

const FUZZ_CASES = 200;
const FUZZ_BATCH = 20;
const fuzzSeed = Number(process.env.LOCALCONNECT_FUZZ_SEED ?? randomBytes(4).readUInt32BE());

/** Upgrades, writes the case's pieces (a reset now and then), and waits for the server to close. */
async function sendFuzz(e: Endpoint, pieces: Buffer[], reset: boolean): Promise<void> {
  const { path, headers } = await e.target();
  const { socket, status } = await upgrade(path, headers);
  assert.equal(status, 101);
  for (const piece of pieces) socket.write(piece);
  if (reset) socket.resetAndDestroy();
  else socket.end();
  await closedByServer(socket);
}

for (const e of endpoints) {
  describe(`random frames on the ${e.name} websocket`, () => {
    it(`${FUZZ_CASES} seeded random frame sequences and byte strings: the node still serves after each batch`, async (t) => {
      t.diagnostic(`seed ${fuzzSeed} (replay with LOCALCONNECT_FUZZ_SEED=${fuzzSeed})`);
      // The endpoint's own stream, so each endpoint's cases replay alone.
      const r = prng(fuzzSeed ^ (e.name === 'chat' ? 0 : 0x9e3779b9));
      for (let first = 0; first < FUZZ_CASES; first += FUZZ_BATCH) {
        const batch = Array.from({ length: FUZZ_BATCH }, () => ({
          pieces: fuzzCase(r),
          reset: r.chance(0.1),
        }));
        try {
          await Promise.all(batch.map((c) => sendFuzz(e, c.pieces, c.reset)));
          await assertServing();
        } catch (err) {
          const where = `cases ${first}–${first + FUZZ_BATCH - 1} of seed ${fuzzSeed}`;
          throw new Error(`${where} (replay with LOCALCONNECT_FUZZ_SEED=${fuzzSeed}): ${String(err)}`, {
            cause: err,
          });
        }
      }
    });
  });
}
