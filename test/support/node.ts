/**
 * A real localconnect node for a test: in-process (startNode, real HTTP on a free port, a
 * fresh data dir) or as a child process (`node src/cli.ts serve`), for tests of the CLI,
 * signals and crashes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectClient } from '@aws-sdk/client-connect';
import { loadConfig } from '../../src/config.ts';
import { startNode, type RunningNode } from '../../src/main.ts';
import type { NodeOverrides } from '../../src/main.ts';
import type { Clock } from '../../src/ports/clock.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TestNode {
  url: string;
  dataDir: string;
  region: string;
  instanceId: string;
  flowId: string;
  credentials: Credentials;
  /** Environment for the AWS CLI and boto3: the generated shared files and profile. */
  awsEnv: Record<string, string>;
  connect(): ConnectClient;
  close(): Promise<void>;
  node?: RunningNode;
}

/** A Connect client that signs as of the node's clock (ahead of the real one once a test advances it). */
export function connectAtClock(
  node: Pick<TestNode, 'url' | 'region' | 'credentials'>,
  clock: Clock,
): ConnectClient {
  return new ConnectClient({
    endpoint: node.url,
    region: node.region,
    credentials: node.credentials,
    systemClockOffset: clock.now() - Date.now(),
    maxAttempts: 1,
  });
}

export function tempDir(prefix = 'localconnect-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readCredentials(dataDir: string): Credentials {
  const text = readFileSync(join(dataDir, 'aws-credentials'), 'utf8');
  return {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(text)![1],
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)![1],
  };
}

function describe(url: string, dataDir: string, region: string, instanceId: string, flowId: string) {
  const credentials = readCredentials(dataDir);
  return {
    url,
    dataDir,
    region,
    instanceId,
    flowId,
    credentials,
    awsEnv: {
      AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'aws-credentials'),
      AWS_CONFIG_FILE: join(dataDir, 'aws-config'),
      AWS_PROFILE: 'localconnect',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    },
    connect: () => new ConnectClient({ endpoint: url, region, credentials, maxAttempts: 1 }),
  };
}

/**
 * Starts a node in this process. `args` are `serve` flags; `opts.dataDir`: a data dir to start
 * on (kept at close), else a fresh one (removed at close).
 */
export async function startTestNode(
  args: string[] = [],
  overrides: NodeOverrides = {},
  opts: { dataDir?: string } = {},
): Promise<TestNode> {
  const dataDir = opts.dataDir ?? tempDir();
  const config = loadConfig(['--port', '0', '--data-dir', dataDir, '--log-level', 'error', ...args], {});
  const node = await startNode(config, overrides);
  return {
    ...describe(node.url, dataDir, config.region, node.info.instanceId, node.info.inboundFlowId),
    node,
    close: async () => {
      await node.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ChildNode extends TestNode {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `localconnect serve` as a child process and waits for its banner. */
export async function spawnNode(
  args: string[],
  opts: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<ChildNode> {
  const dataDir = opts.dataDir ?? tempDir();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'src/cli.ts'), 'serve', '--port', '0', '--data-dir', dataDir, ...args],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('First start') || /aws connect describe-instance.*\n/.test(out)) resolve(out);
    });
    exited.then((code) => reject(new Error(`node exited (${code}) before it was ready:\n${err}`)));
    setTimeout(() => reject(new Error(`node not ready after 20 s:\n${out}\n${err}`)), 20_000).unref();
  });
  const url = /listening on (\S+)/.exec(banner)![1];
  const instanceId = /instance\s+(\S+)/.exec(banner)![1];
  const flowId = /inbound flow\s+(\S+)/.exec(banner)![1];
  const region = /region\s+(\S+),/.exec(banner)![1];
  return {
    ...describe(url, dataDir, region, instanceId, flowId),
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
