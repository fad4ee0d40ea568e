import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadLog } from './thread-log.ts';
import type { ToMain } from './messages.ts';

describe('ThreadLog', () => {
  const posted = (level: string) => {
    const out: ToMain[] = [];
    const log = new ThreadLog((m) => out.push(m), level);
    log.info({ contactId: 'c1' }, 'contact started');
    log.warn({ contactId: 'c1' }, 'offer missed');
    log.error({ err: new Error('boom') }, 'subscriber failed');
    return out.map((m) => ('log' in m ? `${m.log.level}:${m.log.msg}` : 'other'));
  };

  it('posts every line at info, with an error as its message and stack', () => {
    const out: ToMain[] = [];
    new ThreadLog((m) => out.push(m), 'info').error({ err: new Error('boom'), topic: 't' }, 'failed');
    assert.deepEqual(posted('info'), [
      'info:contact started',
      'warn:offer missed',
      'error:subscriber failed',
    ]);
    const line = (out[0] as { log: Record<string, unknown> }).log;
    assert.equal(line.topic, 't');
    assert.equal((line.err as { message: string }).message, 'boom');
    assert.match((line.err as { stack: string }).stack, /boom/);
  });

  it('drops lines below the node level rather than posting them to the main thread', () => {
    assert.deepEqual(posted('warn'), ['warn:offer missed', 'error:subscriber failed']);
    assert.deepEqual(posted('error'), ['error:subscriber failed']);
    assert.deepEqual(posted('silent'), []);
  });
});
