/**
 * A web call from end to end in headless Chromium, each side in a browser of its own whose fake
 * microphone plays a tone (440 Hz for the customer, 880 Hz for the agent): the customer's test
 * call page starts it (StartWebRTCContact through its backend) and joins with the unmodified
 * Chime SDK; the flow's greeting is heard before any agent; the call rings in the agent
 * workspace as a call, with its description, reference and attributes; the agent accepts and
 * joins the meeting with the SDK (the workspace's own bundle); each page then hears the other's
 * tone, by the dominant frequency of what it receives (Web Audio); the agent hangs up, the
 * customer's call ends, and the contact is AGENT_DISCONNECT, in after-contact work.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { DescribeContactCommand } from '@aws-sdk/client-connect';
import { CHROMIUM, CHROMIUM_ARGS, skipUnlessChromium } from '../support/browser.ts';
import { ROOT, startTestNode, tempDir, type TestNode } from '../support/node.ts';
import { AGENT_PASSWORD, createAgentUser } from '../support/agent.ts';
import { TcpGate } from '../support/tcp-gate.ts';
import { freePort } from '../support/moto.ts';

const SHOTS = join(ROOT, '.tmp', 'screenshots');
const CUSTOMER_HZ = 440;
const AGENT_HZ = 880;

/** A 16-bit mono WAV of a tone, for Chromium's fake microphone (it loops the file). */
function toneWav(path: string, hz: number, seconds = 10): string {
  const rate = 48_000;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    wav.writeInt16LE(Math.round(12_000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  writeFileSync(path, wav);
  return path;
}

const launchWithMicrophone = (wav: string) =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });

/**
 * The dominant frequency (100 Hz – 2 kHz) of what the page's audio element receives, by a Web
 * Audio analyser on its stream; 0 while it has no stream.
 */
function heardFrequency(page: Page, selector: string): Promise<number> {
  // A string, for this file is type-checked against Node's globals, not the DOM's.
  return page.evaluate(`(async (sel) => {
    const stream = document.querySelector(sel)?.srcObject;
    if (!stream || stream.getAudioTracks().length === 0) return 0;
    const ctx = new AudioContext();
    try {
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      ctx.createMediaStreamSource(stream).connect(analyser);
      await new Promise((r) => setTimeout(r, 700));
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      const hzPerBin = ctx.sampleRate / analyser.fftSize;
      let best = -Infinity;
      let at = 0;
      for (let i = Math.ceil(100 / hzPerBin); i <= 2000 / hzPerBin; i++)
        if (bins[i] > best) [best, at] = [bins[i], i];
      return best > -90 ? at * hzPerBin : 0;
    } finally {
      await ctx.close();
    }
  })(${JSON.stringify(selector)})`);
}

