/**
 * A sign-in flood against a node's workspace API, as a password guesser would send it: a
 * burst at once from one client address, then a steady stream spread over several (all
 * loopback: 127.0.0.2, 127.0.0.3 …), each try a wrong password for a user name of its own, so
 * that no per-user wait holds it back and every try the node lets in costs it a hash.
 *
 * The flood runs in a process of its own (this file is also its script), so that its burst
 * does not stall the bench process's own timing of the messages it measures.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SignInFloodOptions {
  /** Sign-ins sent at once when the flood starts, from one address. */
  burst: number;
  /** Sign-ins a second after the burst (open loop). */
  rate: number;
  /** Client addresses the steady stream comes from. */
  addresses: number;
}

export interface SignInFloodCounts {
  sent: number;
  /** Answered 401: the node hashed the guess and refused it. */
  checked: number;
  /** Answered 429 at once. */
  refused: number;
  /** Anything else, or a failed request. */
  errors: number;
}

export interface SignInFlood {
  stop(): Promise<SignInFloodCounts>;
}

/** Starts the flood in a child process; `stop` ends it and returns what it sent and got. */
export async function startSignInFlood(baseUrl: string, o: SignInFloodOptions): Promise<SignInFlood> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, baseUrl, JSON.stringify(o)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await once(child.stdout!, 'data');
  return {
    async stop() {
      child.stdin!.end();
      await once(child, 'exit');
      return JSON.parse(out.slice(out.indexOf('\n') + 1)) as SignInFloodCounts;
    },
  };
}

function flood(baseUrl: string, o: SignInFloodOptions): SignInFlood {
  const agents = Array.from(
    { length: o.addresses + 1 },
    (_, i) => new Agent({ keepAlive: true, maxSockets: 256, localAddress: `127.0.0.${i + 2}` }),
  );
  const counts: SignInFloodCounts = { sent: 0, checked: 0, refused: 0, errors: 0 };
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  const send = (agent: Agent) => {
    const body = JSON.stringify({ username: `flood-${process.pid}-${n++}`, password: 'not-it' });
    counts.sent++;
    const done = new Promise<void>((resolve) => {
      const req = request(
        `${baseUrl}/agent/api/session`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 401) counts.checked++;
            else if (res.statusCode === 429) counts.refused++;
            else counts.errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        counts.errors++;
        resolve();
      });
      req.end(body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  for (let i = 0; i < o.burst; i++) send(agents[0]);
  const start = performance.now();
  let k = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - start) * o.rate) / 1000);
    for (; k < due; k++) send(agents[1 + (k % o.addresses)]);
    setTimeout(tick, 5);
  };
  tick();
  return {
    async stop() {
      stopped = true;
      await Promise.all(inFlight);
      for (const agent of agents) agent.destroy();
      return counts;
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const running = flood(process.argv[2], JSON.parse(process.argv[3]) as SignInFloodOptions);
  process.stdout.write('started\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    process.stdout.write(`${JSON.stringify(await running.stop())}\n`);
  });
}
