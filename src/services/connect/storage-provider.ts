/**
 * The Connect API's instance storage configs: Associate, Describe, List, Update and
 * Disassociate InstanceStorageConfig (domain/storage/storage-configs.ts has the rules and
 * the deviations from Amazon Connect).
 *
 * ListInstanceStorageConfigs is always one page: a resource type has at most one association,
 * so a NextToken, never issued, is InvalidParameterException.
 */
import type { RequestContext } from '../../aws/request-context.ts';
import type * as S from '../../generated/connect/shapes.ts';
import { InvalidParameterException } from '../../generated/connect/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import type { InstanceService } from '../../domain/instances/instance-service.ts';
import type { ResourceService } from '../../domain/resources/resource-service.ts';
import { StorageConfigs, type StorageConfigRecord } from '../../domain/storage/storage-configs.ts';
import { inInstance } from './admin-provider.ts';

export interface StorageProviderDeps {
  store: Store;
  clock: Clock;
  instances: InstanceService;
  resources: ResourceService;
}

const storageConfigShape = (r: StorageConfigRecord): S.InstanceStorageConfig => ({
  AssociationId: r.id,
  StorageType: r.body.StorageType,
  S3Config: r.body.S3Config,
});

export class StorageProvider {
  readonly #d: StorageProviderDeps;
  readonly #configs: StorageConfigs;

  constructor(deps: StorageProviderDeps) {
    this.#d = deps;
    this.#configs = new StorageConfigs(deps.resources, deps.clock);
  }

  async associateInstanceStorageConfig(
    input: S.AssociateInstanceStorageConfigRequest,
    ctx: RequestContext,
  ): Promise<S.AssociateInstanceStorageConfigResponse> {
    const { InstanceId: _instance, ...req } = input;
    const id = await inInstance(this.#d, ctx, input.InstanceId, (tx, instance) =>
      this.#configs.associate(tx, instance, req),
    );
    return { AssociationId: id };
  }

  async describeInstanceStorageConfig(
    input: S.DescribeInstanceStorageConfigRequest,
    ctx: RequestContext,
  ): Promise<S.DescribeInstanceStorageConfigResponse> {
    return inInstance(this.#d, ctx, input.InstanceId, async (tx, instance) => ({
      StorageConfig: storageConfigShape(
        await this.#configs.require(tx, instance, input.AssociationId, input.ResourceType),
      ),
    }));
  }

  async listInstanceStorageConfigs(
    input: S.ListInstanceStorageConfigsRequest,
    ctx: RequestContext,
  ): Promise<S.ListInstanceStorageConfigsResponse> {
    if (input.NextToken !== undefined) {
      throw new InvalidParameterException('The NextToken is not valid for this request');
    }
    return inInstance(this.#d, ctx, input.InstanceId, async (tx, instance) => ({
      StorageConfigs: (await this.#configs.list(tx, instance, input.ResourceType)).map(storageConfigShape),
    }));
  }

  async updateInstanceStorageConfig(
    input: S.UpdateInstanceStorageConfigRequest,
    ctx: RequestContext,
  ): Promise<Record<string, never>> {
    await inInstance(this.#d, ctx, input.InstanceId, (tx, instance) =>
      this.#configs.update(tx, instance, input.AssociationId, input.ResourceType, input.StorageConfig),
    );
    return {};
  }

  async disassociateInstanceStorageConfig(
    input: S.DisassociateInstanceStorageConfigRequest,
    ctx: RequestContext,
  ): Promise<Record<string, never>> {
    const { InstanceId: _instance, ...req } = input;
    await inInstance(this.#d, ctx, input.InstanceId, (tx, instance) =>
      this.#configs.disassociate(tx, instance, req),
    );
    return {};
  }
}
