/**
 * Connect instances: the account-level container of everything else. A caller reaches only
 * instances of its own account, in the Region its request was signed for, as on AWS.
 */
import type { Clock } from '../../ports/clock.ts';
import type { IdGenerator } from '../../ports/ids.ts';
import type { InstanceRecord, StoreTx } from '../../ports/store.ts';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/connect/errors.ts';
import { instanceArn, instanceIdFrom } from '../arn.ts';
import { decodeNextToken, encodeNextToken } from '../pagination.ts';

export interface InstanceCaller {
  accountId: string;
  region: string;
}

export interface NewInstance {
  alias: string;
  identityManagementType: string;
  inboundCallsEnabled: boolean;
  outboundCallsEnabled: boolean;
  tags?: Record<string, string>;
}

export class InstanceService {
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  /** Instances are never changed or deleted once created, so a node may keep what it read. */
  readonly #known = new Map<string, InstanceRecord>();

  constructor(clock: Clock, ids: IdGenerator) {
    this.#clock = clock;
    this.#ids = ids;
  }

  async create(tx: StoreTx, caller: InstanceCaller, spec: NewInstance): Promise<InstanceRecord> {
    const id = this.#ids.uuid();
    const record: InstanceRecord = {
      id,
      arn: instanceArn({ region: caller.region, accountId: caller.accountId, instanceId: id }),
      accountId: caller.accountId,
      region: caller.region,
      alias: spec.alias,
      identityManagementType: spec.identityManagementType,
      inboundCallsEnabled: spec.inboundCallsEnabled,
      outboundCallsEnabled: spec.outboundCallsEnabled,
      status: 'ACTIVE',
      createdAt: this.#clock.now(),
      tags: spec.tags ?? {},
    };
    if (!(await tx.instances.insert(record))) {
      throw new InvalidRequestException(`The instance alias ${spec.alias} is already in use`);
    }
    return record;
  }

  async require(tx: StoreTx, caller: InstanceCaller, instanceIdOrArn: string): Promise<InstanceRecord> {
    const id = instanceIdFrom(instanceIdOrArn);
    let instance = this.#known.get(id);
    if (!instance) {
      instance = await tx.instances.get(id);
      if (instance) this.#known.set(id, instance);
    }
    if (!instance || instance.accountId !== caller.accountId) {
      throw new ResourceNotFoundException(`Instance ${instanceIdOrArn} not found`);
    }
    if (instance.region !== caller.region) {
      throw new ResourceNotFoundException(
        `Instance ${instanceIdOrArn} not found in ${caller.region} (it is in ${instance.region})`,
      );
    }
    return instance;
  }

  async list(
    tx: StoreTx,
    caller: InstanceCaller,
    nextToken: string | undefined,
    maxResults: number,
  ): Promise<{ items: InstanceRecord[]; nextToken?: string }> {
    const page = await tx.instances.list(
      caller.accountId,
      decodeNextToken('instances', nextToken),
      maxResults,
    );
    return { items: page.items, nextToken: encodeNextToken('instances', page.next) };
  }
}
