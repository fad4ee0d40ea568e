/**
 * SigV4-signed StartChatContact against a real node (its own process, SQLite in a temp dir),
 * next to a bare node:http server answering the same requests with a fixed body in the same
 * run: the ratio shows what the edge, the validation and the durable write cost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { runLoad, type LoadResult, type PreparedRequest } from './load.ts';
import { spawnNode, tempDir } from '../test/support/node.ts';

const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const body = JSON.stringify({ ContactId: crypto.randomUUID(), ParticipantId: crypto.randomUUID(), ParticipantToken: 'x'.repeat(43) });
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

export interface StartChatBenchResult {
  localconnect: LoadResult;
  bare: LoadResult;
  concurrency: number;
  durationMs: number;
}

export async function benchStartChatContact(
  concurrency = 64,
  durationMs = 10_000,
): Promise<StartChatBenchResult> {
  const node = await spawnNode(['--log-level', 'warn'], { dataDir: tempDir('localconnect-bench-') });
  const bare = await startBare();
  try {
    const { hostname, port, host } = new URL(node.url);
    const signer = new SignatureV4({
      service: 'connect',
      region: node.region,
      credentials: node.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
    // Enough signed requests, each with its own ClientToken, for 20,000 requests/s.
    const count = Math.ceil((durationMs / 1000) * 20_000);
    const prepared: PreparedRequest[] = [];
    const signingDate = new Date();
    for (let i = 0; i < count; i++) {
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
      const signed = await signer.sign(
        {
          method: 'PUT',
          protocol: 'http:',
          hostname,
          port: Number(port),
          path: '/contact/chat',
          headers,
          body,
        },
        { signingDate },
      );
      prepared.push({
        method: 'PUT',
        path: '/contact/chat',
        headers: signed.headers as Record<string, string>,
        body,
      });
    }
    const pick = (i: number) => prepared[i % prepared.length];
    // Warm both servers up (JIT, SQLite page cache) before measuring.
    await runLoad(bare.url, pick, concurrency, 1000);
    await runLoad(node.url, (i) => prepared[prepared.length - 1 - i], concurrency, 1000);
    const bareResult = await runLoad(bare.url, pick, concurrency, durationMs);
    const result = await runLoad(node.url, pick, concurrency, durationMs);
    return { localconnect: result, bare: bareResult, concurrency, durationMs };
  } finally {
    bare.child.kill();
    await node.close();
  }
}
