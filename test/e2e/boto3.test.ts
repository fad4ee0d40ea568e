/**
 * boto3 against a real node. The checks live in Python (test/e2e/boto3/*.py, unittest) so
 * they see exactly what a boto3 user sees: datetimes, ClientError codes and statuses,
 * botocore's auto-filled ClientToken and its own paginator. Each script is one test here; it
 * must exit 0, and its output is printed when it does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startTestNode, type TestNode } from '../support/node.ts';
import { PYTHON, skipUnless } from '../support/tools.ts';

const SCRIPTS = join(ROOT, 'test/e2e/boto3');

function runScript(node: TestNode, script: string): Promise<{ code: number; output: string }> {
  const env = {
    ...process.env,
    ...node.awsEnv,
    LOCALCONNECT_URL: node.url,
    LOCALCONNECT_REGION: node.region,
    LOCALCONNECT_INSTANCE_ID: node.instanceId,
    LOCALCONNECT_FLOW_ID: node.flowId,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [join(SCRIPTS, `${script}.py`)],
      { env, cwd: SCRIPTS, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? (err.code as number) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('boto3', { skip: skipUnless('boto3') }, () => {
  let node: TestNode;

  before(async () => {
    node = await startTestNode();
  });

  after(async () => {
    await node?.close();
  });

  const scripts = {
    contacts: 'start_chat_contact (ids, ClientToken idempotency and auto-fill), describe, attributes, stop',
    errors: 'ClientError codes and HTTP statuses, RequestId on errors, InvalidSignatureException',
    admin: "boto3's list_queues paginator over several pages, InvalidContactFlowException",
  };

  for (const [script, what] of Object.entries(scripts)) {
    test(`${script}.py: ${what}`, async () => {
      const { code, output } = await runScript(node, script);
      assert.equal(code, 0, `python3 test/e2e/boto3/${script}.py exited ${code}:\n${output}`);
    });
  }
});
