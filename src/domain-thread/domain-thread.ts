/**
 * The domain thread's entry: builds the domain (domain.ts) from the node's config, answers the
 * main thread's calls, and forwards the events it publishes on topics the main thread's
 * websocket gateways subscribe to (event-bridge.ts), as well as to its own subscribers (the flows).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.ts';
import { ManualClock, systemClock } from '../ports/clock.ts';
import { randomIds } from '../ports/ids.ts';
import { DomainThreadBus } from './event-bridge.ts';
import { buildDomain } from './domain.ts';
import { ThreadLog, errorOf } from './thread-log.ts';
import { serveCalls } from './rpc.ts';
import type { ToMain } from './messages.ts';

const port = parentPort!;
const post = (m: ToMain) => port.postMessage(m);
const { config, clockBuffer } = workerData as { config: Config; clockBuffer?: SharedArrayBuffer };

const log = new ThreadLog(post, config.logLevel);

const bus = new DomainThreadBus(post, (err, topic) => log.error({ err, topic }, 'event subscriber failed'));

try {
  const clock = clockBuffer ? ManualClock.shared(clockBuffer) : systemClock;
  const domain = await buildDomain(config, clock, randomIds, bus, log);
  serveCalls(port, { ...domain.targets }, (m) => bus.handle(m));
  post({ ready: { info: domain.info, accessKeys: domain.accessKeys } });
} catch (err) {
  post({ failed: errorOf(err) });
}
