/**
 * `localconnect serve` as a user runs it: flags, the files first start writes, restarts,
 * a fixed access key, clean shutdown, and no secret in its output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConnectClient, StartChatContactCommand, DescribeInstanceCommand } from '@aws-sdk/client-connect';
import { ROOT, readCredentials, spawnNode, tempDir } from '../support/node.ts';

const run = promisify(execFile);

test('first start writes 0600 AWS shared files; a restart keeps the instance; SIGTERM exits 0', async () => {
  const dataDir = tempDir();
  const first = await spawnNode(['--region', 'eu-west-2', '--account-id', '123456789012'], { dataDir });
  let secrets: string[] = [];
  try {
    assert.match(first.stdout(), /First start/);
    assert.match(
      first.stdout(),
      /aws connect start-chat-contact --endpoint-url http:\/\/127\.0\.0\.1:\d+ --instance-id /,
    );
    // Where to answer chats, and it is served there.
    assert.ok(first.stdout().includes(`${first.url}/agent/`), 'the banner names the agent workspace');
    const workspace = await fetch(`${first.url}/agent/`);
    assert.equal(workspace.status, 200);
    assert.match(await workspace.text(), /<div id="root">/);
    assert.equal((await fetch(`${first.url}/test-chat/`)).status, 200);
    for (const file of ['aws-credentials', 'aws-config', 'admin-password']) {
      assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, `${file} mode`);
    }
    const config = readFileSync(join(dataDir, 'aws-config'), 'utf8');
    assert.match(config, /\[profile localconnect\]/);
    assert.match(config, /region = eu-west-2/);
    assert.ok(config.includes(`endpoint_url = ${first.url}`));
    const { Instance } = await first
      .connect()
      .send(new DescribeInstanceCommand({ InstanceId: first.instanceId }));
    assert.equal(Instance!.Arn, `arn:aws:connect:eu-west-2:123456789012:instance/${first.instanceId}`);

    const out = await first.connect().send(
      new StartChatContactCommand({
        InstanceId: first.instanceId,
        ContactFlowId: first.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
    // A request signed with a wrong secret is refused and must not echo anything secret.
    const wrong = new ConnectClient({
      endpoint: first.url,
      region: 'eu-west-2',
      credentials: { accessKeyId: first.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
      maxAttempts: 1,
    });
    await assert.rejects(wrong.send(new DescribeInstanceCommand({ InstanceId: first.instanceId })), {
      name: 'InvalidSignatureException',
    });
    secrets = [
      first.credentials.secretAccessKey,
      out.ParticipantToken!,
      readFileSync(join(dataDir, 'admin-password'), 'utf8').trim(),
    ];
  } finally {
    first.child.kill('SIGTERM');
  }
  assert.equal(await first.exited, 0);
  assert.match(first.stderr(), /SIGTERM, shutting down/);
  for (const secret of secrets) {
    assert.ok(
      !first.stdout().includes(secret) && !first.stderr().includes(secret),
      'a secret reached the output',
    );
  }

  const second = await spawnNode(['--region', 'eu-west-2', '--account-id', '123456789012'], { dataDir });
  try {
    assert.equal(second.instanceId, first.instanceId);
    assert.doesNotMatch(second.stdout(), /First start/);
    assert.deepEqual(second.credentials, readCredentials(dataDir));
    await second.connect().send(new DescribeInstanceCommand({ InstanceId: second.instanceId }));
  } finally {
    second.child.kill('SIGINT');
  }
  assert.equal(await second.exited, 0);
});

test('LOCALCONNECT_ACCESS_KEY_ID and LOCALCONNECT_SECRET_ACCESS_KEY fix the API key', async () => {
  const env = {
    LOCALCONNECT_ACCESS_KEY_ID: 'AKIDLOCALTEST0000001',
    LOCALCONNECT_SECRET_ACCESS_KEY: 'fixed-secret-for-tests',
  };
  const node = await spawnNode([], { env });
  try {
    assert.deepEqual(node.credentials, {
      accessKeyId: env.LOCALCONNECT_ACCESS_KEY_ID,
      secretAccessKey: env.LOCALCONNECT_SECRET_ACCESS_KEY,
    });
    await node.connect().send(new DescribeInstanceCommand({ InstanceId: node.instanceId }));
  } finally {
    await node.close();
  }
});

test('a bad flag exits 2 with the usage', async () => {
  await assert.rejects(
    run(process.execPath, [join(ROOT, 'src/cli.ts'), 'serve', '--port', 'nope']),
    (err: any) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr, /invalid port/);
      assert.equal(err.stderr, 'localconnect: invalid port: nope; see localconnect serve --help\n');
      return true;
    },
  );
  await assert.rejects(run(process.execPath, [join(ROOT, 'src/cli.ts'), 'serve', '--no-such-flag']), {
    code: 2,
  });
});

test('npm start passes flags through to serve', async () => {
  const dataDir = tempDir();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { spawn } = await import('node:child_process');
  const child = spawn(
    npm,
    ['start', '--silent', '--', '--port', '0', '--data-dir', dataDir, '--region', 'ap-south-1'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('First start')) resolve();
    });
    child.on('exit', () => reject(new Error(`npm start exited early: ${out}`)));
  });
  assert.match(out, /region\s+ap-south-1/);
  assert.ok(out.includes(dataDir));
  process.kill(-child.pid!, 'SIGTERM');
});
