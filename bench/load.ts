/**
 * A closed-loop HTTP load generator: `concurrency` keep-alive connections, each sending its
 * next request as soon as the previous answered, for `durationMs`. Requests are prepared
 * before the clock starts so the generator spends its time sending, not signing.
 */
import { Agent, request } from 'node:http';

export interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<number, number>;
  seconds: number;
  throughput: number;
  p50ms: number;
  p99ms: number;
}

export async function runLoad(
  url: string,
  next: (i: number) => PreparedRequest,
  concurrency: number,
  durationMs: number,
): Promise<LoadResult> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let issued = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  const send = (req: PreparedRequest) =>
    new Promise<number>((resolve, reject) => {
      const r = request(
        { agent, hostname, port, method: req.method, path: req.path, headers: req.headers },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      r.on('error', reject);
      r.end(req.body);
    });
  const loop = async () => {
    while (performance.now() < deadline) {
      const req = next(issued++);
      const t0 = performance.now();
      try {
        const status = await send(req);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
  return {
    requests: latencies.length,
    errors,
    statuses,
    seconds,
    throughput: latencies.length / seconds,
    p50ms: pct(50),
    p99ms: pct(99),
  };
}
