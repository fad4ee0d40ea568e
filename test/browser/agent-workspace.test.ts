/**
 * The whole conversation as people have it, in headless Chromium against a real node: a
 * customer on the test page (/test-chat/, amazon-connect-chatjs) and agents in the workspace
 * (/agent/, the React app), each in their own browser context. Screenshots of the workspace
 * are saved under .tmp/screenshots/ by every run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  CreateUserCommand,
  DescribeContactCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
} from '@aws-sdk/client-connect';
import { launchBrowser, skipUnlessChromium } from '../support/browser.ts';
import { ROOT, startTestNode, type TestNode } from '../support/node.ts';
import { adminPassword } from '../support/agent.ts';

const skip = skipUnlessChromium();
const GREETING = 'Thanks for contacting us. An agent will be with you shortly.';
const SHOTS = join(ROOT, '.tmp', 'screenshots');
const OFFER_TIMEOUT_S = 4;

describe('the agent workspace and the customer test page (headless Chromium)', { skip }, () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [node, browser] = await Promise.all([
      startTestNode(['--offer-timeout', String(OFFER_TIMEOUT_S)]),
      launchBrowser(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await node?.close();
  });

  async function context(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const ctx = await browser.newContext({ viewport });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (err) => process.stderr.write(`page error: ${err.message}\n`));
    return page;
  }

  async function createAgent(username: string): Promise<string> {
    const connect = node.connect();
    const profiles = await connect.send(new ListRoutingProfilesCommand({ InstanceId: node.instanceId }));
    const security = await connect.send(new ListSecurityProfilesCommand({ InstanceId: node.instanceId }));
    const password = 'Agent-Passw0rd';
    await connect.send(
      new CreateUserCommand({
        InstanceId: node.instanceId,
        Username: username,
        Password: password,
        IdentityInfo: { FirstName: username[0].toUpperCase() + username.slice(1), LastName: 'Agent' },
        PhoneConfig: { PhoneType: 'SOFT_PHONE' },
        RoutingProfileId: profiles.RoutingProfileSummaryList![0].Id!,
        SecurityProfileIds: [security.SecurityProfileSummaryList!.find((s) => s.Name === 'Agent')!.Id!],
      }),
    );
    return password;
  }

  /** An agent signed in to the workspace and set Available. */
  async function agentPage(username: string, password: string, viewport?: { width: number; height: number }) {
    const page = await context(viewport);
    await page.goto(`${node.url}/agent/`);
    await page.getByTestId('signin-username').fill(username);
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('agent-name').waitFor();
    await page.getByTestId('events-status').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('status-select').selectOption({ label: 'Available' });
    return page;
  }

  /** A customer on the test page who has started a chat; resolves once StartChatContact answered. */
  async function customerPage(name: string) {
    const page = await context();
    await page.goto(`${node.url}/test-chat/`);
    await page.getByTestId('customer-name').fill(name);
    const started = page.waitForResponse((r) => r.url().endsWith('/test-chat/api/start'));
    await page.getByTestId('start-chat').click();
    const res = await started;
    assert.equal(res.status(), 200);
    const { ContactId } = (await res.json()) as { ContactId: string };
    return { page, contactId: ContactId, startedAt: Date.now() };
  }

  const offerOf = (page: Page, contactId: string) =>
    page.locator(`[data-testid="offer"][data-contact-id="${contactId}"]`);

  test('a customer and an agent chat from offer to after-contact work, and the next contact comes', async () => {
    const agent = await agentPage('admin', adminPassword(node.dataDir));
    const customer = await customerPage('Jane');
    // The offer reaches the workspace within a second of the chat starting.
    await offerOf(agent, customer.contactId).waitFor({ timeout: 1000 });
    await customer.page.getByTestId('chat-status').filter({ hasText: 'connected' }).waitFor();
    await customer.page.getByTestId('customer-message').filter({ hasText: GREETING }).waitFor();
    await customer.page.getByTestId('customer-compose').fill('Hello, my order has not arrived');
    const customerTypedAt = Date.now();
    await customer.page.getByTestId('customer-send').click();
    assert.equal(
      (await offerOf(agent, customer.contactId).getByTestId('offer-customer').textContent())?.includes(
        'Jane',
      ),
      true,
    );
    await agent.screenshot({ path: join(SHOTS, 'workspace-offer.png') });

    await offerOf(agent, customer.contactId).getByTestId('offer-accept').click();
    const tab = agent.locator(`[data-testid="contact-tab"][data-contact-id="${customer.contactId}"]`);
    await tab.and(agent.locator('[data-state="CONNECTED"]')).waitFor();
    // The agent reads what the flow and the customer wrote before they joined.
    const transcript = agent.getByTestId('transcript');
    await transcript.getByTestId('message').filter({ hasText: GREETING }).waitFor();
    await transcript.getByTestId('message').filter({ hasText: 'Hello, my order has not arrived' }).waitFor();
    // The customer sees the agent join.
    await customer.page.getByTestId('customer-event').filter({ hasText: 'Admin has joined' }).waitFor();

    // Typing both ways.
    await agent.getByTestId('compose').pressSequentially('Let me check', { delay: 20 });
    await customer.page.getByTestId('customer-typing').waitFor();
    await agent.getByTestId('send').click();
    await customer.page.getByTestId('customer-message').filter({ hasText: 'Let me check' }).waitFor();
    // chatjs sends a typing event at most once every 10 s (on the leading edge): the customer's
    // next one goes out only 10 s after the one they sent while writing their first message.
    await new Promise((r) => setTimeout(r, Math.max(0, customerTypedAt + 10_200 - Date.now())));
    await customer.page.getByTestId('customer-compose').pressSequentially('Thanks', { delay: 20 });
    await agent.getByTestId('typing-indicator').waitFor();
    await customer.page.getByTestId('customer-send').click();
    await transcript
      .getByTestId('message-text')
      .filter({ hasText: /^Thanks$/ })
      .waitFor();
    // The customer's page has read the agent's message.
    await agent
      .getByTestId('receipt')
      .filter({ hasText: /Delivered|Read/ })
      .first()
      .waitFor({ timeout: 10_000 });
    // The contact's attributes are shown.
    await agent.locator('[data-testid="attribute"][data-key="source"]').waitFor();
    await agent.screenshot({ path: join(SHOTS, 'workspace-chat-1280x800.png') });
    await agent.setViewportSize({ width: 390, height: 844 });
    await agent.screenshot({ path: join(SHOTS, 'workspace-chat-narrow.png'), fullPage: true });
    // Runs in the page (the test's own type-check knows no DOM).
    const overflow = await agent.evaluate(() => {
      const w = globalThis as any;
      return w.document.documentElement.scrollWidth - w.innerWidth;
    });
    assert.ok(overflow <= 1, `the narrow workspace scrolls sideways by ${overflow}px`);
    await agent.setViewportSize({ width: 1280, height: 800 });

    // The agent ends the chat: the customer sees it end; after-contact work until cleared.
    await agent.getByTestId('end-chat').click();
    await customer.page.getByTestId('chat-status').filter({ hasText: 'ended' }).waitFor();
    await agent.getByTestId('acw').waitFor();
    await agent.screenshot({ path: join(SHOTS, 'workspace-acw.png') });
    const described = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: customer.contactId }));
    assert.equal(described.Contact!.DisconnectReason, 'AGENT_DISCONNECT');
    assert.ok(described.Contact!.AgentInfo!.ConnectedToAgentTimestamp);
    await agent.getByTestId('clear-contact').click();
    await tab.waitFor({ state: 'detached' });

    // And the next contact is offered.
    const next = await customerPage('Ravi');
    await offerOf(agent, next.contactId).waitFor({ timeout: 1000 });
    const since = await offerOf(agent, next.contactId).getAttribute('data-since');
    await offerOf(agent, next.contactId).getByTestId('offer-reject').click();
    // Nobody else can take it: it is offered again, as a new offer.
    await agent
      .locator(`[data-testid="offer"][data-contact-id="${next.contactId}"]:not([data-since="${since}"])`)
      .waitFor({ timeout: 2000 });
    await agent.getByTestId('status-select').selectOption({ label: 'Offline' });
    await offerOf(agent, next.contactId).waitFor({ state: 'detached' });
    // The customer gives up waiting: the chat leaves the queue.
    await next.page.getByTestId('customer-end').click();
    await next.page.getByTestId('chat-status').filter({ hasText: 'ended' }).waitFor();
    await next.page.close();
    await agent.close();
  });

  test('two agents compete for one contact: one offer; rejected, it goes to the other; missed, it comes back', async () => {
    const [pw1, pw2] = [await createAgent('maya'), await createAgent('tom')];
    const maya = await agentPage('maya', pw1);
    const tom = await agentPage('tom', pw2);
    const customer = await customerPage('Lee');
    const first = await Promise.race([
      offerOf(maya, customer.contactId)
        .waitFor({ timeout: 2000 })
        .then(() => maya),
      offerOf(tom, customer.contactId)
        .waitFor({ timeout: 2000 })
        .then(() => tom),
    ]);
    const second = first === maya ? tom : maya;
    // Only one of them is offered it.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await offerOf(second, customer.contactId).count(), 0);

    await offerOf(first, customer.contactId).getByTestId('offer-reject').click();
    await offerOf(second, customer.contactId).waitFor({ timeout: 2000 });
    assert.equal(await offerOf(first, customer.contactId).count(), 0);
    // The second agent lets it ring out: missed, and the contact comes back to the first.
    await second.getByTestId('missed').waitFor({ timeout: (OFFER_TIMEOUT_S + 3) * 1000 });
    await second.screenshot({ path: join(SHOTS, 'workspace-missed.png') });
    await offerOf(first, customer.contactId).waitFor({ timeout: 3000 });
    await offerOf(first, customer.contactId).getByTestId('offer-accept').click();
    await first.getByTestId('transcript').getByTestId('message').filter({ hasText: GREETING }).waitFor();
    await customer.page
      .getByTestId('customer-event')
      .filter({ hasText: /(Maya|Tom) has joined/ })
      .waitFor();
    // The customer leaves: the agent sees it, ends the chat, and goes to after-contact work.
    await customer.page.getByTestId('customer-end').click();
    await first.getByTestId('event-notice').filter({ hasText: 'Lee left the chat' }).waitFor();
    await first.getByTestId('end-chat').click();
    await first.getByTestId('acw').waitFor();
    await first.getByTestId('acw').getByTestId('clear-contact').click();
    await second.getByTestId('missed').getByTestId('clear-contact').click();
    await second.getByTestId('missed').waitFor({ state: 'detached' });
  });
});
