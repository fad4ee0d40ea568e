/**
 * `localconnect` on the command line as a user meets it: help wherever they ask for it, one line
 * on stderr for a mistake or a busy port, and a first start after a failed one that completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConnectClient, ListInstancesCommand } from '@aws-sdk/client-connect';
import { ROOT, readCredentials, spawnNode, tempDir } from '../support/node.ts';

const execFileP = promisify(execFile);

/** Runs the CLI to its end: exit code, stdout and stderr. */
async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [join(ROOT, 'src/cli.ts'), ...args], {
      timeout: 20_000,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('serve --help, serve -h, --help and help exit 0 and print the usage', async () => {
  for (const args of [['serve', '--help'], ['serve', '-h'], ['--help'], ['help']]) {
    const { code, stdout, stderr } = await cli(args);
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
    assert.match(stdout, /^Usage: localconnect serve \[options\]/, args.join(' '));
    assert.match(stdout, /--public-origin URL/, args.join(' '));
    assert.match(stdout, /--\[no-\]test-pages/, args.join(' '));
    assert.match(stdout, /--sns-endpoint URL .*\n.*LOCALCONNECT_SNS_ENDPOINT/, args.join(' '));
    assert.match(stdout, /--s3-endpoint URL .*\n.*LOCALCONNECT_S3_ENDPOINT/, args.join(' '));
    assert.match(stdout, /--outbox-max-age AGE .*\n.*LOCALCONNECT_OUTBOX_MAX_AGE/, args.join(' '));
    assert.match(stdout, /--metrics-token TOK .*LOCALCONNECT_METRICS_TOKEN/, args.join(' '));
  }
});

test('an --outbox-max-age that is no duration, or a short LOCALCONNECT_METRICS_TOKEN, exits 2 with one line', async () => {
  for (const [args, env, message] of [
    [['--outbox-max-age', '1 week'], {}, /--outbox-max-age 1 week: expected a duration/],
    [['--outbox-max-age', '0'], {}, /--outbox-max-age 0: expected a duration/],
    [[], { LOCALCONNECT_METRICS_TOKEN: 'short' }, /--metrics-token must be at least 16/],
  ] as const) {
    const { code, stdout, stderr } = await cli(['serve', ...args, '--data-dir', tempDir()], env);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    assert.match(stderr, message);
  }
});

test('serve --bogus exits 2 with one line on stderr', async () => {
  const { code, stdout, stderr } = await cli(['serve', '--bogus', '--data-dir', tempDir()]);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  assert.match(stderr, /--bogus/);
});

test('an --sns-endpoint or LOCALCONNECT_S3_ENDPOINT that is no http(s) URL exits 2 with one line', async () => {
  for (const [args, env] of [
    [['--sns-endpoint', 'sns.example.com'], {}],
    [[], { LOCALCONNECT_S3_ENDPOINT: 'ftp://127.0.0.1:21' }],
  ] as const) {
    const { code, stdout, stderr } = await cli(['serve', ...args, '--data-dir', tempDir()], env);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    assert.match(stderr, /endpoint .*expected an http or https URL/);
  }
});

test('a busy port exits 1 with one line; then a start on a free port with the same data dir completes', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  const dataDir = tempDir();
  try {
    const busy = await cli(['serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'error']);
    assert.equal(busy.code, 1, busy.stderr);
    assert.equal(busy.stderr.trimEnd().split('\n').length, 1, busy.stderr);
    assert.match(busy.stderr, /already in use/);
    assert.ok(!busy.stderr.includes('    at '), `a stack trace: ${busy.stderr}`);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }

  const node = await spawnNode([], { dataDir });
  try {
    assert.match(node.stdout(), /First start/);
    const client = new ConnectClient({
      endpoint: node.url,
      region: node.region,
      credentials: readCredentials(dataDir),
      maxAttempts: 1,
    });
    const { InstanceSummaryList } = await client.send(new ListInstancesCommand({}));
    assert.deepEqual(
      InstanceSummaryList?.map((i) => i.Id),
      [node.instanceId],
    );
  } finally {
    await node.close();
  }
});
