/**
 * `npm run bench`: runs the benchmarks and records the figures in docs/benchmarks.md. Each
 * reports localconnect next to a baseline measured in the same run; the machines are small
 * and noisy, so every benchmark runs several rounds and the report quotes medians.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchStartChatContact, type StartChatRound } from './start-chat-contact.ts';
import { requireWrk, type LoadResult } from './wrk.ts';
import {
  benchChatLatency,
  benchChatLatencyUnderSignInFlood,
  benchChatMemory,
  type ChatMemoryRound,
  type LatencyResult,
  type MemoryResult,
} from './chat.ts';
import { benchRouting, type RoutingRound } from './routing.ts';
import { benchStreaming, type Spread, type StreamingPhase } from './streaming.ts';
import { benchCalls, type CallsResult } from './calls.ts';

const ROUNDS = 3;
const CONNECTIONS = 64;
/**
 * wrk threads: with one, wrk's own tail (measured against the server's timings of the same
 * sockets) dominated p99 whenever the server kept a core busy; two share the connections.
 */
const WRK_THREADS = 2;
const SECONDS = 10;
const WARMUP_SECONDS = 3;
/** Chat message latency: concurrent chats, each sending one message a second. */
const CHATS = 1000;
const CHAT_SECONDS = 20;
const CHAT_BASELINE_SECONDS = 10;
const CHAT_WARMUP_SECONDS = 3;
/** Memory per idle chat: chats measured, after chats started and connected to warm up. */
const IDLE_CHATS = 2000;
const IDLE_WARM_CHATS = 200;
/** Offer latency: agents (10 chats each), chats started, chats a second. */
const AGENTS = 200;
const ROUTED_CHATS = 2000;
const CHAT_RATE = 100;
/** SendMessage under a sign-in flood: chats (one message a second each), seconds per round. */
const FLOOD_CHATS = 200;
const FLOOD_SECONDS = 10;
const SIGN_IN_FLOOD = { burst: 500, rate: 100, addresses: 8 };
/** Chat streaming: chats (one message a second each), topics they stream to, one in N to a second. */
const STREAM_CHATS = 500;
const STREAM_TOPICS = 10;
const SECOND_EVERY = 10;
const STREAM_SECONDS = 10;
/** Concurrent two-party audio calls: the target level (every round), and a lower one (one round). */
const CALLS = 100;
const CALLS_LOWER = 50;
const CALL_WARMUP_SECONDS = 3;
const CALL_SECONDS = 10;

requireWrk();
const rounds: StartChatRound[] = [];
for (let i = 0; i < ROUNDS; i++) {
  process.stdout.write(`StartChatContact round ${i + 1}/${ROUNDS}…\n`);
  rounds.push(await benchStartChatContact(CONNECTIONS, SECONDS, WRK_THREADS, WARMUP_SECONDS));
}

process.stdout.write(`Chat message latency: setting up ${CHATS} chats on each server…\n`);
const chatRounds = await benchChatLatency({
  chats: CHATS,
  rounds: ROUNDS,
  seconds: CHAT_SECONDS,
  baselineSeconds: CHAT_BASELINE_SECONDS,
  warmupSeconds: CHAT_WARMUP_SECONDS,
  log: (line) => process.stdout.write(`${line}\n`),
});
const memoryRounds: ChatMemoryRound[] = [];
for (let i = 0; i < ROUNDS; i++) {
  process.stdout.write(`Memory per idle chat round ${i + 1}/${ROUNDS}…\n`);
  memoryRounds.push(await benchChatMemory(IDLE_CHATS, IDLE_WARM_CHATS));
}

const routingRounds: RoutingRound[] = [];
for (let i = 0; i < ROUNDS; i++) {
  process.stdout.write(`Offer latency round ${i + 1}/${ROUNDS}…\n`);
  routingRounds.push(await benchRouting(AGENTS, ROUTED_CHATS, CHAT_RATE));
}

process.stdout.write(`SendMessage under a sign-in flood: setting up ${FLOOD_CHATS} chats…\n`);
const floodRounds = await benchChatLatencyUnderSignInFlood({
  chats: FLOOD_CHATS,
  rounds: ROUNDS,
  seconds: FLOOD_SECONDS,
  warmupSeconds: CHAT_WARMUP_SECONDS,
  flood: SIGN_IN_FLOOD,
  log: (line) => process.stdout.write(`${line}\n`),
});

