/**
 * boto3's connectparticipant client against a real node: the Participant Service as a Python
 * user sees it (ClientError codes and statuses, request ids, the transcript's paging). The
 * checks live in test/e2e/boto3/participant.py (unittest); each of its TestCase classes is one
 * test here, run as its own python process, side by side. A class must exit 0; its output is
 * printed when it does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '../support/node.ts';
import { BOTO3_SCRIPTS, runPython } from '../support/python.ts';
import { skipUnless } from '../support/tools.ts';

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
      const { code, output } = await runPython(node, [join(BOTO3_SCRIPTS, 'participant.py'), testCase]);
      assert.equal(code, 0, `python3 test/e2e/boto3/participant.py ${testCase} exited ${code}:\n${output}`);
    });
  }
});
