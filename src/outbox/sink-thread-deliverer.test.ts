import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SinkError } from '../ports/sink-error.ts';
import type { StoredOutboxEntry } from '../ports/store.ts';
import { SinkThreadDeliverer } from './sink-thread-deliverer.ts';

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:chat-stream';

const entry = (id: string): StoredOutboxEntry => ({
  id,
  destination: `sns:${TOPIC}`,
  orderKey: 'c-1',
  payload: { topicArn: TOPIC, message: JSON.stringify({ Id: id }), attributes: { ContactId: 'c-1' } },
  createdAt: 0,
  notBefore: 0,
  attempts: 0,
});

test('deliveries through the sink thread reach SNS, and its failures come back as the SinkErrors they are', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDSINKTHREAD';
  process.env.AWS_SECRET_ACCESS_KEY = 'sink-thread-secret';
  // What the peer took, and how it answers each message: by the message's Id.
  const published: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const id = JSON.parse(new URLSearchParams(body).get('Message')!).Id as string;
      const [status, xml] =
        id === 'down'
          ? [
              500,
              `<ErrorResponse xmlns="${NS}"><Error><Type>Receiver</Type><Code>InternalError</Code><Message>down</Message></Error></ErrorResponse>`,
            ]
          : id === 'gone'
            ? [
                404,
                `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>`,
              ]
            : [
                200,
                `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>m-${id}</MessageId></PublishResult></PublishResponse>`,
              ];
      if (status === 200) published.push(id);
      res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const own = { profile: 'localconnect', files: [] };
  const sinks = new SinkThreadDeliverer({
    sns: { endpoint, region: 'us-east-1', own },
    s3: { endpoint, region: 'us-east-1', own },
  });
  try {
    await Promise.all(['e-1', 'e-2', 'e-3'].map((id) => sinks.deliver(entry(id))));
    assert.deepEqual(published.sort(), ['e-1', 'e-2', 'e-3']);
    const failure = async (id: string) => {
      const err = await sinks.deliver(entry(id)).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof SinkError, `a SinkError for ${id}, not ${String(err)}`);
      return err;
    };
    const down = await failure('down');
    assert.deepEqual([down.code, down.retryable, down.status], ['InternalErrorException', true, 500]);
    const gone = await failure('gone');
    assert.deepEqual([gone.code, gone.retryable, gone.status], ['NotFoundException', false, 404]);
    assert.match(gone.message, /Topic does not exist/);
  } finally {
    await sinks.close();
    server.close();
  }
  const stopped = await sinks.deliver(entry('late')).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(stopped instanceof SinkError && stopped.retryable, 'after close, a delivery is retryable later');
  assert.ok(!published.includes('late'));
});
