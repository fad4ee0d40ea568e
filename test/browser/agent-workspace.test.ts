/**
 * The whole conversation as people have it, in headless Chromium against a real node: a
 * customer on the test page (/test-chat/, amazon-connect-chatjs) and agents in the workspace
 * (/agent/, the React app), each in their own browser context. Screenshots of the workspace
 * are saved under .tmp/screenshots/ by every run.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  CreateUserCommand,
  DescribeContactCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
  StartContactStreamingCommand,
  StopContactCommand,
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
  const chats: string[] = [];

  // Each test's browsers and chats go with it, so what a failed test left takes no later offer.
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((ctx) => ctx.close()));
    const stop = (ContactId: string) =>
      node.connect().send(new StopContactCommand({ InstanceId: node.instanceId, ContactId }));
    // A chat its test ended is refused: that is all right.
    await Promise.allSettled(chats.splice(0).map(stop));
  });
  after(async () => {
    await browser?.close();
    await node?.close();
  });

  /** A page in a browser context of its own; `prepare` sets up the context before the page opens. */
  async function context(prepare?: (ctx: BrowserContext) => Promise<void>): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    await prepare?.(ctx);
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
  async function agentPage(
    username: string,
    password: string,
    prepare?: (ctx: BrowserContext) => Promise<void>,
  ) {
    const page = await context(prepare);
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
    chats.push(ContactId);
    return { page, contactId: ContactId, startedAt: Date.now() };
  }

  const offerOf = (page: Page, contactId: string) =>
    page.locator(`[data-testid="offer"][data-contact-id="${contactId}"]`);
  const tabOf = (page: Page, contactId: string) =>
    page.locator(`[data-testid="contact-tab"][data-contact-id="${contactId}"]`);

  /** The workspace loaded again, as after the agent presses reload: signed in, its socket connected. */
  async function reload(page: Page) {
    await page.reload();
    await page.getByTestId('events-status').filter({ hasText: 'connected' }).waitFor();
  }

  /** An agent with nothing on screen goes Offline and closes the workspace: routing offers them nothing more. */
  async function leave(page: Page) {
    await page.getByTestId('status-select').selectOption({ label: 'Offline' });
    await page.getByText('You are Offline.').waitFor();
    await page.close();
  }

  /** A customer's chat accepted by the agent: its tab is open and the customer sees the agent join. */
  async function acceptedChat(agent: Page, name: string) {
    const customer = await customerPage(name);
    await offerOf(agent, customer.contactId).getByTestId('offer-accept').click();
    await tabOf(agent, customer.contactId).and(agent.locator('[data-state="CONNECTED"]')).waitFor();
    const agentName = (await agent.getByTestId('agent-name').textContent())!.split(' ')[0];
    await customer.page
      .getByTestId('customer-event')
      .filter({ hasText: `${agentName} has joined` })
      .waitFor();
    return customer;
  }

  /** The agent ends the selected chat and clears its after-contact work. */
  async function endAndClear(agent: Page, contactId: string) {
    await tabOf(agent, contactId).click();
    await agent.getByTestId('end-chat').click();
    await agent.getByTestId('acw').getByTestId('clear-contact').click();
    await tabOf(agent, contactId).waitFor({ state: 'detached' });
  }

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
    // The contact's attributes are shown, and the topic it starts streaming to.
    await agent.locator('[data-testid="attribute"][data-key="source"]').waitFor();
    const topic = `arn:aws:sns:${node.region}:123456789012:chat-stream`;
    await node.connect().send(
      new StartContactStreamingCommand({
        InstanceId: node.instanceId,
        ContactId: customer.contactId,
        ChatStreamingConfiguration: { StreamingEndpointArn: topic },
        ClientToken: `stream-${customer.contactId}`,
      }),
    );
    await agent.getByTestId('stream').filter({ hasText: topic }).waitFor({ timeout: 3000 });
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
    // Neither takes the offers of the tests that follow.
    await leave(maya);
    await leave(tom);
  });

  test('a chat the customer has left says so in its tab, a banner and a closed compose box, also after a reload', async () => {
    const agent = await agentPage('nora', await createAgent('nora'));
    const customer = await acceptedChat(agent, 'Kim');
    const tab = tabOf(agent, customer.contactId);
    assert.match((await tab.textContent())!, /Chat/);
    assert.equal(await agent.getByTestId('compose').isEnabled(), true);

    await customer.page.getByTestId('customer-end').click();
    await customer.page.getByTestId('chat-status').filter({ hasText: 'ended' }).waitFor();
    const showsTheCustomerLeft = async (when: string) => {
      await tab.getByTestId('tab-state').filter({ hasText: 'Customer left' }).waitFor({ timeout: 5000 });
      await agent.getByTestId('customer-left').waitFor({ timeout: 5000 });
      assert.equal(await agent.getByTestId('compose').isDisabled(), true, `compose is enabled ${when}`);
      assert.equal(await agent.getByTestId('send').isDisabled(), true, `send is enabled ${when}`);
      // The agent is still in the chat, and can end it.
      assert.equal(await tab.getAttribute('data-state'), 'CONNECTED');
      await agent.getByTestId('end-chat').waitFor();
    };
    await showsTheCustomerLeft('once the customer left');
    await agent.screenshot({ path: join(SHOTS, 'workspace-customer-left.png') });
    await reload(agent);
    await showsTheCustomerLeft('after a reload');
    await agent.screenshot({ path: join(SHOTS, 'workspace-customer-left-reloaded.png') });

    await endAndClear(agent, customer.contactId);
    await customer.page.close();
    await leave(agent);
  });

  test('a missed offer shows as Missed in the header until the agent is Available again', async () => {
    const agent = await agentPage('omar', await createAgent('omar'));
    const status = agent.getByTestId('status');
    const customer = await customerPage('Ana');
    await offerOf(agent, customer.contactId).waitFor({ timeout: 2000 });
    // Nobody answers: the offer rings out.
    await agent.getByTestId('missed').waitFor({ timeout: (OFFER_TIMEOUT_S + 3) * 1000 });
    await status.and(agent.locator('[data-status="Missed"]')).waitFor({ timeout: 2000 });
    assert.equal(await agent.getByTestId('status-select').inputValue(), 'missed');
    assert.match(await agent.locator('.empty-state').innerText(), /You missed a chat/);
    await agent.screenshot({ path: join(SHOTS, 'workspace-header-missed.png') });

    await agent.getByTestId('status-select').selectOption({ label: 'Available' });
    await agent.getByTestId('missed').waitFor({ state: 'detached', timeout: 5000 });
    await status.and(agent.locator('[data-status="Available"]')).waitFor({ timeout: 5000 });
    // Available again, the agent is offered the contact once more.
    await offerOf(agent, customer.contactId).waitFor({ timeout: 3000 });
    assert.equal(await status.getAttribute('data-status'), 'Available');

    await customer.page.getByTestId('customer-end').click();
    await offerOf(agent, customer.contactId).waitFor({ state: 'detached' });
    await customer.page.close();
    await leave(agent);
  });

  test('an offer rings and notifies, Escape rejects it and Enter accepts it', async () => {
    const agent = await agentPage('pia', await createAgent('pia'), async (ctx) => {
      await ctx.grantPermissions(['notifications'], { origin: node.url });
      // Runs in the page: records each notification and audio context made, the real ones behind.
      await ctx.addInitScript(() => {
        const w = globalThis as any;
        w.__notifications = [];
        w.__audioContexts = 0;
        const RealNotification = w.Notification;
        const Recording = function (title: string, options?: { body?: string; tag?: string }) {
          w.__notifications.push({ title, body: options?.body, tag: options?.tag });
          return new RealNotification(title, options);
        } as any;
        Object.defineProperty(Recording, 'permission', { get: () => RealNotification.permission });
        Recording.requestPermission = (...args: unknown[]) => RealNotification.requestPermission(...args);
        Recording.prototype = RealNotification.prototype;
        w.Notification = Recording;
        const RealAudioContext = w.AudioContext;
        w.AudioContext = class extends RealAudioContext {
          constructor(...args: unknown[]) {
            super(...args);
            w.__audioContexts++;
          }
        };
      });
    });
    type Shown = { title: string; body?: string; tag?: string };
    const notifications = () => agent.evaluate(() => (globalThis as any).__notifications as Shown[]);
    // The agent has just picked Available from the header's list, which keeps the focus.
    await agent.getByTestId('status-select').focus();
    const customer = await customerPage('Sam');
    const offer = offerOf(agent, customer.contactId);
    await offer.waitFor({ timeout: 2000 });
    await agent.waitForFunction(() => (globalThis as any).__notifications.length === 1, null, {
      timeout: 2000,
    });
    const [first] = await notifications();
    assert.equal(first.title, 'Incoming chat from Sam');
    assert.equal(first.tag, `offer:${customer.contactId}`);
    assert.ok(first.body, 'the notification names the queue');
    assert.equal(await agent.evaluate(() => (globalThis as any).__audioContexts), 1, 'the offer rings');
    // The offer's Accept has the focus, so the keyboard answers it.
    assert.equal(
      await offer.getByTestId('offer-accept').evaluate((b) => b === (b as any).ownerDocument.activeElement),
      true,
    );
    await agent.screenshot({ path: join(SHOTS, 'workspace-offer-keyboard.png') });

    const since = await offer.getAttribute('data-since');
    await agent.keyboard.press('Escape');
    await agent
      .locator(`[data-testid="offer"][data-contact-id="${customer.contactId}"][data-since="${since}"]`)
      .waitFor({ state: 'detached', timeout: 3000 });
    // Rejected, the contact went back to its queue; nobody else can take it, so it is offered again.
    const again = agent.locator(
      `[data-testid="offer"][data-contact-id="${customer.contactId}"]:not([data-since="${since}"])`,
    );
    await again.waitFor({ timeout: 3000 });
    await agent.waitForFunction(() => (globalThis as any).__notifications.length === 2, null, {
      timeout: 2000,
    });
    await agent.keyboard.press('Enter');
    await tabOf(agent, customer.contactId)
      .and(agent.locator('[data-state="CONNECTED"]'))
      .waitFor({ timeout: 3000 });
    await agent.getByTestId('transcript').getByTestId('message').filter({ hasText: GREETING }).waitFor();
    await customer.page.getByTestId('customer-event').filter({ hasText: 'Pia has joined' }).waitFor();
    await agent.screenshot({ path: join(SHOTS, 'workspace-offer-accepted-by-enter.png') });

    await endAndClear(agent, customer.contactId);
    await customer.page.close();
    await leave(agent);
  });

  test('after a reload the contact in after-contact work is the one selected', async () => {
    const agent = await agentPage('quinn', await createAgent('quinn'));
    // Two chats at once (the default routing profile takes two): the first stays open, the second ends.
    const ada = await acceptedChat(agent, 'Ada');
    const bo = await acceptedChat(agent, 'Bo');
    await tabOf(agent, bo.contactId).click();
    await agent.getByTestId('end-chat').click();
    await agent.getByTestId('acw').waitFor();
    await tabOf(agent, ada.contactId).click();
    await tabOf(agent, ada.contactId).and(agent.locator('[aria-selected="true"]')).waitFor();

    await reload(agent);
    await tabOf(agent, bo.contactId).and(agent.locator('[aria-selected="true"]')).waitFor({ timeout: 5000 });
    assert.equal(await tabOf(agent, ada.contactId).getAttribute('aria-selected'), 'false');
    await agent.getByTestId('acw').waitFor({ timeout: 2000 });
    await agent.screenshot({ path: join(SHOTS, 'workspace-acw-after-reload.png') });

    await agent.getByTestId('acw').getByTestId('clear-contact').click();
    await tabOf(agent, bo.contactId).waitFor({ state: 'detached' });
    await endAndClear(agent, ada.contactId);
    await ada.page.close();
    await bo.page.close();
    await leave(agent);
  });
});
