/**
 * UpdateContactAttributes (Set contact attributes): one host call with every attribute, so
 * the update is all or nothing; the host refuses what breaks the attribute rules (32 KB).
 */
import { attempt, fail, ok, runData } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';
import { hasReference, interpolate, isSingleReference, staticOrReference } from '../values.ts';

export const updateContactAttributes: ActionHandler = {
  validate(v) {
    const attributes = v.params.Attributes;
    if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) {
      v.problem('Attributes must be an object of key/value pairs');
    } else if (Object.keys(attributes).length === 0) {
      v.problem('Attributes must set at least one attribute');
    } else {
      for (const [key, value] of Object.entries(attributes)) {
        if (typeof value !== 'string') v.problem(`the value of attribute ${key} must be a string`);
        if (hasReference(key) && !isSingleReference(key))
          v.problem(`attribute key ${key} must be fully static or a single JSONPath`);
      }
    }
    const target = v.params.TargetContact;
    if (target !== undefined && target !== 'Current' && target !== 'Related')
      v.problem('TargetContact must be "Current" or "Related"');
  },
  async run(ctx) {
    // Decision: there are no related contacts here, so "Related" takes the error branch.
    if (ctx.params.TargetContact === 'Related') return fail('TargetContact Related is not supported');
    const data = runData(ctx);
    const update: Record<string, string> = {};
    for (const [rawKey, rawValue] of Object.entries(ctx.params.Attributes as Record<string, string>)) {
      const key = staticOrReference(rawKey, data);
      // A key must name something; a value is text, and a reference that names nothing is ""
      // (which the host's update rule treats as "remove", so "tier": "$.Attributes.tier"
      // stays a no-op when tier is unset).
      if (!key) return fail(`attribute key ${rawKey} resolves to nothing`);
      update[key] = interpolate(rawValue, data);
    }
    return (await attempt('Updating contact attributes', () => ctx.host.updateAttributes(update))) ?? ok();
  },
};
