/**
 * The test call page in headless Chromium (fake microphone and camera): it starts a web call
 * through its backend (StartWebRTCContact) and joins the meeting with the unmodified Amazon
 * Chime SDK 3.32.0, bundled by Vite. Media is not built yet, so what this shows is the
 * signaling as the real SDK speaks it: it opens the socket with its JoinToken as subprotocol,
 * accepts JOIN_ACK and INDEX, and goes on to offer its media (SUBSCRIBE), which it sends only
 * once the join has gone through.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, skipUnlessChromium } from '../support/browser.ts';
import { ROOT, spawnNode, type ChildNode } from '../support/node.ts';

const SHOTS = join(ROOT, '.tmp', 'screenshots');
/** SdkSignalFrame.Type.SUBSCRIBE */
const SUBSCRIBE = 3;

describe('the test call page', { skip: skipUnlessChromium() }, () => {
  let node: ChildNode;
  let browser: Browser;
  before(async () => {
    // At debug the node logs each signaling frame it does not handle yet, by type.
    node = await spawnNode(['--log-level', 'debug', '--log-format', 'json']);
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

  test('the unmodified Chime SDK joins the call’s meeting and offers its media', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(`${node.url}/test-call/`);
    await page.click('#call');
    await page.getByTestId('state').filter({ hasText: 'connecting' }).waitFor({ timeout: 15_000 });
    const subscribed = () =>
      node
        .stderr()
        .split('\n')
        .some((line) => line.includes('"frame not handled yet"') && line.includes(`"type":${SUBSCRIBE}`));
    for (let i = 0; i < 100 && !subscribed(); i++) await new Promise((r) => setTimeout(r, 100));
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'test-call-connecting.png') });
    assert.ok(
      subscribed(),
      `the SDK sent no SUBSCRIBE; page log:\n${await page.getByTestId('log').textContent()}`,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
});
