/**
 * boto3's connectparticipant client against a real node: the Participant Service as a Python
 * user sees it (ClientError codes and statuses, request ids, the transcript's paging). The
 * checks live in test/e2e/boto3/participant.py (unittest); each of its TestCase classes is one
 * test here, run as its own python process, side by side. A class must exit 0; its output is
 * printed when it does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startTestNode, type TestNode } from '../support/node.ts';
import { PYTHON, skipUnless } from '../support/tools.ts';

const SCRIPTS = join(ROOT, 'test/e2e/boto3');

function runClass(node: TestNode, testCase: string): Promise<{ code: number; output: string }> {
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
      [join(SCRIPTS, 'participant.py'), testCase],
      { env, cwd: SCRIPTS, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? (err.code as number) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('boto3 connectparticipant', { skip: skipUnless('boto3'), concurrency: true }, () => {
  let node: TestNode;

  before(async () => {
    node = await startTestNode();
  });

  after(async () => {
    await node?.close();
  });

  const classes = {
    CreateParticipantConnection:
      'WEBSOCKET and CONNECTION_CREDENTIALS parts, URL and expiries, only the requested parts',
    SendMessage:
      'Id and AbsoluteTime, ClientToken idempotency, 1024-character limit, supported content types',
    SendEvent: 'typing not kept, read/delivered receipts folded into MessageMetadata, bad receipts and types',
    GetTranscript:
      'default order, SortOrder, ScanDirection, NextToken paging, StartPosition Id/MostRecent/AbsoluteTime/{}',
    DisconnectParticipant:
      'CUSTOMER_DISCONNECT, then every call is AccessDeniedException; likewise after StopContact',
    Errors: 'bad, forged, swapped and foreign tokens are AccessDeniedException 403 with a RequestId',
  };

  for (const [testCase, what] of Object.entries(classes)) {
    test(`participant.py ${testCase}: ${what}`, async () => {
      const { code, output } = await runClass(node, testCase);
      assert.equal(code, 0, `python3 test/e2e/boto3/participant.py ${testCase} exited ${code}:\n${output}`);
    });
  }
});
