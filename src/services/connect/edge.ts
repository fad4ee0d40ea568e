/**
 * How the Connect API meets HTTP: SigV4 against the server's access keys, constraint
 * violations as InvalidParameterException (InvalidRequestException where the operation does
 * not model it), per-instance token buckets answering 429 as AWS does.
 */
import type { ServiceEdge } from '../../aws/service-plugin.ts';
import type { Operation } from '../../aws/protocol/model.ts';
import { loadModel } from '../../aws/protocol/model.ts';
import { verifySigV4 } from '../../aws/auth/sigv4.ts';
import type { AccessKeys } from '../../aws/auth/access-keys.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConnectApi } from '../../generated/connect/api.ts';
import { protocolErrors } from '../../aws/service-error.ts';
import {
  InvalidParameterException,
  InvalidRequestException,
  ThrottlingException,
  TooManyRequestsException,
} from '../../generated/connect/errors.ts';
import type { ApiRateLimits } from '../../quotas.ts';
import { instanceIdFrom } from '../../domain/arn.ts';

export interface ConnectEdgeDeps {
  provider: ConnectApi;
  accessKeys: AccessKeys;
  clock: Clock;
  rateLimits: ApiRateLimits;
  region: string;
}

export function connectEdge(deps: ConnectEdgeDeps): ServiceEdge {
  const models = (op: Operation, name: string) => op.errors.includes(name);
  return {
    model: loadModel('connect'),
    provider: deps.provider,
    defaultRegion: deps.region,
    async authenticate(req, ctx) {
      const caller = await verifySigV4(req, {
        service: 'connect',
        region: deps.region,
        now: deps.clock.now(),
        lookupSecret: (id) => deps.accessKeys.lookup(id),
      });
      ctx.caller = { accessKeyId: caller.accessKeyId, accountId: caller.accountId };
      ctx.region = caller.region;
    },
    constraintError: (op, message) =>
      models(op, 'InvalidParameterException')
        ? new InvalidParameterException(message)
        : new InvalidRequestException(message),
    // Not the generated InternalServiceException: the Connect model does not mark it a server
    // fault, and only server faults are logged, so unexpected errors would vanish silently.
    internalError: protocolErrors.internal,
    admit(op, input, ctx) {
      const scope =
        typeof input.InstanceId === 'string' ? instanceIdFrom(input.InstanceId) : ctx.caller!.accountId;
      if (!deps.rateLimits.take(scope, op.name)) {
        const message = `Rate exceeded for ${op.name}`;
        throw models(op, 'ThrottlingException')
          ? new ThrottlingException(message)
          : new TooManyRequestsException(message);
      }
    },
  };
}
