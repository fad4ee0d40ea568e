/**
 * boto3 against a real node. The checks live in Python (test/e2e/boto3/*.py, unittest) so
 * they see exactly what a boto3 user sees: datetimes, ClientError codes and statuses,
 * botocore's auto-filled ClientToken and its own paginator. Each script is one test here; it
 * must exit 0, and its output is printed when it does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '../support/node.ts';
import { BOTO3_SCRIPTS, runPython } from '../support/python.ts';
import { skipUnless } from '../support/tools.ts';

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
    agents: 'put_user_status, get_current_user_data and get_current_metric_data, with datetimes and units',
  };

  for (const [script, what] of Object.entries(scripts)) {
    test(`${script}.py: ${what}`, async () => {
      const { code, output } = await runPython(node, [join(BOTO3_SCRIPTS, `${script}.py`)]);
      assert.equal(code, 0, `python3 test/e2e/boto3/${script}.py exited ${code}:\n${output}`);
    });
  }
});