process.stdout.write(`Chat streaming: setting up ${STREAM_CHATS} chats…\n`);
const streamRounds = await benchStreaming({
  chats: STREAM_CHATS,
  topics: STREAM_TOPICS,
  secondEvery: SECOND_EVERY,
  rounds: ROUNDS,
  seconds: STREAM_SECONDS,
  warmupSeconds: CHAT_WARMUP_SECONDS,
  log: (line) => process.stdout.write(`${line}\n`),
});

process.stdout.write(`Concurrent calls: ${CALLS_LOWER}, then ${CALLS}…\n`);
const log = (line: string) => process.stdout.write(`${line}\n`);
const callOptions = { warmupSeconds: CALL_WARMUP_SECONDS, seconds: CALL_SECONDS, log };
const lowerCallRounds = await benchCalls({ calls: CALLS_LOWER, rounds: 1, ...callOptions });
const callRounds = await benchCalls({ calls: CALLS, rounds: ROUNDS, ...callOptions });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const row = (name: string, rs: LoadResult[]) =>
  `| ${name} | ${fmt(median(rs.map((r) => r.throughput)), 0)} | ${fmt(median(rs.map((r) => r.p50ms)), 2)} | ${fmt(median(rs.map((r) => r.p99ms)), 2)} | ${rs.reduce((n, r) => n + r.errors + r.non2xx, 0)} |`;
const perRound = rounds
  .map(
    (r, i) =>
      `| ${i + 1} | ${fmt(r.localconnect.throughput, 0)} | ${fmt(r.localconnect.p50ms, 2)} | ${fmt(r.localconnect.p99ms, 2)} | ${fmt(r.localconnectCpuUs, 0)} | ${fmt(r.bare.throughput, 0)} | ${fmt(r.bare.p99ms, 2)} | ${fmt(r.bareCpuUs, 0)} | ${fmt((100 * r.localconnect.throughput) / r.bare.throughput, 0)}% | ${fmt(r.stealPct, 0)}% |`,
  )
  .join('\n');
const lc = rounds.map((r) => r.localconnect);
const ratio = median(rounds.map((r) => r.localconnect.throughput / r.bare.throughput));
const wrapped = lc.some((r) => r.wrapped);

const chatRow = (name: string, rs: LatencyResult[]) =>
  `| ${name} | ${fmt(median(rs.map((r) => r.throughput)), 0)} | ${fmt(median(rs.map((r) => r.p50ms)), 2)} | ${fmt(median(rs.map((r) => r.p99ms)), 2)} | ${fmt(median(rs.map((r) => r.maxMs)), 1)} | ${fmt(median(rs.map((r) => r.serverCpuUs)), 0)} | ${rs.reduce((n, r) => n + r.lost, 0)} / ${rs.reduce((n, r) => n + r.errors, 0)} |`;
const chatPerRound = chatRounds
  .map(
    ({ localconnect: l, bare: b }, i) =>
      `| ${i + 1} | ${fmt(l.throughput, 0)} | ${fmt(l.p50ms, 2)} | ${fmt(l.p90ms, 2)} | ${fmt(l.p99ms, 2)} | ${fmt(l.maxMs, 1)} | ${fmt(l.serverCpuUs, 0)} | ${fmt(l.otherCpuPct, 0)}% | ${fmt(b.p50ms, 2)} | ${fmt(b.p99ms, 2)} | ${fmt(b.maxMs, 1)} | ${fmt(b.serverCpuUs, 0)} | ${fmt(b.otherCpuPct, 0)}% |`,
  )
  .join('\n');
const chatP99 = median(chatRounds.map((r) => r.localconnect.p99ms));

const mb = (kb: number) => fmt(kb / 1024, 1);
const memRow = (name: string, rs: MemoryResult[]) =>
  `| ${name} | ${fmt(median(rs.map((r) => r.rssPerChatKb)))} | ${fmt(median(rs.map((r) => r.anonPerChatKb)))} | ${fmt(median(rs.map((r) => r.heapPerChatKb)))} | ${mb(median(rs.map((r) => r.before.rssKb)))} → ${mb(median(rs.map((r) => r.after.rssKb)))} |`;
