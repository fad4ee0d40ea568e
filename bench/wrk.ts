/**
 * Load from wrk (a C load generator, Debian's `wrk`): on a 2-core machine a Node.js load
 * generator would take the CPU the server under test needs. wrk replays prepared requests
 * (bench/replay.lua), so every request can carry its own SigV4 signature and ClientToken.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  /** More requests were sent than prepared, so some were repeats. */
  wrapped: boolean;
  seconds: number;
  throughput: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxMs: number;
}

export function requireWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    process.stderr.write('npm run bench needs wrk: apt-get install -y wrk\n');
    process.exit(1);
  }
}

export function writeRequests(file: string, requests: PreparedRequest[]): void {
  const raw = requests.map(
    (r) =>
      `${r.method} ${r.path} HTTP/1.1\r\n${Object.entries(r.headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n${r.body}`,
  );
  writeFileSync(file, raw.join('\n@@@@\n'));
}

export function runWrk(
  url: string,
  requestFile: string,
  connections: number,
  seconds: number,
  threads = 1,
): LoadResult {
  const script = new URL('./replay.lua', import.meta.url).pathname;
  const out = execFileSync(
    'wrk',
    [
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      url,
      '--',
      requestFile,
      String(threads),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const line = /^BENCH (.*)$/m.exec(out)?.[1];
  if (!line) throw new Error(`wrk printed no figures:\n${out}`);
  const f = Object.fromEntries(
    line
      .split(' ')
      .map((kv) => kv.split('='))
      .map(([k, v]) => [k, Number(v)]),
  );
  return {
    requests: f.requests,
    errors: f.errors,
    non2xx: f.non2xx,
    wrapped: f.requests > f.prepared,
    seconds,
    throughput: f.requests / seconds,
    p50ms: f.p50,
    p90ms: f.p90,
    p99ms: f.p99,
    maxMs: f.max,
  };
}
