/**
 * Runs a Python test script (test/e2e/boto3/*.py) against a node: the node's endpoint, ids and
 * generated AWS profile in its environment. Resolves with the exit code and everything printed.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type TestNode } from './node.ts';
import { PYTHON } from './tools.ts';

export const BOTO3_SCRIPTS = join(ROOT, 'test/e2e/boto3');

export function runPython(node: TestNode, args: string[]): Promise<{ code: number; output: string }> {
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
      args,
      { env, cwd: BOTO3_SCRIPTS, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? (err.code as number) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}
