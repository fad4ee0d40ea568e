/**
 * Which browser origins a node answers: the agent workspace API, its event socket and the
 * customer test page's backend refuse other sites (DNS rebinding included) and accept the
 * node's own and --public-origin ones; the test page wants JSON, takes StartChatContact's quota
 * and can be switched off; the session cookie keeps its attributes when set and cleared.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { spawnNode, startTestNode } from '../support/node.ts';
import { adminPassword } from '../support/agent.ts';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request, so Host and Origin are exactly what a hostile page's browser sends. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<Res>((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (origin: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  origin,
  ...extra,
});

function signIn(url: string, dataDir: string, headers: Record<string, string>) {
  return send(
    url,
    'POST',
    '/agent/api/session',
    headers,
    JSON.stringify({ username: 'admin', password: adminPassword(dataDir) }),
  );
}

/** The status the event socket's upgrade is answered with. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent/api/events`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}

test('the workspace API and its socket refuse a foreign Origin, also DNS-rebound, and accept the node’s own', async () => {
  const node = await startTestNode();
  try {
    const evil = await signIn(node.url, node.dataDir, json('http://evil.example', { host: 'evil.example' }));
    assert.equal(evil.status, 403, evil.body);
    assert.equal(evil.headers['set-cookie'], undefined, 'no session for the foreign page');
    const evilSameHost = await signIn(node.url, node.dataDir, json('http://evil.example'));
    assert.equal(evilSameHost.status, 403, evilSameHost.body);

    const own = await signIn(node.url, node.dataDir, json(node.url));
    assert.equal(own.status, 200, own.body);
    const cookie = String(own.headers['set-cookie']).split(';')[0];

    assert.equal(await upgradeStatus(node.url, { cookie, origin: 'http://evil.example' }), 403);
    assert.equal(
      await upgradeStatus(node.url, { cookie, origin: 'http://evil.example', host: 'evil.example' }),
      403,
    );
    assert.equal(await upgradeStatus(node.url, { cookie, origin: node.url }), 101);
  } finally {
    await node.close();
  }
});

test('a node started with --public-origin accepts that Origin and still refuses others', async () => {
  const node = await startTestNode(['--public-origin', 'https://cc.example.com']);
  try {
    const proxied = await signIn(node.url, node.dataDir, json('https://cc.example.com'));
    assert.equal(proxied.status, 200, proxied.body);
    const cookie = String(proxied.headers['set-cookie']).split(';')[0];
    assert.equal(await upgradeStatus(node.url, { cookie, origin: 'https://cc.example.com' }), 101);
    assert.equal((await signIn(node.url, node.dataDir, json('http://cc.example.com'))).status, 403);
    assert.equal((await signIn(node.url, node.dataDir, json('http://evil.example'))).status, 403);
  } finally {
    await node.close();
  }
});

test('sign-in and sign-out cookies are both SameSite=Strict, HttpOnly and Path=/agent', async () => {
  const node = await startTestNode();
  try {
    const signedIn = await signIn(node.url, node.dataDir, json(node.url));
    assert.equal(signedIn.status, 200, signedIn.body);
    const set = String(signedIn.headers['set-cookie']);
    const cookie = set.split(';')[0];
    const out = await send(node.url, 'DELETE', '/agent/api/session', { origin: node.url, cookie });
    assert.equal(out.status, 204, out.body);
    const cleared = String(out.headers['set-cookie']);
    assert.ok(cleared.startsWith(`${cookie.split('=')[0]}=;`), cleared);
    for (const header of [set, cleared]) {
      assert.match(header, /;\s*SameSite=Strict/i, header);
      assert.match(header, /;\s*HttpOnly/i, header);
      assert.match(header, /;\s*Path=\/agent(;|$)/, header);
    }
  } finally {
    await node.close();
  }
});

const start = (url: string, headers: Record<string, string>, body = '{"displayName":"Pat"}') =>
  send(url, 'POST', '/test-chat/api/start', headers, body);

test('the test page backend answers only the node’s own page, with JSON, and starts a chat', async () => {
  const node = await startTestNode();
  try {
    const evil = await start(node.url, json('http://evil.example'));
    assert.equal(evil.status, 403, evil.body);
    const noOrigin = await start(node.url, { 'content-type': 'application/json' });
    assert.equal(noOrigin.status, 403, noOrigin.body);
    const form = await start(node.url, { 'content-type': 'text/plain', origin: node.url });
    assert.equal(form.status, 415, form.body);
    const ok = await start(node.url, json(node.url));
    assert.equal(ok.status, 200, ok.body);
    assert.match(JSON.parse(ok.body).ContactId, /^[0-9a-f-]{36}$/);
  } finally {
    await node.close();
  }
});

test('under --quotas aws the test page backend takes StartChatContact’s quota: the 9th quick call is 429', async () => {
  const node = await startTestNode(['--quotas', 'aws']);
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await start(node.url, json(node.url))).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 429]);
  } finally {
    await node.close();
  }
});

test('with --no-test-pages the test page and its backend are 404', async () => {
  const node = await startTestNode(['--no-test-pages']);
  try {
    assert.equal((await fetch(`${node.url}/test-chat/`)).status, 404);
    assert.equal((await start(node.url, json(node.url))).status, 404);
    assert.equal((await fetch(`${node.url}/agent/`)).status, 200, 'the workspace is still served');
  } finally {
    await node.close();
  }
});

test('a node on --host 0.0.0.0 serves the test pages only with --test-pages', async () => {
  for (const [args, expected] of [
    [[], 404],
    [['--test-pages'], 200],
  ] as const) {
    const node = await spawnNode(['--host', '0.0.0.0', ...args]);
    try {
      const url = node.url.replace('0.0.0.0', '127.0.0.1');
      assert.equal((await fetch(`${url}/test-chat/`)).status, expected, `${args} page`);
      assert.equal((await start(url, json(url))).status, expected, `${args} backend`);
    } finally {
      await node.close();
    }
  }
});
