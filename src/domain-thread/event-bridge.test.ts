import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { DomainThreadBus, MainThreadBus } from './event-bridge.ts';

/** The two buses joined by a real message channel, counting the events that cross it. */
function bridge(onCall: (domain: DomainThreadBus, m: unknown) => void = () => assert.fail('no calls')) {
  const { port1: mainPort, port2: domainPort } = new MessageChannel();
  const crossed: string[] = [];
  const fail = (err: unknown) => assert.fail(String(err));
  const main = new MainThreadBus((m) => mainPort.postMessage(m), fail);
  const domain = new DomainThreadBus((m) => domainPort.postMessage(m), fail);
  domainPort.on('message', (m) => domain.handle(m) || onCall(domain, m));
  mainPort.on('message', (m) => {
    crossed.push(m.event.topic);
    main.deliver(m);
  });
  /** Waits until both directions have delivered what was posted so far. */
  const settle = async () => {
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  const close = () => {
    mainPort.close();
    domainPort.close();
  };
  /** A message on the main thread's channel that is not about topics, as calls are. */
  const call = (m: unknown) => mainPort.postMessage(m);
  return { main, domain, crossed, settle, close, call };
}

describe('event bridge', () => {
  it('forwards only the topics the main thread subscribes to, while it does', async () => {
    const b = bridge();
    try {
      const seen: unknown[] = [];
      b.domain.publish('chat.a', 'before');
      const stop = b.main.subscribe('chat.a', (e) => seen.push(e));
      await b.settle();
      b.domain.publish('chat.a', 1);
      b.domain.publish('chat.b', 'nobody listens');
      b.domain.publish('chat.a', 2);
      await b.settle();
      assert.deepEqual(seen, [1, 2]);
      assert.deepEqual(b.crossed, ['chat.a', 'chat.a']);

      stop();
      stop(); // twice is harmless
      await b.settle();
      b.domain.publish('chat.a', 3);
      await b.settle();
      assert.deepEqual(seen, [1, 2]);
      assert.deepEqual(b.crossed, ['chat.a', 'chat.a']);
    } finally {
      b.close();
    }
  });

  it('keeps forwarding a topic until its last subscriber leaves', async () => {
    const b = bridge();
    try {
      const first: unknown[] = [];
      const second: unknown[] = [];
      const stopFirst = b.main.subscribe('agent.i.u', (e) => first.push(e));
      const stopSecond = b.main.subscribe('agent.i.u', (e) => second.push(e));
      await b.settle();
      b.domain.publish('agent.i.u', 1);
      await b.settle();
      stopFirst();
      await b.settle();
      b.domain.publish('agent.i.u', 2);
      await b.settle();
      stopSecond();
      await b.settle();
      b.domain.publish('agent.i.u', 3);
      await b.settle();
      assert.deepEqual(first, [1]);
      assert.deepEqual(second, [1, 2]);
      assert.deepEqual(b.crossed, ['agent.i.u', 'agent.i.u']);
    } finally {
      b.close();
    }
  });

  it('forwards what the domain publishes for a call made right after subscribing', async () => {
    // A gateway subscribes, then reads through a call on the same channel: the subscription
    // reaches the domain thread first, so what the call publishes crosses.
    const b = bridge((domain, m) => domain.publish('chat.c', m));
    try {
      const seen: unknown[] = [];
      b.main.subscribe('chat.c', (e) => seen.push(e));
      b.call('the read');
      await b.settle();
      assert.deepEqual(seen, ['the read']);
    } finally {
      b.close();
    }
  });

  it("delivers every event to the domain thread's own subscribers, watched or not", () => {
    const b = bridge();
    try {
      const seen: unknown[] = [];
      b.domain.subscribe('chat.d', (e) => seen.push(e));
      b.domain.publish('chat.d', 1);
      b.domain.publish('chat.d', 2);
      assert.deepEqual(seen, [1, 2]);
    } finally {
      b.close();
    }
  });
});
