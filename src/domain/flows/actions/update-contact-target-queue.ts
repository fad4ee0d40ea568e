/** UpdateContactTargetQueue (Set working queue): a queue, or an agent's personal queue. */
import { attempt, checkStaticOrReference, fail, ok, resolveParam } from '../action-support.ts';
import type { ActionHandler, QueueRef } from '../types.ts';

export const updateContactTargetQueue: ActionHandler = {
  validate(v) {
    const hasQueue = v.params.QueueId !== undefined;
    if (hasQueue === (v.params.AgentId !== undefined))
      v.problem('exactly one of QueueId and AgentId is required');
    checkStaticOrReference(v, 'QueueId', false);
    checkStaticOrReference(v, 'AgentId', false);
  },
  async run(ctx) {
    const byAgent = ctx.params.QueueId === undefined;
    const value = resolveParam(ctx, byAgent ? 'AgentId' : 'QueueId');
    if (typeof value !== 'string') return value;
    let queue: QueueRef | undefined;
    const failed =
      (await attempt('Resolving the queue', async () => {
        queue = await ctx.host.resolveQueue(byAgent ? { agent: value } : { queue: value });
      })) ??
      (queue
        ? await attempt('Setting the queue', () => ctx.host.setTargetQueue(queue as QueueRef))
        : undefined);
    if (failed) return failed;
    return queue ? ok() : fail(`${byAgent ? 'Agent' : 'Queue'} ${value} not found`);
  },
};
