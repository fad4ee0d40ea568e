/**
 * The streaming benchmark's SNS: just enough of SNS's Query API for a node's Publish calls
 * (form-encoded `Action=Publish`, answered with the XML PublishResponse the AWS SDK reads),
 * fast enough for thousands of publishes a second where moto manages a few hundred. For each
 * message it records the chat item's Id (from the Message JSON), the topic and the moment it
 * arrived (performance.timeOrigin + performance.now(): this machine's clock, as the bench
 * process reads it). A topic named dead is answered 500 InternalError, so the node retries.
 *
 * It runs in a process of its own (this file is also its script), so that the bench process's
 * timing and this one's work do not share an event loop. Its own HTTP API, for the bench:
 * POST /bench/dead (a JSON array of topic ARNs, replacing the dead set) and
 * GET /bench/records (the records since the last GET, as JSON [id, topicArn, ms] triples).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A message the peer took: the chat item's Id, the topic, when it arrived (epoch ms, fractional). */
export type PublishRecord = [itemId: string, topicArn: string, receivedAt: number];

export interface SnsPeer {
  url: string;
  child: ChildProcess;
  /** From now on, Publish to these topics fails with 500 (and to all others succeeds). */
  setDead(topicArns: string[]): Promise<void>;
  /** The messages received since the last call. */
  takeRecords(): Promise<PublishRecord[]>;
  close(): Promise<void>;
}

/** Starts the peer in a child process. */
export async function startSnsPeer(): Promise<SnsPeer> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const [data] = await once(child.stdout!, 'data');
  const url = `http://127.0.0.1:${/port (\d+)/.exec(String(data))![1]}`;
  const call = (method: string, path: string, body?: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request(`${url}${path}`, { method }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(text) : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    url,
    child,
    setDead: async (topicArns) => void (await call('POST', '/bench/dead', JSON.stringify(topicArns))),
    takeRecords: async () => JSON.parse(await call('GET', '/bench/records')) as PublishRecord[],
    close: async () => {
      child.kill();
      await exited;
    },
  };
}

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const xml = (status: number, body: string) => ({ status, body: `<?xml version="1.0"?>\n${body}\n` });

function publishResponse(): { status: number; body: string } {
  return xml(
    200,
    `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
  );
}

function errorResponse(status: number, type: string, code: string, message: string) {
  return xml(
    status,
    `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function serve(): void {
  let dead = new Set<string>();
  let records: PublishRecord[] = [];
  const publish = (form: URLSearchParams) => {
    if (form.get('Action') !== 'Publish') {
      return errorResponse(400, 'Sender', 'InvalidAction', `not supported: ${form.get('Action')}`);
    }
    const topicArn = form.get('TopicArn') ?? '';
    if (dead.has(topicArn)) return errorResponse(500, 'Receiver', 'InternalError', 'this topic is down');
    let itemId = '';
    try {
      itemId = String((JSON.parse(form.get('Message') ?? '') as { Id?: unknown }).Id ?? '');
    } catch {
      // Not a chat item: recorded without an Id.
    }
    records.push([itemId, topicArn, performance.timeOrigin + performance.now()]);
    return publishResponse();
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url === '/bench/dead') {
        dead = new Set(JSON.parse(body) as string[]);
        res.end('{}');
      } else if (req.url === '/bench/records') {
        res.end(JSON.stringify(records));
        records = [];
      } else {
        const answer = publish(new URLSearchParams(body));
        res.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
        res.end(answer.body);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`port ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) serve();
