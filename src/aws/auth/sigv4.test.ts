import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConnectClient,
  DescribeContactCommand,
  ListUsersCommand,
  StartChatContactCommand,
} from '@aws-sdk/client-connect';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ServiceError } from '../service-error.ts';
import { verifySigV4, type SignedRequest, type SigV4Options } from './sigv4.ts';

const AKID = 'AKIDLOCALCONNECT0001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ACCOUNT = '123456789012';
const REGION = 'us-west-2';
const HOST = `connect.${REGION}.amazonaws.com`;
const INSTANCE_ARN = `arn:aws:connect:${REGION}:${ACCOUNT}:instance/0d8e0a59-5b5c-4f4e-9a43-2d3f8c1b7e61`;
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function options(over: Partial<SigV4Options> = {}, secret = SECRET): SigV4Options {
  return {
    service: 'connect',
    now: T0,
    lookupSecret: (id) => (id === AKID ? { secretAccessKey: secret, accountId: ACCOUNT } : undefined),
    ...over,
  };
}

// The same escaping @smithy's node-http-handler applies when it puts the query on the wire.
const escape = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function wireUrl(path: string, query: Record<string, string | string[]>): string {
  const qs = Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${escape(k)}=${escape(x)}`))
    .join('&');
  return qs ? `${path}?${qs}` : path;
}

interface SdkSignInit {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  body?: string;
  headers?: Record<string, string>;
  accessKeyId?: string;
  secret?: string;
  sessionToken?: string;
  region?: string;
  service?: string;
  date?: number;
  applyChecksum?: boolean;
  unsignableHeaders?: Set<string>;
  presignExpires?: number;
}

/** Signs as the AWS SDK v3 does: its signer, its header set, its query escaping. */
async function sdkSign(init: SdkSignInit = {}): Promise<SignedRequest> {
  const body = Buffer.from(init.body ?? '{"InitialMessage":{"Content":"hi","ContentType":"text/plain"}}');
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: init.accessKeyId ?? AKID,
      secretAccessKey: init.secret ?? SECRET,
      sessionToken: init.sessionToken,
    },
    region: init.region ?? REGION,
    service: init.service ?? 'connect',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: init.applyChecksum,
  });
  const request = {
    method: init.method ?? 'PUT',
    protocol: 'https:',
    hostname: HOST,
    path: init.path ?? `/contact/chat/${escape(INSTANCE_ARN)}`,
    query: init.query ?? {},
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      host: HOST,
      'amz-sdk-invocation-id': randomUUID(),
      'amz-sdk-request': 'attempt=1; max=3',
      'x-amz-user-agent': 'aws-sdk-js/3.1136.0',
      'user-agent': 'aws-sdk-js/3.1136.0 ua/2.1 os/linux lang/js md/nodejs#24',
      ...init.headers,
    },
    body,
  };
  const date = new Date(init.date ?? T0);
  const signed =
    init.presignExpires !== undefined
      ? await signer.presign(request, { signingDate: date, expiresIn: init.presignExpires })
      : await signer.sign(request, { signingDate: date, unsignableHeaders: init.unsignableHeaders });
  return {
    method: signed.method,
    url: wireUrl(signed.path, (signed.query ?? {}) as Record<string, string | string[]>),
    headers: signed.headers,
    body,
  };
}

async function rejects(p: Promise<unknown>, code: string, status: number, message?: string | RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.statusCode, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

const editAuth = (r: SignedRequest, edit: (auth: string) => string): SignedRequest => ({
  ...r,
  headers: { ...r.headers, authorization: edit(String(r.headers.authorization)) },
});
const withHeaders = (r: SignedRequest, headers: Record<string, string | undefined>): SignedRequest => ({
  ...r,
  headers: { ...r.headers, ...headers },
});

describe('SDK v3 signer (@smithy/signature-v4)', () => {
  it('verifies a request signed with the SDK header set, ARN path and repeated query keys', async () => {
    const req = await sdkSign({
      method: 'GET',
      path: `/users-summary/${escape(INSTANCE_ARN)}`,
      query: { tag: ['b c', 'a'], name: "Zoë (o'brien)*", maxResults: '10' },
      body: '',
    });
    assert.match(req.url, /%3A.*%2F.*tag=b%20c/);
    const caller = await verifySigV4(req, options());
    assert.deepEqual(caller, { accessKeyId: AKID, accountId: ACCOUNT, region: REGION });
  });

  it('returns the region of the credential scope', async () => {
    const caller = await verifySigV4(await sdkSign({ region: 'ap-southeast-2' }), options());
    assert.equal(caller.region, 'ap-southeast-2');
  });

  it("refuses a scope naming another region than the endpoint's, before the signature is checked", async () => {
    const req = await sdkSign({ region: 'eu-west-1' });
    await assert.rejects(verifySigV4(req, { ...options(), region: REGION }), {
      code: 'InvalidSignatureException',
      statusCode: 403,
      message: "Credential should be scoped to a valid region, not 'eu-west-1'.",
    });
    await assert.rejects(verifySigV4(req, { ...options({}, 'not-the-secret'), region: REGION }), {
      message: /valid region, not 'eu-west-1'/,
    });
    assert.equal((await verifySigV4(await sdkSign(), { ...options(), region: REGION })).region, REGION);
  });

  it('ignores headers that are on the wire but not signed', async () => {
    const req = withHeaders(await sdkSign(), { 'x-forwarded-for': '10.0.0.1', 'x-amzn-trace-id': 'Root=1' });
    await verifySigV4(req, options());
  });

  it('accepts UNSIGNED-PAYLOAD whatever the body', async () => {
    const req = await sdkSign({ headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    await verifySigV4({ ...req, body: Buffer.from('anything') }, options());
  });

  it('takes the payload hash from an unsigned x-amz-content-sha256, as AWS does', async () => {
    const unsignable = new Set(['x-amz-content-sha256']);
    const unsigned = await sdkSign({
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      unsignableHeaders: unsignable,
    });
    assert.doesNotMatch(String(unsigned.headers.authorization), /x-amz-content-sha256/);
    await verifySigV4({ ...unsigned, body: Buffer.from('anything') }, options());
    const hashed = await sdkSign({ unsignableHeaders: unsignable });
    assert.doesNotMatch(String(hashed.headers.authorization), /x-amz-content-sha256/);
    await verifySigV4(hashed, options());
  });

  it('hashes the body when x-amz-content-sha256 is absent', async () => {
    const req = await sdkSign({ applyChecksum: false });
    assert.equal(req.headers['x-amz-content-sha256'], undefined);
    await verifySigV4(req, options());
    await rejects(
      verifySigV4({ ...req, body: Buffer.from('{}') }, options()),
      'InvalidSignatureException',
      403,
      MISMATCH,
    );
  });

  it('verifies an SDK v3 presigned URL (smithy presign, empty-payload hash)', async () => {
    const req = await sdkSign({ method: 'GET', body: '', presignExpires: 300, query: { a: 'x y' } });
    assert.equal(req.headers.authorization, undefined);
    await verifySigV4(req, options({ now: T0 + 299_000 }));
  });

  it('accepts the skew boundary itself', async () => {
    const req = await sdkSign();
    await verifySigV4(req, options({ now: T0 + 5 * 60_000 }));
    await verifySigV4(req, options({ now: T0 - 5 * 60_000 }));
  });

  it('follows a rotated secret for the same access key', async () => {
    const req = await sdkSign();
    await verifySigV4(req, options());
    await rejects(
      verifySigV4(req, options({}, 'rotated-secret')),
      'InvalidSignatureException',
      403,
      MISMATCH,
    );
    await verifySigV4(await sdkSign({ secret: 'rotated-secret' }), options({}, 'rotated-secret'));
  });
});

interface Captured {
  requests: SignedRequest[];
  endpoint: string;
  close(): Promise<void>;
}

/** A stand-in Connect endpoint that records exactly what a real client put on the wire. */
async function captureServer(): Promise<Captured> {
  const requests: SignedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('@aws-sdk/client-connect on the wire', () => {
  let capture: Captured;
  before(async () => {
    capture = await captureServer();
    const client = new ConnectClient({
      region: 'eu-west-2',
      endpoint: capture.endpoint,
      credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
      maxAttempts: 1,
    });
    const arn = INSTANCE_ARN.replace(REGION, 'eu-west-2');
    await client.send(
      new DescribeContactCommand({ InstanceId: arn, ContactId: 'c0ffee00-0000-4000-8000-000000000001' }),
    );
    await client.send(
      new StartChatContactCommand({
        InstanceId: arn,
        ContactFlowId: 'flow-1',
        ParticipantDetails: { DisplayName: 'Zoë' },
        InitialMessage: { ContentType: 'text/plain', Content: 'héllo  wörld' },
      }),
    );
    await client.send(new ListUsersCommand({ InstanceId: arn, MaxResults: 10, NextToken: 'a/b+c= d' }));
    client.destroy();
  });
  after(() => capture.close());

  it('captured DescribeContact (ARN in path: %3A, %2F), StartChatContact (JSON body), ListUsers (query)', async () => {
    const [describe, chat, list] = capture.requests;
    assert.match(describe.url, /^\/contacts\/arn%3Aaws%3Aconnect%3Aeu-west-2%3A123456789012%3Ainstance%2F/);
    assert.ok(chat.body.length > 0 && String(chat.headers['content-type']).includes('json'));
    assert.match(list.url, /\?.*nextToken=/);
    for (const req of capture.requests) {
      const caller = await verifySigV4(req, options({ now: Date.now() }));
      assert.deepEqual(caller, { accessKeyId: AKID, accountId: ACCOUNT, region: 'eu-west-2' });
    }
  });

  it('fails every captured request when the server holds a different secret', async () => {
    for (const req of capture.requests) {
      await rejects(
        verifySigV4(req, options({ now: Date.now() }, SECRET + 'x')),
        'InvalidSignatureException',
        403,
        MISMATCH,
      );
    }
  });
});

const PYTHON = process.env.PYTHON ?? 'python3';
const botocoreProbe = spawnSync(PYTHON, ['-c', 'import boto3, botocore'], {
  encoding: 'utf8',
  timeout: 30_000,
});
const botocoreMissing =
  botocoreProbe.status === 0
    ? undefined
    : `${PYTHON} with boto3/botocore is not available (${botocoreProbe.error?.message ?? botocoreProbe.stderr.trim()})`;
if (botocoreMissing && process.env.CI !== 'true') {
  console.error(`\n!!!!! SKIPPING the botocore SigV4 interop tests: ${botocoreMissing} !!!!!\n`);
}

function python(script: string, args: string[] = [], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    // Keep the caller's AWS profile, keys or session token out of the clients under test.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const child = spawn(PYTHON, ['-c', script, ...args], {
      env: { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${PYTHON} exited ${code}: ${err}`)),
    );
    child.stdin.end(input);
  });
}

