/**
 * GetParticipantInput (Get / Store customer input), for chat: sends the prompt, then waits
 * for the customer's next message. StoreInput=True stores it in $.StoredCustomerInput after
 * validating it; StoreInput=False makes it the result that the Equals conditions test.
 *
 * Decisions where the docs are silent or voice-only (chat support itself is unverified):
 * - the message is trimmed before use;
 * - InputTimeLimitSeconds (the admin guide spells it InputTimeoutSeconds; both are read)
 *   starts when the prompt is sent; without it the wait has no deadline;
 * - a timeout fails with error type InputTimeLimitExceeded, which takes that Errors entry
 *   when the flow has one (designer exports name the Timeout branch so), else NoMatchingError;
 * - phone numbers may be typed with spaces, dashes, dots or parentheses; they are stored
 *   without them; input longer than CustomValidation.MaximumLength is NoMatchingError;
 * - InputEncryption is refused at run time (NoMatchingError) rather than storing in clear
 *   what the flow wanted encrypted.
 */
import { checkPrompt, fail, integerParam, isTrueFalse, ok, promptText, attempt } from '../action-support.ts';
import { NO_MATCHING_CONDITION, NO_MATCHING_ERROR } from '../conditions.ts';
import type { ActionContext, ActionHandler, ActionResult, ActionValidation } from '../types.ts';

