/**
 * The hashing thread (WorkerPasswordHasher): takes one job at a time from its parent and
 * answers it. It runs at the lowest priority, so a flood of sign-ins takes only the CPU that
 * chats leave over.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { hashPasswordNow, verifyPasswordNow } from '../../domain/users/password.ts';

export type HashJob = { id: number; hash: string } | { id: number; verify: string; stored: string };
export type HashAnswer =
  { id: number; hashed: string } | { id: number; ok: boolean } | { id: number; error: string };

lowerPriority();
parentPort!.on('message', (job: HashJob) => {
  try {
    parentPort!.postMessage(
      'hash' in job
        ? { id: job.id, hashed: hashPasswordNow(job.hash) }
        : { id: job.id, ok: verifyPasswordNow(job.verify, job.stored) },
    );
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: String(err) });
  }
});

/** On Linux a thread has its own nice value, set through its thread id (/proc/thread-self). */
function lowerPriority(): void {
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (tid) setPriority(tid, 19);
  } catch {
    // Not Linux, or not allowed: the thread still keeps the hashing off the others.
  }
}
