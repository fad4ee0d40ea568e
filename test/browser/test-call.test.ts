/**
 * The test call page in headless Chromium (fake microphone and camera): it starts a web call
 * through its backend (StartWebRTCContact) and joins the meeting with the unmodified Amazon
 * Chime SDK 3.32.0, bundled by Vite. The SDK opens the signaling socket with its JoinToken as
 * subprotocol, joins (JOIN_ACK, INDEX), offers its media (SUBSCRIBE) and takes the node's
 * answer: its ICE connects, and it reports audioVideoDidStart. The node hears the fake
 * microphone, starts the flow, and speaks its greeting: the page's received audio has energy
 * before any agent is there. Hanging up (the SDK's LEAVE) ends the contact CUSTOMER_DISCONNECT.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import {
  DescribeContactCommand,
  StartWebRTCContactCommand,
  StopContactCommand,
} from '@aws-sdk/client-connect';
import { CHROMIUM, CHROMIUM_ARGS, skipUnlessChromium } from '../support/browser.ts';
import { ROOT, spawnNode, type ChildNode } from '../support/node.ts';

const SHOTS = join(ROOT, '.tmp', 'screenshots');

describe('the test call page', { skip: skipUnlessChromium() }, () => {
  let node: ChildNode;
  let browser: Browser;
  before(async () => {
    node = await spawnNode(['--log-level', 'warn']);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--allow-loopback-in-peer-connection',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await node?.close();
  });

  test('the unmodified Chime SDK joins the call’s meeting, and its media connects (audioVideoDidStart)', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(`${node.url}/test-call/`);
    await page.click('#call');
    const state = page.getByTestId('state');
    try {
      await state.filter({ hasText: 'in call' }).waitFor({ timeout: 15_000 });
    } finally {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'test-call-in-call.png') });
    }
    assert.deepEqual(errors, []);
    // The greeting, spoken by the node once it hears the customer: energy in what the page receives.
    const heard = page.getByTestId('heard');
    const heardEnough =
      "Number(document.getElementById('heard').dataset.energy ?? 0) > 0.001 && " +
      "Number(document.getElementById('heard').dataset.packets ?? 0) > 25";
    await page.waitForFunction(heardEnough, undefined, { timeout: 10_000 }).catch(async (err) => {
      throw new Error(`heard: ${await heard.innerText()}`, { cause: err });
    });
    const contactId = (await state.getAttribute('data-contact-id'))!;
    await page.click('#hang-up');
    await state.filter({ hasText: 'ended' }).waitFor({ timeout: 10_000 });
    await page.close();
    // The SDK's LEAVE is the customer hanging up.
    const describe = () =>
      node.connect().send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
    for (let i = 0; i < 50 && !(await describe()).Contact!.DisconnectReason; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal((await describe()).Contact!.DisconnectReason, 'CUSTOMER_DISCONNECT');
  });

  test('an attendee whose join token is expired or another call’s is refused once, and the SDK stops without retrying', async () => {
    const start = () =>
      node.connect().send(
        new StartWebRTCContactCommand({
          InstanceId: node.instanceId,
          ContactFlowId: node.flowId,
          ParticipantDetails: { DisplayName: 'Mallory' },
        }),
      );
    const [ended, other, live] = [await start(), await start(), await start()];
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: ended.ContactId }));
    const cases = [
      { what: 'an ended call’s token', connectionData: ended.ConnectionData },
      {
        what: 'another call’s token',
        connectionData: { ...live.ConnectionData, Attendee: other.ConnectionData!.Attendee },
      },
    ];
    for (const { what, connectionData } of cases) {
      const page = await browser.newPage();
      // The page's backend answers with this call's data: the unmodified SDK joins with it.
      await page.route('**/test-call/api/start', (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ ContactId: ended.ContactId, ConnectionData: connectionData }),
        }),
      );
      const sockets: string[] = [];
      page.on('websocket', (ws) => {
        if (ws.url().includes('/control/')) sockets.push(ws.url());
      });
      await page.goto(`${node.url}/test-call/`);
      await page.click('#call');
      const state = page.getByTestId('state');
      await state.filter({ hasText: 'ended' }).waitFor({ timeout: 15_000 });
      assert.equal(await state.textContent(), 'ended (11)', `${what}: SignalingBadRequest`);
      await new Promise((r) => setTimeout(r, 5000));
      assert.equal(sockets.length, 1, `${what}: one attempt, no retries`);
      await page.close();
    }
    for (const c of [other, live])
      await node
        .connect()
        .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: c.ContactId }));
  });
});
