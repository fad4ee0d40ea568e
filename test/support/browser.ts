/**
 * Headless Chromium for end-to-end tests that run the unmodified amazon-connect-chatjs in a
 * real browser: Debian's chromium (/usr/bin/chromium, installed by .ci/run), never a browser
 * downloaded by Playwright. Where it is missing the test skips and says so loudly — except
 * under CI=true, where a missing browser is a failure (the same rule as tools.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, deterministic, offline-friendly headless run inside containers. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = new URL('../../', import.meta.url).pathname;
/** Static pages for browser tests, served at http://127.0.0.1:<port>/<name>. */
export const PAGES_DIR = join(ROOT, 'test/browser/pages');
/** The chatjs bundle exactly as published (served at /chatjs.js). */
export const CHATJS_BUNDLE = join(ROOT, 'node_modules/amazon-connect-chatjs/dist/amazon-connect-chat.js');

/**
 * Returns false when Chromium is installed; otherwise prints why and returns the skip reason
 * (pass it as the test's `skip` option), or throws under CI=true.
 */
export function skipUnlessChromium(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `SKIPPED: chromium is not installed on this machine (${CHROMIUM}; .ci/run installs it; CI forbids this skip)`;
  if (process.env.CI === 'true') throw new Error(`chromium is required under CI but missing (${CHROMIUM})`);
  process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}

/** A fresh headless Chromium (playwright's launch() gives each one a new temporary profile). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface TestPages {
  /** `http://127.0.0.1:<port>` — no trailing slash. */
  origin: string;
  /** `origin + path` (path like `/chatjs-smoke.html`). */
  url(path: string): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * A tiny static server on 127.0.0.1 (any free port) for test pages: `GET /chatjs.js` is the
 * chatjs dist bundle, `GET /<file>` is test/browser/pages/<file>. The page origin must be
 * http://127.0.0.1:<port>: chatjs only accepts a `wss://` or `ws://127.0.0.1:` websocket URL,
 * and a loopback page keeps Chromium's private-network rules out of the way.
 */
export async function serveTestPages(): Promise<TestPages> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed');
    let file: string;
    if (path === '/chatjs.js') file = CHATJS_BUNDLE;
    else {
      file = normalize(join(PAGES_DIR, path));
      if (!file.startsWith(PAGES_DIR + sep)) return send(res, 404, 'text/plain', 'not found');
    }
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      return send(res, 404, 'text/plain', 'not found');
    }
    send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', req.method === 'HEAD' ? '' : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => origin + path,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
