import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { HasherBusy } from '../../ports/password-hasher.ts';
import { WorkerPasswordHasher } from './worker-password-hasher.ts';

/** The nice value of each of this process's threads (field 19 of /proc/self/task/N/stat). */
function niceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('WorkerPasswordHasher', () => {
  it('hashes and verifies on a thread of its own at the lowest priority', async () => {
    const before = niceValues().filter((n) => n === 19).length;
    const hasher = new WorkerPasswordHasher();
    try {
      const stored = await hasher.hash('Agent-Passw0rd');
      assert.match(stored, /^scrypt\$15\$8\$1\$/);
      assert.equal(await hasher.verify('Agent-Passw0rd', stored), true);
      assert.equal(await hasher.verify('agent-passw0rd', stored), false);
      assert.equal(niceValues().filter((n) => n === 19).length, before + 1);
    } finally {
      await hasher.close();
    }
  });

  it('refuses at once past its queue, and does the jobs it took', async () => {
    const hasher = new WorkerPasswordHasher(3);
    try {
      const jobs = Array.from({ length: 5 }, (_, i) =>
        hasher.hash(`pw-${i}`).then(
          () => 'done',
          (err) => (err instanceof HasherBusy ? 'busy' : String(err)),
        ),
      );
      assert.deepEqual(await Promise.all(jobs), ['done', 'done', 'done', 'busy', 'busy']);
    } finally {
      await hasher.close();
    }
  });
});
