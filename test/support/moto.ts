/**
 * moto_server as the SNS / SQS / S3 peer of a test: one per caller, on a free loopback port,
 * in memory, stopped by its pid. It must be on PATH; where it is not, the test fails and says
 * so (.ci/run cannot install it from Debian's packages).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** moto's account id: the account in every ARN it makes. */
export const MOTO_ACCOUNT_ID = '123456789012';
export const MOTO_REGION = 'us-east-1';

export interface Moto {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `port`: a given one, e.g. to start a moto again where a stopped one was (its state is gone). */
export async function startMoto(opts: { port?: number } = {}): Promise<Moto> {
  const port = opts.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(
        new Error(
          `moto_server could not be started (${(err as NodeJS.ErrnoException).code}): ` +
            'the SNS/S3 tests need it on PATH (pip install "moto[server]")',
        ),
      ),
    );
    child.once('exit', (code, signal) =>
      reject(new Error(`moto_server exited (${code ?? signal}) before it answered:\n${stderr}`)),
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await Promise.race([failed, waitForHttp(endpoint, 30_000)]);
  } catch (err) {
    await stop();
    throw err;
  }
  failed.catch(() => {});
  return { endpoint, port, stop };
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`moto_server not answering at ${url}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Test-side clients of a moto, with any key (moto takes every one). */
export function motoClients(endpoint: string) {
  const common = {
    endpoint,
    region: MOTO_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  return {
    sns: new SNSClient(common),
    sqs: new SQSClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
}

type Clients = ReturnType<typeof motoClients>;

export async function createTopic(c: Clients, name: string, fifo = false): Promise<string> {
  const out = await c.sns.send(
    new CreateTopicCommand({
      Name: name,
      Attributes: fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'true' } : undefined,
    }),
  );
  return out.TopicArn!;
}

/**
 * A queue subscribed to the topic with raw delivery off: each message arrives as the SNS
 * envelope (Type, MessageId, TopicArn, Message, MessageAttributes…), as a consumer of
 * Amazon Connect's streaming sees it. Returns the queue's URL.
 */
export async function subscribeQueue(c: Clients, topicArn: string, name: string): Promise<string> {
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await c.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await c.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes!.QueueArn,
      Attributes: { RawMessageDelivery: 'false' },
    }),
  );
  return QueueUrl!;
}

export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/**
 * Every message the queue holds, parsed: waits until `count` have arrived (or timeoutMs has
 * passed), then a further second for any beyond them, so a duplicate would be seen.
 */
export async function receiveAll(
  c: Clients,
  queueUrl: string,
  count: number,
  timeoutMs = 10_000,
): Promise<SnsEnvelope[]> {
  const got: SnsEnvelope[] = [];
  const deadline = Date.now() + timeoutMs;
  let settleUntil = Infinity;
  while (Date.now() < Math.min(deadline, settleUntil)) {
    const { Messages = [] } = await c.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of Messages) got.push(JSON.parse(m.Body!) as SnsEnvelope);
    if (Messages.length > 0)
      await c.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    if (got.length >= count && settleUntil === Infinity) settleUntil = Date.now() + 1_000;
  }
  return got;
}

export async function createBucket(c: Clients, name: string): Promise<void> {
  await c.s3.send(new CreateBucketCommand({ Bucket: name }));
}

export async function getObject(
  c: Clients,
  bucket: string,
  key: string,
): Promise<{ body: Buffer; contentType?: string }> {
  const out = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: Buffer.from(await out.Body!.transformToByteArray()), contentType: out.ContentType };
}
