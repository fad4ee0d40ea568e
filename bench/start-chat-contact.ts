/**
 * SigV4-signed StartChatContact against a real node (its own process, SQLite in a temp dir),
 * next to a bare node:http server answering the same requests with a fixed body in the same
 * run: the ratio shows what the edge, the validation and the durable write cost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { runWrk, writeRequests, type LoadResult, type PreparedRequest } from './wrk.ts';
import { spawnNode, tempDir } from '../test/support/node.ts';
import { machineCpu, processCpuMs } from './machine.ts';

const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const body = JSON.stringify({ ContactId: crypto.randomUUID(), ParticipantId: crypto.randomUUID(), ParticipantToken: 'x'.repeat(64) });
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID() });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

async function startBare(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [data] = await once(child.stdout!, 'data');
  return { url: `http://127.0.0.1:${/port (\d+)/.exec(String(data))![1]}`, child };
}

export interface StartChatRound {
  localconnect: LoadResult;
  bare: LoadResult;
  /** CPU time of each server's process (all its threads) per request of its measured run, µs. */
  localconnectCpuUs: number;
  bareCpuUs: number;
  /** CPU time the hypervisor took from the machine during localconnect's run, % of its cores. */
  stealPct: number;
}

/** Enough distinct requests that a run never repeats a ClientToken below this rate. */
const MAX_EXPECTED_RATE = 12_000;

/**
 * `warmupSeconds` of the same load, with requests of their own, run against each server before
 * its measured run: the figures are of a running server, not of V8 compiling it and SQLite's cache
 * and files filling for the first time.
 */
export async function benchStartChatContact(
  connections: number,
  seconds: number,
  wrkThreads: number,
  warmupSeconds: number,
  /** The node's log level: warn (no line per call), or info (the default, a line per call and per contact step). */
  logLevel = 'warn',
): Promise<StartChatRound> {
  const work = tempDir('localconnect-bench-');
  const node = await spawnNode(['--log-level', logLevel], { dataDir: join(work, 'data') });
  const bare = await startBare();
  try {
    const { hostname, port, host } = new URL(node.url);
    const signer = new SignatureV4({
      service: 'connect',
      region: node.region,
      credentials: node.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
    const sign = async (): Promise<PreparedRequest> => {
      const body = JSON.stringify({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Bench' },
        Attributes: { customerTier: 'gold', lang: 'en' },
        ClientToken: randomUUID(),
      });
      const headers = {
        host,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      };
      const signed = await signer.sign({
        method: 'PUT',
        protocol: 'http:',
        hostname,
        port: Number(port),
        path: '/contact/chat',
        headers,
        body,
      });
      return {
        method: 'PUT',
        path: '/contact/chat',
        headers: signed.headers as Record<string, string>,
        body,
      };
    };
    // Each run its own requests: a ClientToken sent twice would be answered as a replay.
    const prepare = async (name: string, count: number) => {
      const requests: PreparedRequest[] = [];
      for (let i = 0; i < count; i++) requests.push(await sign());
      const file = join(work, name);
      writeRequests(file, requests);
      return file;
    };
    const file = await prepare('requests.txt', MAX_EXPECTED_RATE * seconds);
    const warmFile = await prepare('warmup.txt', MAX_EXPECTED_RATE * warmupSeconds);
    const measure = (url: string, pid: number) => {
      runWrk(url, warmFile, connections, warmupSeconds, wrkThreads);
      const cpuBefore = processCpuMs(pid);
      const stealBefore = machineCpu().stealMs;
      const result = runWrk(url, file, connections, seconds, wrkThreads);
      return {
        result,
        cpuUs: ((processCpuMs(pid) - cpuBefore) * 1000) / result.requests,
        stealPct: (100 * (machineCpu().stealMs - stealBefore)) / (result.seconds * 1000 * cpus().length),
      };
    };
    const bareRun = measure(bare.url, bare.child.pid!);
    const run = measure(node.url, node.child.pid!);
    return {
      localconnect: run.result,
      bare: bareRun.result,
      localconnectCpuUs: run.cpuUs,
      bareCpuUs: bareRun.cpuUs,
      stealPct: run.stealPct,
    };
  } finally {
    bare.child.kill();
    await node.close();
    rmSync(work, { recursive: true, force: true });
  }
}
