/**
 * TransferContactToQueue: queues the contact in its TargetQueue, which ends this flow (the
 * customer-queue flow takes over). Exports keep a NextAction; it is never taken on success.
 */
import { attempt, fail } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';

export const transferContactToQueue: ActionHandler = {
  errorTypes: ['QueueAtCapacity'],
  validate(v) {
    if (Object.keys(v.params).length > 0) v.problem('TransferContactToQueue takes no parameters');
  },
  async run(ctx) {
    if (!ctx.contact.queue) return fail('The contact has no TargetQueue');
    let result: 'OK' | 'QueueAtCapacity' | undefined;
    const failed = await attempt('Transferring to the queue', async () => {
      result = await ctx.host.transferToQueue();
    });
    if (failed) return failed;
    if (result === 'QueueAtCapacity')
      return fail(`Queue ${ctx.contact.queue.name} is at capacity`, 'QueueAtCapacity');
    if (result !== 'OK') return fail(`Transferring to the queue answered ${String(result)}`);
    return { kind: 'end', reason: 'queued' };
  },
};