const BOTOCORE_SIGN = `
import base64, json, sys
from urllib.parse import urlsplit
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for s in json.load(sys.stdin):
    creds = Credentials(s['accessKeyId'], s['secretAccessKey'])
    req = AWSRequest(method=s['method'], url=s['url'], headers=s.get('headers', {}),
                     data=s.get('body', '').encode(), params=[tuple(p) for p in s.get('params', [])])
    if s.get('expires'):
        SigV4QueryAuth(creds, 'connect', s['region'], expires=s['expires']).add_auth(req)
    else:
        SigV4Auth(creds, 'connect', s['region']).add_auth(req)
    p = req.prepare()
    u = urlsplit(p.url)
    headers = {k.lower(): v for k, v in p.headers.items()}
    headers.setdefault('host', u.netloc)  # what the HTTP client adds on the wire
    body = p.body or b''
    out.append({'method': p.method, 'url': u.path + ('?' + u.query if u.query else ''),
                'headers': headers, 'body': base64.b64encode(body if isinstance(body, bytes) else body.encode()).decode()})
json.dump(out, sys.stdout)
`;

const BOTO3_CLIENT = `
import sys
import boto3
from botocore.config import Config
c = boto3.client('connect', region_name='ca-central-1', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                 aws_secret_access_key=sys.argv[3], config=Config(retries={'max_attempts': 1}))
arn = sys.argv[4]
c.describe_contact(InstanceId=arn, ContactId='c0ffee00-0000-4000-8000-000000000002')
c.start_chat_contact(InstanceId=arn, ContactFlowId='flow-1', ParticipantDetails={'DisplayName': 'Zoë'},
                     InitialMessage={'ContentType': 'text/plain', 'Content': 'héllo'})
c.list_users(InstanceId=arn, MaxResults=10, NextToken='a/b+c= d')
`;

