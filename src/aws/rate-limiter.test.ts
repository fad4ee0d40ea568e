import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../ports/clock.ts';
import { TokenBuckets } from './rate-limiter.ts';

describe('TokenBuckets', () => {
  it('allows a burst, then the rate, per key', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets(clock);
    const limit = { rate: 2, burst: 3 };
    assert.deepEqual(
      [1, 2, 3, 4].map(() => buckets.take('a', limit)),
      [true, true, true, false],
    );
    assert.equal(buckets.take('b', limit), true, 'another key has its own bucket');
    clock.advance(499);
    assert.equal(buckets.take('a', limit), false);
    clock.advance(1);
    assert.equal(buckets.take('a', limit), true);
    assert.equal(buckets.take('a', limit), false);
  });

  it('forgets only buckets that have refilled when keys pile up, so no limit is lifted', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets(clock);
    const strict = { rate: 1 / 60, burst: 2 };
    assert.equal(buckets.take('guessed-user', strict), true);
    assert.equal(buckets.take('guessed-user', strict), true);
    assert.equal(buckets.take('guessed-user', strict), false);
    // A spray of user names, each tried once: far more keys than are kept.
    for (let i = 0; i < 25_000; i++) buckets.take(`user-${i}`, { rate: 1, burst: 10 });
    clock.advance(10_000);
    for (let i = 25_000; i < 50_000; i++) buckets.take(`user-${i}`, { rate: 1, burst: 10 });
    assert.equal(buckets.take('guessed-user', strict), false, 'the emptied bucket was kept');
  });
});
