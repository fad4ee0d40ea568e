/** Compare (Check contact attributes): branches on one value by the Conditions. */
import { ok, runData } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';
import { isSingleReference, staticOrReference } from '../values.ts';

export const compare: ActionHandler = {
  hasResult: true,
  validate(v) {
    const value = v.params.ComparisonValue;
    if (typeof value !== 'string' || !isSingleReference(value))
      v.problem('ComparisonValue must be exactly one JSONPath, e.g. "$.Attributes.tier"');
  },
  async run(ctx) {
    // Decision: a value that names nothing compares as "" rather than failing: Compare has no
    // error branch besides NoMatchingCondition, so a missing attribute takes that branch.
    return ok(staticOrReference(String(ctx.params.ComparisonValue), runData(ctx)) ?? '');
  },
};
