import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../ports/clock.ts';
import { MemorySignInGuard } from './memory-sign-in-guard.ts';

const policy = { freeTries: 2, firstWaitMs: 1000, maxWaitMs: 4000, perAddress: { rate: 1, burst: 5 } };

describe('MemorySignInGuard', () => {
  it('lets the free tries through, then asks for doubling waits up to the ceiling', async () => {
    const clock = new ManualClock();
    const guard = new MemorySignInGuard(clock, { ...policy, perAddress: { rate: 100, burst: 100 } });
    // Eight tries let through, each as soon as allowed: the refusals say how long to wait.
    const waits = [];
    for (let passed = 0; passed < 8;) {
      const wait = await guard.attempt('maya', 'a');
      if (wait === 0) passed++;
      else {
        waits.push(wait);
        clock.advance(wait);
      }
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 4000, 4000, 4000]);
  });

  it('bounds one address across user names, and keeps other addresses apart', async () => {
    const guard = new MemorySignInGuard(new ManualClock(), policy);
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await guard.attempt(`user-${i}`, 'a'));
    assert.deepEqual(waits, [0, 0, 0, 0, 0, 1000]);
    assert.equal(await guard.attempt('user-0', 'b'), 0);
  });

  it('forgets a pair on success', async () => {
    const guard = new MemorySignInGuard(new ManualClock(), policy);
    await guard.attempt('tom', 'a');
    await guard.attempt('tom', 'a');
    assert.equal(await guard.attempt('tom', 'a'), 1000);
    await guard.succeeded('tom', 'a');
    assert.equal(await guard.attempt('tom', 'a'), 0);
  });
});
