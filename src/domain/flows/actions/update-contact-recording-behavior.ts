/**
 * UpdateContactRecordingBehavior (Set recording and analytics behavior): stored by the host
 * as written. Every value is static, so the checks are all at save time.
 */
import { attempt, ok } from '../action-support.ts';
import type { ActionHandler, ActionValidation, RecordingSettings } from '../types.ts';

function isSubset(value: unknown, allowed: string[]): boolean {
  return (
    Array.isArray(value) && value.every((x) => allowed.includes(x)) && new Set(value).size === value.length
  );
}

function checkRecording(v: ActionValidation, rb: Record<string, unknown>): void {
  if (rb.RecordedParticipants !== undefined && !isSubset(rb.RecordedParticipants, ['Agent', 'Customer']))
    v.problem('RecordedParticipants must be a list of "Agent" and "Customer"');
  if (rb.ScreenRecordedParticipants !== undefined && !isSubset(rb.ScreenRecordedParticipants, ['Agent']))
    v.problem('ScreenRecordedParticipants must be ["Agent"] or []');
  if (
    rb.IVRRecordingBehavior !== undefined &&
    !['Enabled', 'Disabled'].includes(rb.IVRRecordingBehavior as string)
  )
    v.problem('IVRRecordingBehavior must be "Enabled" or "Disabled"');
}

export const updateContactRecordingBehavior: ActionHandler = {
  validate(v) {
    const rb = v.params.RecordingBehavior;
    const ab = v.params.AnalyticsBehavior;
    if (rb === undefined && ab === undefined) v.problem('RecordingBehavior is required');
    if (rb !== undefined) {
      if (!rb || typeof rb !== 'object' || Array.isArray(rb))
        v.problem('RecordingBehavior must be an object');
      else checkRecording(v, rb as Record<string, unknown>);
    }
    if (ab !== undefined) {
      const recorded = (rb as { RecordedParticipants?: unknown } | undefined)?.RecordedParticipants;
      if (!Array.isArray(recorded) || !recorded.includes('Agent') || !recorded.includes('Customer'))
        v.problem('AnalyticsBehavior is allowed only when both Agent and Customer are recorded');
      if (!ab || typeof ab !== 'object' || Array.isArray(ab))
        v.problem('AnalyticsBehavior must be an object');
      else if (
        (ab as Record<string, unknown>).Enabled !== undefined &&
        !['True', 'False'].includes((ab as Record<string, unknown>).Enabled as string)
      )
        v.problem('AnalyticsBehavior.Enabled must be "True" or "False"');
    }
  },
  async run(ctx) {
    const settings: RecordingSettings = {};
    if (ctx.params.RecordingBehavior) settings.RecordingBehavior = ctx.params.RecordingBehavior;
    if (ctx.params.AnalyticsBehavior)
      settings.AnalyticsBehavior = ctx.params.AnalyticsBehavior as Record<string, unknown>;
    return (
      (await attempt('Setting recording behavior', () => ctx.host.setRecordingBehavior(settings))) ?? ok()
    );
  },
};
