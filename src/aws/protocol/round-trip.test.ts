/**
 * Round trips through the real client: the AWS SDK for JavaScript serializes each request
 * (its own URI, query and body bindings), the edge routes and parses it back, and the input
 * the provider receives must equal what the caller gave the SDK.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConnectClient,
  DescribeContactCommand,
  ListContactFlowsCommand,
  ListQueuesCommand,
  StartChatContactCommand,
  UpdateContactAttributesCommand,
} from '@aws-sdk/client-connect';
import Fastify from 'fastify';
import { loadModel } from './model.ts';
import { registerService } from '../service-plugin.ts';
import { ServiceError } from '../service-error.ts';

type Captured = { method: string; url: string; headers: Record<string, string>; body?: Buffer };

/** A client whose requests are captured instead of sent. */
function capturingClient(): { client: ConnectClient; last: () => Captured } {
  let captured: Captured | undefined;
  const client = new ConnectClient({
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async (req: any) => {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(req.query ?? {})) {
          for (const item of Array.isArray(v) ? v : [v]) qs.append(k, item as string);
        }
        captured = {
          method: req.method,
          url: `${req.path}${qs.size ? `?${qs}` : ''}`,
          headers: req.headers,
          body: req.body === undefined ? undefined : Buffer.from(req.body),
        };
        throw new Error('captured');
      },
    } as any,
  });
  return { client, last: () => captured! };
}

async function parsedBy(command: any): Promise<{ operation: string; input: Record<string, unknown> }> {
  const { client, last } = capturingClient();
  await client.send(command).catch(() => undefined);
  const seen: { operation?: string; input?: Record<string, unknown> } = {};
  const model = loadModel('connect');
  const provider = new Proxy(
    {},
    {
      get: (_t, name) => async (input: Record<string, unknown>) => {
        seen.operation = String(name);
        seen.input = input;
        return {};
      },
    },
  );
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
  registerService(app, {
    model,
    provider,
    defaultRegion: 'us-east-1',
    authenticate: async () => undefined,
    constraintError: (_op, message) => new ServiceError('InvalidParameterException', 400, message),
    internalError: () => new ServiceError('InternalServiceException', 500, 'internal', 'server'),
  });
  const req = last();
  // inject() sets its own content-length for the payload it sends.
  const { 'content-length': _length, ...headers } = req.headers;
  const res = await app.inject({ method: req.method as 'GET', url: req.url, headers, payload: req.body });
  assert.equal(res.statusCode, 200, res.body);
  await app.close();
  return { operation: seen.operation!, input: seen.input! };
}

test('StartChatContact with every member comes back as sent', async () => {
  const input = {
    InstanceId: 'arn:aws:connect:us-east-1:000000000000:instance/11111111-2222-4333-8444-555555555555',
    ContactFlowId: 'flow-1',
    ParticipantDetails: { DisplayName: 'Jane Ünicode' },
    Attributes: { customerTier: 'gold', lang: 'en' },
    InitialMessage: { ContentType: 'text/plain', Content: 'Hello' },
    ClientToken: 'token-1',
    ChatDurationInMinutes: 90,
    SupportedMessagingContentTypes: ['text/plain', 'text/markdown'],
    SegmentAttributes: { 'connect:Subtype': { ValueString: 'connect:Guide' } },
    CustomerId: 'cust-1',
    DisconnectOnCustomerExit: ['AGENT' as const],
    ParticipantConfiguration: { ResponseMode: 'COMPLETE' as const },
    RelatedContactId: 'c-0',
  };
  const { operation, input: parsed } = await parsedBy(new StartChatContactCommand(input));
  assert.equal(operation, 'startChatContact');
  assert.deepEqual(parsed, input);
});

test('URI labels arrive decoded once, even an ARN with ":" and "/"', async () => {
  const input = {
    InstanceId: 'arn:aws:connect:us-east-1:000000000000:instance/abc',
    ContactId: 'id with space',
  };
  const { operation, input: parsed } = await parsedBy(new DescribeContactCommand(input));
  assert.equal(operation, 'describeContact');
  assert.deepEqual(parsed, input);
});

test('query bindings: a list member repeated, an integer converted', async () => {
  const queues = await parsedBy(
    new ListQueuesCommand({
      InstanceId: 'i-1',
      QueueTypes: ['STANDARD', 'AGENT'],
      MaxResults: 7,
      NextToken: 'abc',
    }),
  );
  assert.deepEqual(queues.input, {
    InstanceId: 'i-1',
    QueueTypes: ['STANDARD', 'AGENT'],
    MaxResults: 7,
    NextToken: 'abc',
  });
  const flows = await parsedBy(
    new ListContactFlowsCommand({ InstanceId: 'i-1', ContactFlowTypes: ['CONTACT_FLOW'] }),
  );
  assert.deepEqual(flows.input, { InstanceId: 'i-1', ContactFlowTypes: ['CONTACT_FLOW'] });
});

test('a map whose key is "__proto__" stays data', async () => {
  const input = {
    InstanceId: 'i-1',
    InitialContactId: 'c-1',
    Attributes: JSON.parse('{"__proto__":"x","a":"b"}'),
  };
  const { input: parsed } = await parsedBy(new UpdateContactAttributesCommand(input));
  assert.deepEqual(Object.keys(parsed.Attributes as object), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(parsed.Attributes), Object.prototype);
});
