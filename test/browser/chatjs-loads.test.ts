/**
 * Smoke test of the browser harness, without a localconnect node: the unmodified
 * amazon-connect-chatjs loads in headless Chromium, creates a CUSTOMER session against an
 * overridden endpoint, and connect() sends CreateParticipantConnection there with the
 * participant token as X-Amz-Bearer. The request is answered by page.route (403
 * AccessDeniedException), so connect() must reject. Nothing may leave 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, serveTestPages, skipUnlessChromium, type TestPages } from '../support/browser.ts';

const skip = skipUnlessChromium();

describe('chatjs in headless Chromium', { skip }, () => {
  let pages: TestPages;
  let browser: Browser;
  before(async () => {
    [pages, browser] = await Promise.all([serveTestPages(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
  });

  test('loads, creates a CUSTOMER session, and connect() calls POST <endpoint>/participant/connection', async (t) => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const hosts = new Set<string>();
    page.on('request', (req) => hosts.add(new URL(req.url()).host));

    // A different origin from the page, as a real deployment has; nothing listens there,
    // so only page.route can answer.
    const endpoint = 'http://127.0.0.1:9/chat-api';
    const chatDetails = {
      ContactId: 'c0ffee00-1111-4222-8333-444455556666',
      ParticipantId: 'a1b2c3d4-0000-4000-8000-000000000001',
      ParticipantToken: 'smoke-participant-token-0123456789',
    };
    const seen: { method: string; headers: Record<string, string>; body: unknown }[] = [];
    await page.route(`${endpoint}/participant/connection`, async (route) => {
      const req = route.request();
      seen.push({ method: req.method(), headers: await req.allHeaders(), body: req.postDataJSON() });
      await route.fulfill({
        status: 403,
        headers: {
          'access-control-allow-origin': '*',
          'access-control-expose-headers': 'x-amzn-RequestId, x-amzn-ErrorType, Date',
          'x-amzn-errortype': 'AccessDeniedException',
          'x-amzn-requestid': '00000000-0000-4000-8000-000000000000',
        },
        contentType: 'application/json',
        body: JSON.stringify({ __type: 'AccessDeniedException', Message: 'smoke test: access denied' }),
      });
    });

    await page.goto(pages.url('/chatjs.html'));
    assert.match((await page.textContent('#status')) ?? '', /^loaded 5\./);

    const result = await page.evaluate(
      async ({ endpoint, chatDetails }) => {
        const w = globalThis as any;
        const ChatSession = w.connect.ChatSession;
        ChatSession.setGlobalConfig({ region: 'us-east-1', endpoint });
        const session = ChatSession.create({
          chatDetails,
          type: ChatSession.SessionTypes.CUSTOMER,
          options: { region: 'us-east-1' },
          disableCSM: true,
        });
        const created = typeof session === 'object' && typeof session.connect === 'function';
        w.log(`session created: ${created}`);
        try {
          await session.connect();
          w.log('connect() resolved (unexpected)');
          return { created, rejected: false, error: null };
        } catch (err: any) {
          w.log(`connect() rejected: ${err?._debug?._debug?.type} ${err?._debug?._debug?.statusCode}`);
          return { created, rejected: true, error: JSON.parse(JSON.stringify(err)) };
        }
      },
      { endpoint, chatDetails },
    );

    assert.equal(result.created, true, 'connect.ChatSession.create returned a session');
    assert.equal(result.rejected, true, 'connect() rejects on 403');
    assert.equal(result.error.connectSuccess, false);
    assert.equal(result.error._debug._debug.type, 'AccessDeniedException');
    assert.equal(result.error._debug._debug.statusCode, 403);

    assert.equal(seen.length, 1, 'exactly one CreateParticipantConnection');
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].headers['x-amz-bearer'], chatDetails.ParticipantToken);
    assert.deepEqual(seen[0].body, { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'] });

    assert.deepEqual(pageErrors, []);
    assert.deepEqual([...hosts].sort(), [new URL(endpoint).host, new URL(pages.origin).host].sort());

    const dir = mkdtempSync(join(tmpdir(), 'localconnect-browser-'));
    const shot = join(dir, 'chatjs-loads.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.deepEqual(
      [...readFileSync(shot).subarray(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    );
    t.diagnostic(`screenshot: ${shot}`);
    await page.close();
  });
});
