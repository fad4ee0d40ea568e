/**
 * Password guessing against the workspace's sign-in, from several client addresses on one
 * machine (127.0.0.2, 127.0.0.3 … are all loopback), with the node's clock in the test's hand.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import {
  CreateUserCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
} from '@aws-sdk/client-connect';
import { ManualClock } from '../../src/ports/clock.ts';
import { startTestNode, type TestNode } from '../support/node.ts';

const PASSWORD = 'Agent-Passw0rd';
const ATTACKER = '127.0.0.2';
const AGENT = '127.0.0.3';

interface Answer {
  status: number;
  error?: string;
  retryAfterSeconds?: number;
  retryAfterHeader?: string;
}

let node: TestNode;
const clock = new ManualClock(Date.now());

/** POST /agent/api/session from `address`. */
function signIn(address: string, username: string, password: string): Promise<Answer> {
  const url = new URL(`${node.url}/agent/api/session`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress: address,
        headers: { 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const body = text ? JSON.parse(text) : {};
          resolve({
            status: res.statusCode!,
            error: body.error,
            retryAfterSeconds: body.retryAfterSeconds,
            retryAfterHeader: res.headers['retry-after'],
          });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ username, password }));
  });
}

async function createUser(username: string): Promise<void> {
  const connect = node.connect();
  const profiles = await connect.send(new ListRoutingProfilesCommand({ InstanceId: node.instanceId }));
  const security = await connect.send(new ListSecurityProfilesCommand({ InstanceId: node.instanceId }));
  await connect.send(
    new CreateUserCommand({
      InstanceId: node.instanceId,
      Username: username,
      Password: PASSWORD,
      IdentityInfo: { FirstName: username, LastName: 'Agent' },
      PhoneConfig: { PhoneType: 'SOFT_PHONE' },
      RoutingProfileId: profiles.RoutingProfileSummaryList![0].Id!,
      SecurityProfileIds: [security.SecurityProfileSummaryList!.find((s) => s.Name === 'Agent')!.Id!],
    }),
  );
}

/** Wrong guesses from `address`, each one as soon as the node allows it: the waits it named, in s. */
async function guess(address: string, username: string, tries: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < tries;) {
    const answer = await signIn(address, username, `guess-${i}`);
    if (answer.status === 401) {
      i++;
      continue;
    }
    assert.equal(answer.status, 429, JSON.stringify(answer));
    assert.equal(answer.error, 'TooManyAttempts');
    assert.equal(answer.retryAfterHeader, String(answer.retryAfterSeconds));
    waits.push(answer.retryAfterSeconds!);
    clock.advance(answer.retryAfterSeconds! * 1000);
  }
  return waits;
}

describe('sign-in guessing', () => {
  before(async () => {
    node = await startTestNode([], { clock });
    for (const name of ['maya', 'tom', 'lee']) await createUser(name);
  });
  after(() => node?.close());

  it('slows a guesser down from the sixth try, doubling the wait up to 15 minutes, while the agent signs in from elsewhere', async () => {
    // 21 wrong guesses for maya from one address, each as soon as the node allows it.
    const waits = await guess(ATTACKER, 'maya', 21);
    // The agent's own address is untouched.
    assert.equal((await signIn(AGENT, 'maya', PASSWORD)).status, 200);
    // Five free tries, then waits that double and stop growing at 15 min.
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900]);
    // The guesser's address has to wait, even with the right password.
    const refused = await signIn(ATTACKER, 'maya', PASSWORD);
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfterSeconds, 900);
  });

  it('forgets the count once the right password comes from that address', async () => {
    assert.deepEqual(await guess(AGENT, 'tom', 5), []);
    clock.advance(1000);
    assert.equal((await signIn(AGENT, 'tom', PASSWORD)).status, 200);
    // Five free tries again.
    assert.deepEqual(await guess(AGENT, 'tom', 5), []);
    assert.equal((await signIn(AGENT, 'tom', 'guess-again')).status, 429);
  });

  it('counts guesses sent all at once as they arrive, not when their hashes are done', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(ATTACKER, 'lee', `guess-${i}`)),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [...Array(5).fill(401), ...Array(15).fill(429)]);
  });

  it('refuses at once, rather than queueing, sign-ins past what the hashing thread has waiting', async () => {
    // Each user name is a pair of its own, so the guard lets all of them through to the hasher.
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, i) => signIn('127.0.0.4', `nobody-${i}`, 'x')),
    );
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length > 0, 'some sign-ins were refused');
    assert.ok(
      refused.every((a) => a.error === 'TooManyAttempts' && a.retryAfterSeconds! >= 1),
      JSON.stringify(refused[0]),
    );
    assert.ok(
      answers.every((a) => a.status === 401 || a.status === 429),
      JSON.stringify(answers.find((a) => a.status !== 401 && a.status !== 429)),
    );
    assert.equal((await signIn(AGENT, 'lee', PASSWORD)).status, 200);
  });
});