const memPerRound = memoryRounds
  .map(
    ({ localconnect: l, bare: b }, i) =>
      `| ${i + 1} | ${fmt(l.rssPerChatKb)} | ${fmt(l.rssPerStartedChatKb!)} | ${fmt(l.rssPerSocketKb!)} | ${fmt(l.anonPerChatKb)} | ${fmt(l.heapPerChatKb)} | ${mb(l.before.rssKb)} → ${mb(l.started!.rssKb)} → ${mb(l.after.rssKb)} | ${fmt(b.rssPerChatKb)} | ${fmt(b.anonPerChatKb)} | ${fmt(b.heapPerChatKb)} | ${mb(b.before.rssKb)} → ${mb(b.after.rssKb)} |`,
  )
  .join('\n');
const lcMem = memoryRounds.map((r) => r.localconnect);
const perIdleChat = median(lcMem.map((r) => r.rssPerChatKb));

const routingPerRound = routingRounds
  .map(
    ({ localconnect: l, bare: b }, i) =>
      `| ${i + 1} | ${l.offers} | ${fmt(l.p50ms, 0)} | ${fmt(l.p99ms, 0)} | ${fmt(l.maxMs, 0)} | ${fmt(b.p50ms, 0)} | ${fmt(b.p99ms, 0)} | ${fmt(b.maxMs, 0)} |`,
  )
  .join('\n');
const offerP50 = median(routingRounds.map((r) => r.localconnect.p50ms));
const offerP99 = median(routingRounds.map((r) => r.localconnect.p99ms));

const floodPerRound = floodRounds
  .map(
    ({ quiet: q, flood: f, signIns: s }, i) =>
      `| ${i + 1} | ${fmt(q.p50ms, 2)} | ${fmt(q.p99ms, 2)} | ${fmt(q.maxMs, 1)} | ${fmt(f.p50ms, 2)} | ${fmt(f.p99ms, 2)} | ${fmt(f.maxMs, 1)} | ${fmt(f.p99ms / q.p99ms, 2)} | ${s.sent} | ${s.checked} | ${s.refused} | ${s.errors} | ${q.lost + f.lost} / ${q.errors + f.errors} |`,
  )
  .join('\n');
const floodRatio = median(floodRounds.map((r) => r.flood.p99ms / r.quiet.p99ms));

const ms = (s: Pick<Spread, 'p50ms' | 'p99ms' | 'maxMs'> | undefined, digits = 2) =>
  s === undefined ? '–' : `${fmt(s.p50ms, digits)} / ${fmt(s.p99ms, digits)} / ${fmt(s.maxMs, 1)}`;
const streamRow = (name: string, p: StreamingPhase) =>
  `| ${name} | ${ms(p.send)} | ${ms(p.othersSend)} | ${ms(p.socket)} | ${ms(p.lag)} | ${ms(p.othersLag)} | ${fmt(p.socket.serverCpuUs, 0)} | ${p.unpublished} | ${p.socket.lost} / ${p.socket.errors} |`;
const streamPerRound = streamRounds
  .map(
    (r, i) =>
      `${streamRow(`${i + 1} plain`, r.plain)}\n${streamRow(`${i + 1} healthy`, r.healthy)}\n${streamRow(`${i + 1} one dead`, r.dead)}`,
  )
  .join('\n');
const streamLagP99 = median(streamRounds.map((r) => r.healthy.lag!.p99ms));
const streamLagP50 = median(streamRounds.map((r) => r.healthy.lag!.p50ms));
const deadRatio = median(streamRounds.map((r) => r.dead.othersSend.p99ms / r.healthy.othersSend.p99ms));
const streamingCost = median(streamRounds.map((r) => r.healthy.send.p99ms / r.plain.send.p99ms));
const drainS = median(streamRounds.map((r) => r.drainMs / 1000));

const callCells = (r: CallsResult) =>
  `${fmt(r.p50ms, 2)} | ${fmt(r.p99ms, 2)} | ${fmt(r.maxMs, 1)} | ${fmt(r.lossPct, 3)}% | ${fmt(r.serverCpuPct, 0)}% | ${fmt(r.cpuPerCallPct, 2)}%`;
