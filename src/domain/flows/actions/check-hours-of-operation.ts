/**
 * CheckHoursOfOperation: "True" or "False" for now against the named hours, or against the
 * TargetQueue's hours when none are named. No hours (or no queue) is NoMatchingError.
 */
import {
  attempt,
  checkEqualsOnly,
  checkStaticOrReference,
  equalsOperands,
  fail,
  ok,
  resolveParam,
} from '../action-support.ts';
import type { ActionHandler } from '../types.ts';

export const checkHoursOfOperation: ActionHandler = {
  hasResult: true,
  validate(v) {
    checkStaticOrReference(v, 'HoursOfOperationId', false);
    checkEqualsOnly(v);
    const operands = equalsOperands(v);
    if (v.conditions.length !== 2 || !operands.includes('True') || !operands.includes('False'))
      v.problem('CheckHoursOfOperation needs exactly two conditions: Equals "True" and Equals "False"');
  },
  async run(ctx) {
    let hours: string | undefined;
    if (ctx.params.HoursOfOperationId !== undefined) {
      const resolved = resolveParam(ctx, 'HoursOfOperationId');
      if (typeof resolved !== 'string') return resolved;
      hours = resolved;
    }
    let open: boolean | undefined;
    const failed = await attempt('Checking hours of operation', async () => {
      open = await ctx.host.isWithinHours(hours, ctx.now);
    });
    if (failed) return failed;
    if (open === undefined)
      return fail(hours ? `Hours of operation ${hours} not found` : 'The contact has no queue with hours');
    return ok(open ? 'True' : 'False');
  },
};