/** Signs the workspace page in as the agent user and sets them Available. */
async function signInAvailable(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/agent/`);
  await page.getByTestId('signin-username').fill(username);
  await page.getByTestId('signin-password').fill(AGENT_PASSWORD);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('events-status').filter({ hasText: 'connected' }).waitFor();
  await page.getByTestId('status-select').selectOption({ label: 'Available' });
}

async function hears(page: Page, selector: string, hz: number, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last = 0;
  while (Date.now() < deadline) {
    last = await heardFrequency(page, selector);
    if (hz === 0 ? last === 0 : Math.abs(last - hz) <= hz * 0.03) return;
  }
  throw new Error(`${what}: heard ${last.toFixed(0)} Hz, not ${hz} Hz`);
}

describe(
  'a web call between the test call page and the agent workspace (headless Chromium)',
  { skip: skipUnlessChromium() },
  () => {
    let node: TestNode;
    let customerBrowser: Browser;
    let agentBrowser: Browser;

    before(async () => {
      mkdirSync(SHOTS, { recursive: true });
      const dir = tempDir('localconnect-tones-');
      [node, customerBrowser, agentBrowser] = await Promise.all([
        startTestNode(),
        launchWithMicrophone(toneWav(join(dir, 'customer.wav'), CUSTOMER_HZ)),
        launchWithMicrophone(toneWav(join(dir, 'agent.wav'), AGENT_HZ)),
      ]);
      await createAgentUser(node.connect(), node.instanceId, 'callee');
    });
    after(async () => {
      await customerBrowser?.close();
      await agentBrowser?.close();
      await node?.close();
    });

    const errors: string[] = [];

    /** The agent's workspace, signed in and Available. */
    async function agentPage(): Promise<Page> {
      const agent = await agentBrowser.newPage({ viewport: { width: 1280, height: 800 } });
      agent.on('pageerror', (err) => errors.push(`agent: ${err.message}`));
      await signInAvailable(agent, node.url, 'callee');
      return agent;
    }

    /** The customer's test call page, in the call; `fill` sets its fields before Call is pressed. */
    async function customerCall(fill: (page: Page) => Promise<void> = async () => {}) {
      const customer = await customerBrowser.newPage();
      customer.on('pageerror', (err) => errors.push(`customer: ${err.message}`));
      await customer.goto(`${node.url}/test-call/`);
      await fill(customer);
      await customer.click('#call');
      const state = customer.getByTestId('state');
      await state.filter({ hasText: 'in call' }).waitFor({ timeout: 15_000 });
      return { customer, state, contactId: (await state.getAttribute('data-contact-id'))! };
    }

    /** The agent accepts the call and is in it. */
    async function accept(agent: Page, contactId: string): Promise<void> {
      const offer = agent.locator(`[data-testid="offer"][data-contact-id="${contactId}"]`);
      await offer.waitFor();
      assert.match((await offer.textContent())!, /Incoming call/);
      await offer.getByTestId('offer-accept').click();
      await agent.getByTestId('call-status').filter({ hasText: 'In call' }).waitFor({ timeout: 15_000 });
    }

    /** The agent hangs up, and clears the after-contact work. */
    async function hangUp(agent: Page, state: Locator): Promise<void> {
      await agent.getByTestId('hang-up').click();
      await state.filter({ hasText: 'ended' }).waitFor({ timeout: 10_000 });
      await agent.getByTestId('acw').getByTestId('clear-contact').click();
    }

    /** Video frames the page's element has shown so far. */
    const framesShown = (page: Page, selector: string): Promise<number> =>
      page.evaluate(
        `(() => { const v = document.querySelector(${JSON.stringify(selector)}); return v && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : 0; })()`,
      );

    test('the customer hears the greeting, the agent takes the call, each hears the other, the agent hangs up', async () => {
      const agent = await agentPage();
      const { customer, state, contactId } = await customerCall(async (page) => {
        await page.fill('#description', 'Video support');
        await page.fill('#order', 'https://shop.example/o/42');
      });

      // The flow's greeting, spoken by the node, reaches the customer before any agent is there.
      await customer.waitForFunction(
        "Number(document.getElementById('heard').dataset.energy ?? 0) > 0.001",
        undefined,
        {
          timeout: 10_000,
        },
      );

      await accept(agent, contactId);
      assert.equal(await agent.getByTestId('camera').count(), 0, 'an audio call: no camera');
      const details = agent.getByTestId('attributes');
      assert.equal(await details.getByTestId('description').textContent(), 'Video support');
      assert.equal(
        await details.locator('[data-testid="reference"][data-key="order"] a').getAttribute('href'),
        'https://shop.example/o/42',
      );
      assert.match(
        (await details.locator('[data-testid="attribute"][data-key="source"]').textContent())!,
        /test-call/,
      );

      await hears(customer, '#audio', AGENT_HZ, "the customer hears the agent's tone");
      await hears(agent, '[data-testid="call-audio"]', CUSTOMER_HZ, "the agent hears the customer's tone");
      await agent.screenshot({ path: join(SHOTS, 'workspace-call.png') });

      // The SDK's presence and volume indicator show the agent, speaking and not muted.
      const others = customer.getByTestId('others');
      const othersAre = (check: string, what: string) =>
        customer
          .waitForFunction(
            `(() => { const d = document.getElementById('others').dataset; return ${check}; })()`,
            undefined,
            { timeout: 10_000 },
          )
          .catch(async (err) => {
            throw new Error(`${what}: ${await others.textContent()}`, { cause: err });
          });
      await othersAre(
        "d.present === 'true' && Number(d.volume) > 0.3 && d.muted !== 'true'",
        'the agent speaking',
      );

      // Muted, the agent sends silence, and is shown muted; unmuted, their tone again.
      await agent.getByTestId('mute').click();
      await hears(customer, '#audio', 0, 'the customer hears nothing while the agent is muted');
      await othersAre("d.muted === 'true'", 'the agent muted');
      await agent.getByTestId('mute').click();
      await hears(customer, '#audio', AGENT_HZ, 'the customer hears the agent again');
      await othersAre("d.muted === 'false'", 'the agent unmuted');

      await agent.getByTestId('hang-up').click();
      await state.filter({ hasText: 'ended' }).waitFor({ timeout: 10_000 });
      await agent.getByTestId('acw').waitFor();
      const { Contact } = await node
        .connect()
        .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
      assert.equal(Contact!.DisconnectReason, 'AGENT_DISCONNECT');
      await agent.getByTestId('acw').getByTestId('clear-contact').click();
      assert.deepEqual(errors, []);
      await Promise.all([agent.close(), customer.close()]);
    });

    test('a video call: each side sees the other’s camera', async () => {
      const agent = await agentPage();
      const { customer, state, contactId } = await customerCall(async (page) => {
        await page.check('#allow-video');
        await page.check('#camera');
      });
      await accept(agent, contactId);
      await agent.getByTestId('camera').click();
      const deadline = Date.now() + 15_000;
      let shown = { agent: 0, customer: 0 };
      while (Date.now() < deadline && (shown.agent < 30 || shown.customer < 30)) {
        await new Promise((r) => setTimeout(r, 250));
        shown = {
          agent: await framesShown(agent, '[data-testid="call-video"]'),
          customer: await framesShown(customer, '#remote-video'),
        };
      }
      assert.ok(shown.agent >= 30, `the agent saw ${shown.agent} frames of the customer`);
      assert.ok(shown.customer >= 30, `the customer saw ${shown.customer} frames of the agent`);
      await agent.screenshot({ path: join(SHOTS, 'workspace-video-call.png') });
      await hangUp(agent, state);
      assert.deepEqual(errors, []);
      await Promise.all([agent.close(), customer.close()]);
    });

    test('a customer whose call does not allow video and who turns the camera on is not seen: the agent never gets a tile', async () => {
      const agent = await agentPage();
      const { customer, state, contactId } = await customerCall((page) => page.check('#camera'));
      await accept(agent, contactId);
      assert.equal(await agent.getByTestId('camera').count(), 0);
      // Audio flows, so the call is up; a forwarded camera would show within this time.
      await hears(agent, '[data-testid="call-audio"]', CUSTOMER_HZ, "the agent hears the customer's tone");
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(await framesShown(agent, '[data-testid="call-video"]'), 0);
      assert.equal(await agent.locator('.call-video-holder').isHidden(), true, 'no tile');
      await hangUp(agent, state);
      assert.deepEqual(errors, []);
      await Promise.all([agent.close(), customer.close()]);
    });
  },
);

describe(
  'a web call whose signaling connections drop (headless Chromium)',
  { skip: skipUnlessChromium() },
  () => {
    let node: TestNode;
    let gate: TcpGate;
    let customerBrowser: Browser;
    let agentBrowser: Browser;

    before(async () => {
      const dir = tempDir('localconnect-tones-');
      // The meetings' URLs name the gate, so the test can cut their signaling connections.
      const port = await freePort();
      [node, customerBrowser, agentBrowser] = await Promise.all([
        startTestNode(['--media-origin', `ws://127.0.0.1:${port}`]),
        launchWithMicrophone(toneWav(join(dir, 'customer.wav'), CUSTOMER_HZ)),
        launchWithMicrophone(toneWav(join(dir, 'agent.wav'), AGENT_HZ)),
      ]);
      gate = await TcpGate.open(Number(new URL(node.url).port), port);
      await createAgentUser(node.connect(), node.instanceId, 'steady');
    });
    after(async () => {
      await gate?.shut();
      await customerBrowser?.close();
      await agentBrowser?.close();
      await node?.close();
    });

    test('both SDKs reconnect (a new socket and peer, the same token) and the call goes on, each hearing the other', async () => {
      const agent = await agentBrowser.newPage();
      await signInAvailable(agent, node.url, 'steady');
      const customer = await customerBrowser.newPage();
      await customer.goto(`${node.url}/test-call/`);
      const sockets: string[] = [];
      customer.on('websocket', (ws) => {
        if (ws.url().includes('/control/')) sockets.push(ws.url());
      });
      await customer.click('#call');
      const state = customer.getByTestId('state');
      await state.filter({ hasText: 'in call' }).waitFor({ timeout: 15_000 });
      const contactId = (await state.getAttribute('data-contact-id'))!;
      const offer = agent.locator(`[data-testid="offer"][data-contact-id="${contactId}"]`);
      await offer.getByTestId('offer-accept').click();
      await hears(customer, '#audio', AGENT_HZ, "the customer hears the agent's tone");
      await hears(agent, '[data-testid="call-audio"]', CUSTOMER_HZ, "the agent hears the customer's tone");

      // The network drops every signaling connection, and is back at once.
      await gate.shut();
      await gate.reopen(Number(new URL(node.url).port));
      await customer
        .getByTestId('log')
        .filter({ hasText: 'state: reconnecting' })
        .waitFor({ timeout: 15_000 });
      await state.filter({ hasText: 'in call' }).waitFor({ timeout: 15_000 });
      assert.ok(sockets.length >= 2, `a new signaling socket (${sockets.length})`);
      await hears(customer, '#audio', AGENT_HZ, 'the customer hears the agent after the reconnect');
      await hears(
        agent,
        '[data-testid="call-audio"]',
        CUSTOMER_HZ,
        'the agent hears the customer after the reconnect',
      );
      const { Contact } = await node
        .connect()
        .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
      assert.equal(Contact!.DisconnectReason, undefined, 'the call goes on');

      await agent.getByTestId('hang-up').click();
      await state.filter({ hasText: 'ended' }).waitFor({ timeout: 10_000 });
      await Promise.all([agent.close(), customer.close()]);
    });
  },
);