describe('botocore', { skip: process.env.CI === 'true' ? false : (botocoreMissing ?? false) }, () => {
  const encodedArn = escape(INSTANCE_ARN);
  const base = { accessKeyId: AKID, secretAccessKey: SECRET, region: REGION };
  interface BotocoreSpec {
    accessKeyId: string;
    secretAccessKey: string;
    region: string;
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: string;
    params?: [string, string][];
    expires?: number;
  }
  const specs: BotocoreSpec[] = [
    {
      ...base,
      method: 'GET',
      url: `https://${HOST}/contacts/${encodedArn}/c0ffee00-0000-4000-8000-000000000003`,
    },
    {
      ...base,
      method: 'PUT',
      url: `https://${HOST}/contact/chat`,
      // botocore signs every header but a short blacklist; smithy alone would leave these out.
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-cache',
        Pragma: 'no-cache',
        Referer: 'https://example.com/a',
        'Sec-Fetch-Mode': 'cors',
        'X-Custom': '  spaced   out  ',
      },
      body: JSON.stringify({ InstanceId: INSTANCE_ARN, ParticipantDetails: { DisplayName: 'Zoë' } }),
    },
    // params: botocore signs them %20-encoded but puts them on the wire with urlencode's '+'.
    {
      ...base,
      method: 'GET',
      url: `https://${HOST}/users-summary/${encodedArn}`,
      params: [
        ['tag', 'b c'],
        ['tag', 'a'],
        ['name', 'Zoë & co'],
        ['maxResults', '10'],
      ],
    },
    // A raw query string: botocore signs it verbatim (no re-encoding), %20 spaces, repeated keys, empty value.
    {
      ...base,
      method: 'GET',
      url: `https://${HOST}/users-summary/${encodedArn}?tag=z%20y&tag=a&nextToken=a%2Fb%3D&empty=`,
    },
    // Dot segments and doubled slashes are normalised away by both signers.
    { ...base, method: 'GET', url: `https://${HOST}/contacts//x/./y/../${encodedArn}` },
    // botocore keeps signed x-amz-* headers as headers; smithy's presign would hoist them into the query.
    {
      ...base,
      method: 'GET',
      url: `https://${HOST}/contacts/${encodedArn}/c1?x=1`,
      headers: { 'X-Amz-Meta-Test': '1' },
      expires: 60,
    },
  ];
  let signed: SignedRequest[] = [];
  let signedAt = 0;

  before(async () => {
    if (botocoreMissing) throw new Error(`CI=true, so not skipping: ${botocoreMissing}`);
    signedAt = Date.now();
    const out = JSON.parse(await python(BOTOCORE_SIGN, [], JSON.stringify(specs))) as Array<
      SignedRequest & { body: string }
    >;
    signed = out.map((r) => ({ ...r, body: Buffer.from(r.body, 'base64') }));
  });

  for (const [i, spec] of specs.entries()) {
    it(`verifies SigV4${spec.expires ? 'QueryAuth' : 'Auth'}: ${spec.method} ${spec.url.slice(8 + HOST.length)}`, async () => {
      const caller = await verifySigV4(signed[i], options({ now: Date.now() }));
      assert.deepEqual(caller, { accessKeyId: AKID, accountId: ACCOUNT, region: REGION });
      await rejects(
        verifySigV4(signed[i], options({ now: Date.now() }, 'not-the-secret')),
        'InvalidSignatureException',
        403,
        MISMATCH,
      );
    });
  }

  it('the params request went on the wire with + for spaces', () => {
    assert.match(signed[2].url, /tag=b\+c/);
  });

  it('rejects the presigned URL once its 60 s have elapsed', async () => {
    const presigned = signed[specs.length - 1];
    assert.match(presigned.url, /X-Amz-Expires=60/);
    await verifySigV4(presigned, options({ now: signedAt + 30_000 }));
    await rejects(
      verifySigV4(presigned, options({ now: Date.now() + 61_000 })),
      'InvalidSignatureException',
      403,
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 60 sec\.\)$/,
    );
  });

  it('verifies what a real boto3 Connect client puts on the wire', async () => {
    const capture = await captureServer();
    try {
      await python(BOTO3_CLIENT, [capture.endpoint, AKID, SECRET, INSTANCE_ARN]);
      assert.equal(capture.requests.length, 3);
      assert.match(capture.requests[0].url, /^\/contacts\/arn%3Aaws%3Aconnect%3A.*%2F/);
      for (const req of capture.requests) {
        assert.equal((await verifySigV4(req, options({ now: Date.now() }))).region, 'ca-central-1');
        await rejects(
          verifySigV4(req, options({ now: Date.now() }, 'x')),
          'InvalidSignatureException',
          403,
          MISMATCH,
        );
      }
    } finally {
      await capture.close();
    }
  });
});

