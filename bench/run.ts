/**
 * `npm run bench`: runs the benchmarks and records the figures in docs/benchmarks.md.
 * Each benchmark reports localconnect next to a baseline measured in the same run; the
 * machines are small and noisy, so compare the ratios and repeat before concluding.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchStartChatContact } from './start-chat-contact.ts';

const fmt = (n: number, digits = 1) => n.toFixed(digits);

const chat = await benchStartChatContact();
const rows = [
  ['localconnect StartChatContact (SigV4, validated, committed to SQLite)', chat.localconnect],
  ['bare node:http, same requests, fixed answer', chat.bare],
] as const;
const table = [
  '| server | requests | errors | req/s | p50 ms | p99 ms |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    ([name, r]) =>
      `| ${name} | ${r.requests} | ${r.errors} | ${fmt(r.throughput, 0)} | ${fmt(r.p50ms, 2)} | ${fmt(r.p99ms, 2)} |`,
  ),
].join('\n');
const ratio = chat.localconnect.throughput / chat.bare.throughput;
const report = `# Benchmarks

Latest figures, written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}).
Machines here have 2 cores and are noisy: compare ratios, and quote medians of several runs.

## StartChatContact

${chat.concurrency} concurrent keep-alive connections for ${chat.durationMs / 1000} s each, every request
SigV4-signed (signed before the clock starts) with its own ClientToken. The node runs in its own
process with SQLite in a temporary directory; the load generator is a third process.

${table}

localconnect reaches ${fmt(ratio * 100, 0)}% of the bare server's throughput. Target: at least 5,000
StartChatContact/s with p99 under 20 ms.
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), report);
process.stdout.write(`${report}\n`);
