/**
 * `npm run bench`: runs the benchmarks and records the figures in docs/benchmarks.md. Each
 * reports localconnect next to a baseline measured in the same run; the machines are small
 * and noisy, so every benchmark runs several rounds and the report quotes medians.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchStartChatContact, type StartChatRound } from './start-chat-contact.ts';
import { requireWrk, type LoadResult } from './wrk.ts';

const ROUNDS = 3;
const CONNECTIONS = 64;
const SECONDS = 10;

requireWrk();
const rounds: StartChatRound[] = [];
for (let i = 0; i < ROUNDS; i++) {
  process.stdout.write(`StartChatContact round ${i + 1}/${ROUNDS}…\n`);
  rounds.push(await benchStartChatContact(CONNECTIONS, SECONDS));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const row = (name: string, rs: LoadResult[]) =>
  `| ${name} | ${fmt(median(rs.map((r) => r.throughput)), 0)} | ${fmt(median(rs.map((r) => r.p50ms)), 2)} | ${fmt(median(rs.map((r) => r.p99ms)), 2)} | ${rs.reduce((n, r) => n + r.errors + r.non2xx, 0)} |`;
const perRound = rounds
  .map(
    (r, i) =>
      `| ${i + 1} | ${fmt(r.localconnect.throughput, 0)} | ${fmt(r.localconnect.p50ms, 2)} | ${fmt(r.localconnect.p99ms, 2)} | ${fmt(r.bare.throughput, 0)} | ${fmt(r.bare.p99ms, 2)} | ${fmt((100 * r.localconnect.throughput) / r.bare.throughput, 0)}% |`,
  )
  .join('\n');
const lc = rounds.map((r) => r.localconnect);
const ratio = median(rounds.map((r) => r.localconnect.throughput / r.bare.throughput));
const wrapped = lc.some((r) => r.wrapped);

const report = `# Benchmarks

Latest figures, written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}
(${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}). Machines here have 2 cores and are noisy:
compare the ratio to the baseline, and the medians of the rounds.

## StartChatContact

${CONNECTIONS} concurrent keep-alive connections for ${SECONDS} s, ${ROUNDS} rounds. Every request is
SigV4-signed by the AWS SDK's signer before the clock starts and carries its own ClientToken, so
each one creates a contact, a customer participant and an idempotency record, committed to SQLite
(WAL) before the answer. Load comes from wrk (one thread), the node runs in its own process; the
baseline is a bare \`node:http\` server that parses the same requests and answers a fixed body.

| server | req/s | p50 ms | p99 ms | errors |
| --- | --- | --- | --- | --- |
${row('localconnect StartChatContact', lc)}
${row(
  'bare node:http, same requests',
  rounds.map((r) => r.bare),
)}

Per round:

| round | localconnect req/s | p50 ms | p99 ms | bare req/s | bare p99 ms | ratio |
| --- | --- | --- | --- | --- | --- | --- |
${perRound}

localconnect reaches ${fmt(ratio * 100, 0)}% of the bare server's throughput (median of rounds).
Target on this machine: at least 5,000 StartChatContact/s with p99 under 20 ms.${wrapped ? '\n\nNote: a round sent more requests than were prepared, so some were idempotent repeats.' : ''}
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), report);
process.stdout.write(`\n${report}`);