describe('rejections', () => {
  const incomplete = ['IncompleteSignatureException', 400] as const;
  const invalid = ['InvalidSignatureException', 403] as const;
  const unrecognized = ['UnrecognizedClientException', 403] as const;
  type Case = {
    name: string;
    req: () => Promise<SignedRequest>;
    now?: number;
    error: readonly [string, number];
    message?: string | RegExp;
  };
  const valid = () => sdkSign();
  const presigned = (over: SdkSignInit = {}) =>
    sdkSign({ method: 'GET', body: '', presignExpires: 60, ...over });
  const editUrl = async (p: Promise<SignedRequest>, edit: (url: string) => string) => {
    const r = await p;
    return { ...r, url: edit(r.url) };
  };

  const cases: Case[] = [
    {
      name: 'no Authorization header and no X-Amz-Signature',
      req: async () => withHeaders(await valid(), { authorization: undefined }),
      error: ['MissingAuthenticationTokenException', 403],
      message: 'Missing Authentication Token',
    },
    {
      name: 'wrong algorithm',
      req: async () => editAuth(await valid(), (a) => a.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')),
      error: incomplete,
      message: /algorithm 'AWS4-HMAC-SHA1'/,
    },
    {
      name: 'missing Credential',
      req: async () => editAuth(await valid(), (a) => a.replace(/Credential=[^,]*, /, '')),
      error: incomplete,
      message: "Authorization header requires 'Credential' parameter.",
    },
    {
      name: 'missing SignedHeaders',
      req: async () => editAuth(await valid(), (a) => a.replace(/SignedHeaders=[^,]*, /, '')),
      error: incomplete,
      message: "Authorization header requires 'SignedHeaders' parameter.",
    },
    {
      name: 'missing Signature',
      req: async () => editAuth(await valid(), (a) => a.replace(/, Signature=.*/, '')),
      error: incomplete,
      message: "Authorization header requires 'Signature' parameter.",
    },
    {
      name: 'scope with four elements',
      req: async () => editAuth(await valid(), (a) => a.replace('/aws4_request', '')),
      error: incomplete,
      message: /exactly 5 slash-delimited elements/,
    },
    {
      name: 'scope with a bad terminator',
      req: async () => editAuth(await valid(), (a) => a.replace('/aws4_request', '/aws4_req')),
      error: incomplete,
      message: /valid terminator/,
    },
    {
      name: 'scope with an invalid region',
      req: () => sdkSign({ region: 'US_WEST' }),
      error: incomplete,
      message: /valid region/,
    },
    {
      name: 'X-Amz-Date not in basic format',
      req: async () => withHeaders(await valid(), { 'x-amz-date': '2024-05-01T12:00:00Z' }),
      error: incomplete,
      message: /ISO-8601 'basic format'. Got '2024-05-01T12:00:00Z'/,
    },
    {
      name: 'X-Amz-Date that is not a calendar date',
      req: async () => withHeaders(await valid(), { 'x-amz-date': '20241301T120000Z' }),
      error: incomplete,
      message: /basic format/,
    },
    {
      name: 'missing X-Amz-Date',
      req: async () => withHeaders(await valid(), { 'x-amz-date': undefined }),
      error: incomplete,
      message: /'X-Amz-Date'/,
    },
    {
      name: 'scope date is not the X-Amz-Date day',
      req: async () => withHeaders(await valid(), { 'x-amz-date': '20240502T120000Z' }),
      now: Date.UTC(2024, 4, 2, 12),
      error: incomplete,
      message:
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240501' != '20240502', from '20240502T120000Z'.",
    },
    {
      name: "scope service is not 'connect'",
      req: () => sdkSign({ service: 'ec2' }),
      error: incomplete,
      message: "Credential should be scoped to correct service: 'connect'.",
    },
    {
      name: 'host not among the signed headers',
      req: () => sdkSign({ unsignableHeaders: new Set(['host']) }),
      error: incomplete,
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    },
    {
      name: 'both Authorization and X-Amz-Signature',
      req: async () => editUrl(valid(), (u) => `${u}?X-Amz-Signature=abc`),
      error: incomplete,
      message: /Only one auth mechanism/,
    },
    {
      name: 'unknown access key id',
      req: () => sdkSign({ accessKeyId: 'AKIDUNKNOWN' }),
      error: unrecognized,
      message: 'The security token included in the request is invalid.',
    },
    {
      name: 'session token header',
      req: () => sdkSign({ sessionToken: 'FwoGZXIvYXdzE' }),
      error: unrecognized,
      message: /session credentials .* not supported by this server/i,
    },
    {
      name: 'session token in a presigned URL',
      req: () => presigned({ sessionToken: 'FwoGZXIvYXdzE' }),
      error: unrecognized,
      message: /not supported by this server/,
    },
    {
      name: 'X-Amz-Date more than 5 min old',
      req: valid,
      now: T0 + 5 * 60_000 + 1000,
      error: invalid,
      message:
        'Signature expired: 20240501T120000Z is now earlier than 20240501T120001Z (20240501T120501Z - 5 min.)',
    },
    {
      name: 'X-Amz-Date more than 5 min ahead',
      req: valid,
      now: T0 - 5 * 60_000 - 1000,
      error: invalid,
      message:
        'Signature not yet current: 20240501T120000Z is still later than 20240501T115959Z (20240501T115459Z + 5 min.)',
    },
    {
      name: 'presigned URL past X-Amz-Expires',
      req: () => presigned(),
      now: T0 + 61_000,
      error: invalid,
      message:
        'Signature expired: 20240501T120000Z is now earlier than 20240501T120001Z (20240501T120101Z - 60 sec.)',
    },
    {
      name: 'presigned URL dated in the future',
      req: () => presigned(),
      now: T0 - 6 * 60_000,
      error: invalid,
      message: /^Signature not yet current/,
    },
    {
      name: 'presigned URL without X-Amz-Credential',
      req: async () => editUrl(presigned(), (u) => u.replace(/X-Amz-Credential=[^&]*&?/, '')),
      error: incomplete,
      message:
        "AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the query-string parameters.",
    },
    {
      name: 'presigned URL with X-Amz-Expires over a week',
      req: async () => editUrl(presigned(), (u) => u.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801')),
      error: incomplete,
      message: /X-Amz-Expires/,
    },
    {
      name: 'presigned URL with a wrong algorithm',
      req: async () =>
        editUrl(presigned(), (u) => u.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-X')),
      error: incomplete,
      message: /X-Amz-Algorithm 'AWS4-X'/,
    },
    { name: 'wrong secret', req: () => sdkSign({ secret: 'guess' }), error: invalid, message: MISMATCH },
    {
      name: 'tampered signed header',
      req: async () => withHeaders(await valid(), { 'x-amz-user-agent': 'evil' }),
      error: invalid,
      message: MISMATCH,
    },
    {
      name: 'tampered body (caught by x-amz-content-sha256)',
      req: async () => ({ ...(await valid()), body: Buffer.from('{"InitialMessage":{"Content":"ho"}}') }),
      error: invalid,
    },
    {
      name: 'x-amz-content-sha256 signed but not the hash of the body',
      req: () => sdkSign({ headers: { 'x-amz-content-sha256': 'a'.repeat(64) } }),
      error: invalid,
    },
    {
      name: 'tampered path',
      req: async () => editUrl(valid(), (u) => u.replace('instance%2F', 'instance%2F1')),
      error: invalid,
      message: MISMATCH,
    },
    {
      name: 'path decoded by a proxy (%3A to :)',
      req: async () => editUrl(valid(), (u) => u.replaceAll('%3A', ':')),
      error: invalid,
      message: MISMATCH,
    },
    {
      name: 'tampered query',
      req: async () =>
        editUrl(sdkSign({ method: 'GET', body: '', query: { maxResults: '10' } }), (u) =>
          u.replace('=10', '=100'),
        ),
      error: invalid,
      message: MISMATCH,
    },
    {
      name: 'added query parameter',
      req: async () => editUrl(valid(), (u) => `${u}?admin=true`),
      error: invalid,
      message: MISMATCH,
    },
    {
      name: 'changed method',
      req: async () => ({ ...(await valid()), method: 'POST' }),
      error: invalid,
      message: MISMATCH,
    },
    {
      name: 'tampered presigned URL',
      req: async () => editUrl(presigned(), (u) => u.replace('instance%2F', 'instance%2Fx')),
      error: invalid,
      message: MISMATCH,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.error[0]} ${c.error[1]}`, async () => {
      await rejects(
        verifySigV4(await c.req(), options({ now: c.now ?? T0 })),
        c.error[0],
        c.error[1],
        c.message,
      );
    });
  }
});