const callsPerRound = [
  ...lowerCallRounds.map((r) => ({ ...r, name: `${CALLS_LOWER} calls` })),
  ...callRounds.map((r, i) => ({ ...r, name: `${CALLS} calls, round ${i + 1}` })),
]
  .map(
    ({ name, localconnect: l, bare: b }) => `| ${name} | ${l.packets} | ${callCells(l)} | ${callCells(b)} |`,
  )
  .join('\n');
const callP99 = median(callRounds.map((r) => r.localconnect.p99ms));
const callLoss = median(callRounds.map((r) => r.localconnect.lossPct));

const report = `# Benchmarks

Latest figures, written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}
(${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}). Machines here have 2 cores and are noisy:
compare the ratio to the baseline, and the medians of the rounds.

## StartChatContact

${CONNECTIONS} concurrent keep-alive connections for ${SECONDS} s, ${ROUNDS} rounds. Every request is
SigV4-signed by the AWS SDK's signer before the clock starts and carries its own ClientToken, so
each one creates a contact, a customer participant and an idempotency record, committed to SQLite
(WAL) before the answer; each chat then runs the Default inbound flow (greeting, queue) on the
node. Load comes from wrk (${WRK_THREADS} threads sharing out the prepared requests), the node runs in its
own process; the baseline is a bare \`node:http\` server that parses the same requests and answers
a fixed body. Before its measured run each server gets ${WARMUP_SECONDS} s of the same load with requests of its
own (new ClientTokens), unmeasured: the figures are those of a running server, not of its first
seconds, when V8 is still compiling and SQLite's cache and files are filling for the first time.

| server | req/s | p50 ms | p99 ms | errors |
| --- | --- | --- | --- | --- |
${row('localconnect StartChatContact', lc)}
${row(
  'bare node:http, same requests',
  rounds.map((r) => r.bare),
)}

Per round:

| round | localconnect req/s | p50 ms | p99 ms | CPU µs/req | bare req/s | bare p99 ms | bare CPU µs/req | ratio | steal |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${perRound}

"CPU µs/req" is the server process's own CPU time (all its threads, /proc) over its measured run,
per request: what a request costs the server, apart from wrk's share of the 2 cores. "Steal" is
the CPU time the hypervisor took from this machine's cores during localconnect's run (/proc/stat),
in % of the cores: a round with more of it had less machine to run on.

localconnect reaches ${fmt(ratio * 100, 0)}% of the bare server's throughput (median of rounds).
Target on this machine: at least 5,000 StartChatContact/s with p99 under 20 ms.${wrapped ? '\n\nNote: a round sent more requests than were prepared, so some were idempotent repeats.' : ''}

## Chat message latency

${CHATS} concurrent chats, each with its customer's websocket subscribed to \`aws/chat\` and a CUSTOM_BOT
(CreateParticipant, then CreateParticipantConnection) that sends one SendMessage a second: ${CHATS}
messages/s in an open loop, ${CHAT_SECONDS} s per round, ${ROUNDS} rounds. The latency runs from sending the
SendMessage request (plain HTTP/1.1 keep-alive, X-Amz-Bearer) to the item arriving on the customer's
socket, matched by its unique content; each message is written to SQLite before it is pushed. The
chats are started, connected and greeted by their flow before the clock starts, and ${CHAT_WARMUP_SECONDS} s of
unmeasured load warm each server up. The load and the ${CHATS} sockets come from the bench process
(\`ws\`); the baseline is a bare \`ws\` + \`node:http\` server that builds the same item and pushes it
without storage, with its own ${CHATS} sockets, measured in the same run (rounds alternate between
the two, ${CHAT_BASELINE_SECONDS} s per baseline round). Server CPU is the process's user + system time over the
round (all threads) per message; the bench process used ${fmt(median(chatRounds.map((r) => r.localconnect.clientCpuUs)), 0)} µs per message
(median); "others' CPU" is what the rest of the machine used during the round (the hypervisor's steal included), in % of one core.

| server | msgs/s | p50 ms | p99 ms | max ms | server CPU µs/msg | lost / errors |
| --- | --- | --- | --- | --- | --- | --- |
${chatRow(
  'localconnect SendMessage → websocket',
  chatRounds.map((r) => r.localconnect),
)}
${chatRow(
  'bare ws + node:http, same path',
  chatRounds.map((r) => r.bare),
)}

Per round:

| round | localconnect msgs/s | p50 ms | p90 ms | p99 ms | max ms | CPU µs/msg | others' CPU | bare p50 ms | bare p99 ms | bare max ms | bare CPU µs/msg | others' CPU |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${chatPerRound}

Target: p99 under 10 ms; localconnect's p99 is ${fmt(chatP99, 2)} ms (median of rounds): ${chatP99 < 10 ? 'met' : 'not met'}.

## Memory per idle chat

Per round, a fresh node: ${IDLE_WARM_CHATS} chats are started and connected first (warm-up), then its RSS is
read; then ${IDLE_CHATS} more chats are started (StartChatContact; their flow greets and queues them) and
each customer is connected (CreateParticipantConnection, websocket, \`aws/subscribe\`) and left idle;
then the RSS is read again. Memory per chat is the difference divided by ${IDLE_CHATS}. Each reading waits
until the process is idle, then forces two full garbage collections (through the inspector): RSS is
VmRSS from /proc/<pid>/status, anonymous RSS its RssAnon (V8 heap, malloc, SQLite's page cache;
not file-backed pages such as the binary's code), the V8 heap \`process.memoryUsage().heapUsed\`.
The baseline is the bare \`ws\` server above holding ${IDLE_CHATS} more idle subscribed sockets, measured
the same way in the same run.

| server | RSS KB per idle chat | anonymous RSS KB | V8 heap KB | RSS MB before → after |
| --- | --- | --- | --- | --- |
${memRow('localconnect (chat + its socket)', lcMem)}
${memRow(
  'bare ws server (socket only)',
  memoryRounds.map((r) => r.bare),
)}

Per round (localconnect's RSS is also read after the chats are started, before their sockets
connect: "the chat" and "its socket" split its KB per chat):

| round | localconnect KB/chat | the chat | its socket | anon KB | heap KB | RSS MB | bare KB/socket | bare anon KB | bare heap KB | bare RSS MB |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${memPerRound}

Target: under 32 KB of server memory per idle chat; localconnect uses ${fmt(perIdleChat)} KB (median of rounds):
${perIdleChat < 32 ? 'met' : 'not met'}.

## Offer latency

Per round, a fresh node: ${AGENTS} agents (CreateUser, a routing profile with chat concurrency 10) sign in
to the workspace API, open its event socket and set themselves Available; then ${ROUTED_CHATS} chats are
started with StartChatContact at ${CHAT_RATE} a second (the AWS SDK, from the bench process). Each chat's
flow greets it and runs TransferContactToQueue, routing offers it to an agent, and the agent's new
state is pushed on their socket. Nobody accepts, so by the end every agent holds 10 offers and
${ROUTED_CHATS} contacts sit in the queue. The latency of an offer runs from the moment routing queued the
contact (its \`enqueuedAt\`, by the node's clock) to the moment the state showing the offer arrives on
the agent's socket (the same machine's clock). The baseline is a bare \`node:http\` + \`ws\` server
that, for a POST naming an agent, stamps the time and pushes a frame to that agent's socket, at the
same rate over the same number of sockets.

| round | offers | p50 ms | p99 ms | max ms | bare p50 ms | bare p99 ms | bare max ms |
| --- | --- | --- | --- | --- | --- | --- | --- |
${routingPerRound}

Target: p99 under 50 ms; localconnect's p50 is ${fmt(offerP50, 0)} ms and p99 ${fmt(offerP99, 0)} ms (median of rounds):
${offerP99 < 50 ? 'met' : 'not met'}.

## SendMessage during a sign-in flood

One node, ${FLOOD_CHATS} chats set up as in the message latency benchmark, each sending one message a second;
${ROUNDS} pairs of ${FLOOD_SECONDS} s rounds, each pair a quiet round (the baseline) and then a round during which
the bench process floods the workspace's sign-in: ${SIGN_IN_FLOOD.burst} POST /agent/api/session at once from one client
address, then ${SIGN_IN_FLOOD.rate} a second spread over ${SIGN_IN_FLOOD.addresses} more (loopback addresses 127.0.0.2 …), each a wrong
password for a user name of its own, so that each one the node lets in costs a 32 MiB scrypt. "Checked" sign-ins were
hashed and refused (401), "refused" ones turned away at once (429) because the hashing queue was full.

| pair | quiet p50 ms | quiet p99 ms | quiet max ms | flood p50 ms | flood p99 ms | flood max ms | p99 ratio | sign-ins sent | checked | refused | errors | lost / errors |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${floodPerRound}

Target: during the flood, SendMessage p99 within 2× the quiet figure; the ratio is ${fmt(floodRatio, 2)} (median of pairs):
${floodRatio <= 2 ? 'met' : 'not met'}.

## Chat streaming

One node, ${STREAM_CHATS} chats set up as in the message latency benchmark (a customer socket, a CUSTOM_BOT
sending one message a second: ${STREAM_CHATS} messages/s), publishing to SNS through the node's delivery
worker (\`--sns-endpoint\`). The SNS is the bench's own, in a process of its own: it answers the Query
API's Publish as SNS does (moto takes too long over each for this rate) and notes when each
message arrived. ${ROUNDS} rounds, each of three ${STREAM_SECONDS} s phases with the same chats and load: "plain", no
chat streams (the baseline); "healthy", every chat streaming (StartContactStreaming) to one of
${STREAM_TOPICS} topics, and one chat in ${SECOND_EVERY} also to a second topic of its own, as Amazon Connect allows two;
"one dead", the same with the SNS answering 500 to every Publish to those second topics, so the
worker retries them with backoff while it delivers the rest. ${CHAT_WARMUP_SECONDS} s of plain and of streamed load warm
the node up first. After each round the streams stop, the second topics come back and the node
delivers what it kept for them (${fmt(drainS, 1)} s, median) before the next round starts.

The lag of a message runs from the moment the bench received the SendMessage answer (the item
committed) to the moment the SNS received its Publish, both on this machine's clock. "Others" are
the chats that stream to no second topic: in "one dead" their topics are all up. Each cell is
p50 / p99 / max in ms; SendMessage is its response time, "socket" the message latency benchmark's
measure (request sent → item on the customer's socket); "unpublished" counts Publishes to topics
that were up that had not arrived 10 s after the phase.

| round, phase | SendMessage | others' SendMessage | socket | lag | others' lag | server CPU µs/msg | unpublished | lost / errors |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${streamPerRound}

While streaming, SendMessage p99 is ${fmt(streamingCost, 2)}× the plain phase's (median of rounds).
Target: lag p99 under 100 ms with SNS healthy; it is ${fmt(streamLagP99, 2)} ms, p50 ${fmt(streamLagP50, 2)} ms (median of rounds):
${streamLagP99 < 100 ? 'met' : 'not met'}.
Target: with a destination dead, the other chats' SendMessage p99 under 1.1× the healthy phase's;
the ratio is ${fmt(deadRatio, 2)} (median of rounds): ${deadRatio < 1.1 ? 'met' : 'not met'}.

## Concurrent two-party audio calls

A fresh node per round. Each call is a real web call: StartWebRTCContact, its flow (greeting,
queue), routing to an agent of its own (one agent per call, signed in to the workspace API and
Available) who accepts, and both sides joining the meeting as werift peers that speak the Chime
SDK's signaling, from the bench process. Every peer sends real Opus (a one-second loop of a
tone, encoded once) 50 packets a second over SRTP; the node forwards each side's audio to the
other. Once every call is up, ${CALL_WARMUP_SECONDS} s of the load go unmeasured, then ${CALL_SECONDS} s are measured: the
latency of the customers' packets from their peer's send to the agent's peer receiving it (the
same machine's clock; a packet is known by its frame of the loop), the packets lost both ways,
and the node's CPU (its process, all threads, /proc) in % of one core. The baseline is a bare
UDP relay (a process of its own) forwarding the same RTP packets, in the clear, between as many
socket pairs, measured the same way. One round at ${CALLS_LOWER} calls, ${ROUNDS} at ${CALLS}.

| level | packets sent | p50 ms | p99 ms | max ms | lost | node CPU | per call | relay p50 ms | p99 ms | max ms | lost | relay CPU | per call |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${callsPerRound}

Target on this machine: ${CALLS} concurrent calls with forwarding p99 under 20 ms and under 0.1% loss; at
${CALLS} calls the p99 is ${fmt(callP99, 2)} ms and the loss ${fmt(callLoss, 3)}% (median of rounds):
${callP99 < 20 && callLoss < 0.1 ? 'met' : 'not met'}.
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), report);
process.stdout.write(`\n${report}`);