export const INPUT_TIMEOUT = 'InputTimeLimitExceeded';
const INVALID_PHONE = 'InvalidPhoneNumber';
const MAX_INPUT_SECONDS = 604_800;
const DTMF_CHARACTER = /^[0-9*#]$/;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
const timeoutParam = (params: Obj) => params.InputTimeLimitSeconds ?? params.InputTimeoutSeconds;

function checkValidation(v: ActionValidation, validation: unknown): void {
  if (!isObj(validation)) return v.problem('InputValidation must be an object');
  const { PhoneNumberValidation: phone, CustomValidation: custom } = validation;
  if ((phone === undefined) === (custom === undefined))
    v.problem('InputValidation needs exactly one of PhoneNumberValidation and CustomValidation');
  if (phone !== undefined) {
    if (!isObj(phone) || !['Local', 'E164'].includes(phone.NumberFormat as string))
      v.problem('PhoneNumberValidation.NumberFormat must be "Local" or "E164"');
    else if (phone.NumberFormat === 'Local' && !/^[A-Z]{2}$/.test(String(phone.CountryCode)))
      v.problem('PhoneNumberValidation.CountryCode (two letters) is required for Local numbers');
  }
  if (
    custom !== undefined &&
    (!isObj(custom) || integerParam(custom.MaximumLength, 1, 1_000_000) === undefined)
  )
    v.problem('CustomValidation.MaximumLength must be a positive integer');
}

function checkInput(v: ActionValidation, store: boolean): void {
  const p = v.params;
  if (p.InputTimeLimitSeconds !== undefined && p.InputTimeoutSeconds !== undefined)
    v.problem('give InputTimeLimitSeconds or InputTimeoutSeconds, not both');
  const timeout = timeoutParam(p);
  if (timeout !== undefined && integerParam(timeout, 1, MAX_INPUT_SECONDS) === undefined)
    v.problem(`InputTimeLimitSeconds must be a static integer from 1 to ${MAX_INPUT_SECONDS}`);
  if (store && p.InputValidation === undefined)
    v.problem('InputValidation is required when StoreInput is True');
  if (!store && p.InputValidation !== undefined)
    v.problem('InputValidation is allowed only when StoreInput is True');
  if (p.InputValidation !== undefined) checkValidation(v, p.InputValidation);
  if (p.InputEncryption !== undefined) {
    const enc = p.InputEncryption;
    if (!isObj(p.InputValidation) || p.InputValidation.CustomValidation === undefined)
      v.problem('InputEncryption is allowed only with CustomValidation');
    if (!isObj(enc) || typeof enc.EncryptionKeyId !== 'string' || typeof enc.Key !== 'string')
      v.problem('InputEncryption needs EncryptionKeyId and Key');
  }
  const dtmf = p.DTMFConfiguration;
  if (dtmf !== undefined) {
    if (!isObj(dtmf)) v.problem('DTMFConfiguration must be an object');
    else {
      const seq = dtmf.InputTerminationSequence;
      if (seq !== undefined && (typeof seq !== 'string' || !/^[0-9*#]{1,5}$/.test(seq)))
        v.problem('DTMFConfiguration.InputTerminationSequence must be 1 to 5 of 0-9, * and #');
      if (dtmf.DisableCancelKey !== undefined && !isTrueFalse(dtmf.DisableCancelKey))
        v.problem('DTMFConfiguration.DisableCancelKey must be "True" or "False"');
    }
  }
}

function checkBranches(v: ActionValidation, store: boolean, phone: boolean): void {
  if (store && v.conditions.length > 0) v.problem('conditions are not allowed when StoreInput is True');
  if (!store) {
    for (const c of v.conditions) {
      const operand = c?.Operands?.[0];
      if (c?.Operator !== 'Equals' || typeof operand !== 'string' || !DTMF_CHARACTER.test(operand))
        v.problem(
          `conditions must be Equals one of 0-9, * or # (got ${c?.Operator} ${JSON.stringify(operand)})`,
        );
    }
  }
  if (!v.errorTypes.includes(NO_MATCHING_ERROR)) v.problem('an Errors entry for NoMatchingError is required');
  if (store && v.errorTypes.includes(NO_MATCHING_CONDITION))
    v.problem('NoMatchingCondition is allowed only when StoreInput is False');
  if (!phone && v.errorTypes.includes(INVALID_PHONE))
    v.problem('InvalidPhoneNumber is allowed only with PhoneNumberValidation');
}

/** The value to store, or the error the input earns. */
function validateInput(ctx: ActionContext, text: string): string | ActionResult {
  if (ctx.params.InputEncryption !== undefined) return fail('InputEncryption is not supported');
  const validation = ctx.params.InputValidation as Obj;
  const phone = validation.PhoneNumberValidation as Obj | undefined;
  if (phone) {
    const number = text.replace(/[\s().-]/g, '');
    const valid = phone.NumberFormat === 'E164' ? /^\+[1-9]\d{1,14}$/ : /^\d{3,14}$/;
    return valid.test(number)
      ? number
      : fail(`${JSON.stringify(text)} is not a valid phone number`, INVALID_PHONE);
  }
  const max = integerParam((validation.CustomValidation as Obj).MaximumLength, 1, 1_000_000) ?? 0;
  return [...text].length <= max ? text : fail(`The input is longer than ${max} characters`);
}

export const getParticipantInput: ActionHandler = {
  hasResult: true,
  errorTypes: [INVALID_PHONE, INPUT_TIMEOUT],
  validate(v) {
    checkPrompt(v, false);
    const store = v.params.StoreInput ?? 'False';
    if (!isTrueFalse(store)) v.problem('StoreInput must be "True" or "False"');
    checkInput(v, store === 'True');
    const validation = v.params.InputValidation;
    checkBranches(v, store === 'True', isObj(validation) && validation.PhoneNumberValidation !== undefined);
  },
  async run(ctx) {
    // A call's customer answers with DTMF tones, which a web call does not carry.
    if (ctx.contact.channel === 'VOICE')
      return fail('GetParticipantInput needs DTMF input, which a web call does not carry');
    const prompt = promptText(ctx);
    if (typeof prompt !== 'string') return prompt;
    if (prompt.trim() !== '') {
      const failed = await attempt('Sending the prompt', () => ctx.host.sendMessage(prompt));
      if (failed) return failed;
    }
    const seconds = integerParam(timeoutParam(ctx.params), 1, MAX_INPUT_SECONDS);
    return { kind: 'wait', wait: { kind: 'input', deadline: seconds && ctx.now + seconds * 1000 } };
  },
  async resume(ctx, event) {
    if (event.kind === 'timeout') return fail('The customer gave no input in time', INPUT_TIMEOUT);
    if (event.kind !== 'customerMessage') return undefined;
    const text = event.text.trim();
    if (ctx.params.StoreInput !== 'True') return ok(text);
    const value = validateInput(ctx, text);
    if (typeof value !== 'string') return value;
    ctx.run.storedInput = value;
    return ok();
  },
};
