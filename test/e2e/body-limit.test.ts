/**
 * A body over the cap is answered 413 to a client that is still sending it: raw sockets that
 * write many times the cap (Content-Length and chunked, fast, slow and paused, several at once)
 * each read the whole AWS-shaped 413 rather than a reset, and so does the AWS SDK. A body far
 * past the bound is not read to its end.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DescribeInstanceCommand, StartChatContactCommand } from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';

const MIB = 1024 * 1024;
/** The node's cap, the default. */
const LIMIT = MIB;

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
after(() => node.close());

interface Upload {
  framing: 'length' | 'chunked';
  /** Request line target: the Connect API unless said. */
  target?: string;
  total: number;
  chunk: number;
  /** Milliseconds between chunks (0: as fast as the socket takes them). */
  gapMs?: number;
  /** A pause this long once, after this many bytes. */
  pause?: { after: number; ms: number };
}

interface Outcome {
  /** Everything the client read before the socket closed. */
  response: string;
  /** The first socket error, if any (EPIPE, ECONNRESET). */
  error?: string;
  /** Bytes of body handed to the socket. */
  sent: number;
}

/** Writes an oversized StartChatContact on a raw keep-alive socket and reads whatever comes back. */
function upload(u: Upload): Promise<Outcome> {
  const url = new URL(node.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let response = '';
    let error: string | undefined;
    let sent = 0;
    let paused = false;
    socket.setEncoding('latin1');
    let done = false;
    // Kept alive, the connection is the client's to close once it has sent all and read the answer.
    const hangUpWhenDone = () => {
      if (done && parseResponse(response)) socket.end();
    };
    socket.on('data', (d: string) => {
      response += d;
      hangUpWhenDone();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => resolve({ response, error, sent }));
    socket.write(
      `${u.target ?? 'PUT /contact/chat'} HTTP/1.1\r\n` +
        `Host: ${url.host}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n` +
        (u.framing === 'length'
          ? `Content-Length: ${u.total}\r\n\r\n`
          : 'Transfer-Encoding: chunked\r\n\r\n'),
    );
    const piece = Buffer.alloc(u.chunk, 'x');
    const pump = (): void => {
      if (socket.destroyed) return;
      if (sent >= u.total) {
        if (u.framing === 'chunked') socket.write('0\r\n\r\n');
        done = true;
        hangUpWhenDone();
        return;
      }
      if (u.pause && !paused && sent >= u.pause.after) {
        paused = true;
        setTimeout(pump, u.pause.ms);
        return;
      }
      const body = piece.subarray(0, Math.min(u.chunk, u.total - sent));
      sent += body.length;
      const more =
        u.framing === 'length'
          ? socket.write(body)
          : socket.write(
              Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]),
            );
      if (!more) socket.once('drain', () => (u.gapMs ? setTimeout(pump, u.gapMs) : pump()));
      else if (u.gapMs) setTimeout(pump, u.gapMs);
      else setImmediate(pump);
    };
    pump();
  });
}

/** The status, headers and body of the first response, if it arrived whole. */
function parseResponse(
  text: string,
): { status: number; headers: Map<string, string>; body: string } | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = new Map(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  const length = Number(headers.get('content-length'));
  const body = text.slice(end + 4, end + 4 + length);
  if (!Number.isInteger(length) || Buffer.byteLength(body, 'latin1') !== length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function assertWhole413(outcome: Outcome, what: string): void {
  const parsed = parseResponse(outcome.response);
  assert.ok(
    parsed,
    `${what}: no whole response before the socket closed (error ${outcome.error ?? 'none'}, ` +
      `${(outcome.sent / MIB).toFixed(1)} MiB sent, read ${JSON.stringify(outcome.response.slice(0, 80))})`,
  );
  assert.equal(parsed.status, 413, what);
  assert.equal(parsed.headers.get('x-amzn-errortype'), 'RequestEntityTooLargeException', what);
  assert.ok(parsed.headers.get('x-amzn-requestid'), what);
  const body = JSON.parse(parsed.body) as { __type?: string; Message?: string };
  assert.equal(body.__type, 'RequestEntityTooLargeException', what);
  assert.match(body.Message ?? '', new RegExp(`exceeds ${LIMIT} bytes`), what);
}

async function stillServes(): Promise<void> {
  const out = await node.connect().send(new DescribeInstanceCommand({ InstanceId: node.instanceId }));
  assert.equal(out.Instance?.Id, node.instanceId);
}

describe('a body over the cap, still being sent', () => {
  const TOTAL = 12 * MIB;
  const pacings: [string, Omit<Upload, 'framing' | 'total'>][] = [
    ['as fast as the socket takes it', { chunk: 256 * 1024 }],
    ['slowly, 64 KiB every 2 ms', { chunk: 64 * 1024, gapMs: 2 }],
    ['pausing 700 ms past the cap', { chunk: 128 * 1024, pause: { after: 2 * MIB, ms: 700 } }],
  ];
  for (const framing of ['length', 'chunked'] as const) {
    for (const [pacing, u] of pacings) {
      it(`${framing === 'length' ? 'Content-Length' : 'chunked'}, ${pacing}: 3 clients at once each read the whole 413`, async () => {
        const outcomes = await Promise.all([0, 1, 2].map(() => upload({ framing, total: TOTAL, ...u })));
        outcomes.forEach((o, i) => assertWhole413(o, `client ${i}`));
        await stillServes();
      });
    }
  }

  it('the AWS SDK sending an oversized StartChatContact gets RequestEntityTooLargeException', async () => {
    const client = node.connect();
    for (let i = 0; i < 3; i++) {
      const err = await client
        .send(
          new StartChatContactCommand({
            InstanceId: node.instanceId,
            ContactFlowId: node.flowId,
            ParticipantDetails: { DisplayName: 'Jane' },
            InitialMessage: { ContentType: 'text/plain', Content: 'x'.repeat(12 * MIB) },
          }),
        )
        .then(
          () => undefined,
          (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
        );
      assert.ok(err, 'the call succeeded');
      assert.equal(err.name, 'RequestEntityTooLargeException', `attempt ${i}: ${err.name}: ${err.message}`);
      assert.equal(err.$metadata?.httpStatusCode, 413);
    }
    await stillServes();
  });

  it('the workspace API answers its own 413 to clients still sending, and is not reset', async () => {
    const outcomes = await Promise.all(
      [0, 1, 2].map(() =>
        upload({ framing: 'length', total: TOTAL, chunk: 256 * 1024, target: 'POST /agent/api/session' }),
      ),
    );
    for (const [i, o] of outcomes.entries()) {
      const parsed = parseResponse(o.response);
      assert.ok(parsed, `client ${i}: no whole response (error ${o.error ?? 'none'})`);
      assert.equal(parsed.status, 413);
    }
    await stillServes();
  });

  it('a body far past the bound is not read to its end: the node closes the socket', async () => {
    const total = 256 * MIB;
    const outcome = await upload({ framing: 'length', total, chunk: 256 * 1024 });
    assert.ok(outcome.sent < total, `the node read all ${total} bytes`);
    await stillServes();
  });
});
