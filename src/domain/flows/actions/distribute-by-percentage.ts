/**
 * DistributeByPercentage: a random integer 1–100 tested by a chain of NumberLessThan
 * conditions with growing bounds; what no bound catches takes NoMatchingCondition.
 */
import { ok } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';

export const distributeByPercentage: ActionHandler = {
  hasResult: true,
  validate(v) {
    if (Object.keys(v.params).length > 0) v.problem('DistributeByPercentage takes no parameters');
    let previous = 0;
    for (const c of v.conditions) {
      const bound = Number(c?.Operands?.[0]);
      if (c?.Operator !== 'NumberLessThan') {
        v.problem(`only NumberLessThan conditions are allowed, not ${c?.Operator}`);
      } else if (!Number.isInteger(bound) || bound < 1 || bound > 100 || bound <= previous) {
        v.problem(`NumberLessThan bounds must be increasing integers from 1 to 100 (got ${c.Operands[0]})`);
      } else {
        previous = bound;
      }
    }
  },
  async run(ctx) {
    // min() guards a random source that returns exactly 1.
    return ok(String(Math.min(100, Math.floor(ctx.random() * 100) + 1)));
  },
};
