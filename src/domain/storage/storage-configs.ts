/**
 * Instance storage configs: where an instance's chat transcripts and call recordings go. One
 * S3 association per (instance, resource type), as Amazon Connect allows, stored as a
 * 'storage-config' resource named by its resource type. Without one, blobs stay under the
 * node's data dir.
 *
 * Deviations from Amazon Connect:
 * - Only CHAT_TRANSCRIPTS and CALL_RECORDINGS, in S3, can be associated; other resource types
 *   and storage types are InvalidRequestException.
 * - The bucket is not checked to exist (there may be no S3 to ask): only its name is checked
 *   against S3's bucket naming rules. A KMS KeyId must be a key or alias ARN.
 */
import type { Clock } from '../../ports/clock.ts';
import type { InstanceRecord, ResourceRecord, StoreTx } from '../../ports/store.ts';
import type * as S from '../../generated/connect/shapes.ts';
import {
  InvalidParameterException,
  InvalidRequestException,
  ResourceConflictException,
  ResourceNotFoundException,
} from '../../generated/connect/errors.ts';
import type { ResourceService } from '../resources/resource-service.ts';
import { claimOnce } from '../idempotency.ts';

export const STORED_RESOURCE_TYPES = ['CHAT_TRANSCRIPTS', 'CALL_RECORDINGS'] as const;
export type StoredResourceType = (typeof STORED_RESOURCE_TYPES)[number];

/** An S3 destination: objects go under BucketPrefix in BucketName, SSE-KMS with KeyId if given. */
export type S3Storage = {
  BucketName: string;
  BucketPrefix: string;
  EncryptionConfig?: { EncryptionType: 'KMS'; KeyId: string };
};

/** The body of a 'storage-config' resource. */
export type StorageConfigBody = {
  ResourceType: StoredResourceType;
  StorageType: 'S3';
  S3Config: S3Storage;
};

export type StorageConfigRecord = ResourceRecord<StorageConfigBody>;

/** The S3 destination associated with the instance for this resource type, if any. */
export async function s3StorageFor(
  tx: StoreTx,
  instanceId: string,
  resourceType: StoredResourceType,
): Promise<S3Storage | undefined> {
  const found = await tx.resources.findByName(instanceId, 'storage-config', resourceType);
  return (found?.body as StorageConfigBody | undefined)?.S3Config;
}

export class StorageConfigs {
  readonly #resources: ResourceService;
  readonly #clock: Clock;

  constructor(resources: ResourceService, clock: Clock) {
    this.#resources = resources;
    this.#clock = clock;
  }

  /** Returns the AssociationId; a repeated ClientToken gets the first one. */
  async associate(
    tx: StoreTx,
    instance: InstanceRecord,
    req: { ResourceType: string; StorageConfig: S.InstanceStorageConfig; ClientToken?: string },
  ): Promise<string> {
    const body = storageConfigBody(req.ResourceType, req.StorageConfig);
    const id = this.#resources.newId();
    const first = await claimOnce(
      tx,
      `AssociateInstanceStorageConfig/${instance.id}`,
      req,
      { AssociationId: id },
      this.#clock.now(),
    );
    if (first) return first.AssociationId;
    if (await tx.resources.findByName(instance.id, 'storage-config', body.ResourceType)) {
      throw new ResourceConflictException(
        `The instance already has a ${body.ResourceType} storage config; update or disassociate it`,
      );
    }
    await this.#resources.create(tx, instance, 'storage-config', body.ResourceType, body, id);
    return id;
  }

  /** The association, which must be of this resource type. */
  async require(
    tx: StoreTx,
    instance: InstanceRecord,
    associationId: string,
    resourceType: string,
  ): Promise<StorageConfigRecord> {
    const found = await tx.resources.get(instance.id, 'storage-config', associationId);
    if (!found || (found.body as StorageConfigBody).ResourceType !== resourceType) {
      throw new ResourceNotFoundException(
        `No ${resourceType} storage config with AssociationId ${associationId} in this instance`,
      );
    }
    return found as StorageConfigRecord;
  }

  /** At most one: a resource type has one association. */
  async list(tx: StoreTx, instance: InstanceRecord, resourceType: string): Promise<StorageConfigRecord[]> {
    const found = await tx.resources.findByName(instance.id, 'storage-config', resourceType);
    return found ? [found as StorageConfigRecord] : [];
  }

  async update(
    tx: StoreTx,
    instance: InstanceRecord,
    associationId: string,
    resourceType: string,
    config: S.InstanceStorageConfig,
  ): Promise<void> {
    const record = await this.require(tx, instance, associationId, resourceType);
    await this.#resources.update(tx, { ...record, body: storageConfigBody(resourceType, config) });
  }

  /** A repeated ClientToken succeeds again, once the association is gone. */
  async disassociate(
    tx: StoreTx,
    instance: InstanceRecord,
    req: { AssociationId: string; ResourceType: string; ClientToken?: string },
  ): Promise<void> {
    const scope = `DisassociateInstanceStorageConfig/${instance.id}`;
    if (await claimOnce(tx, scope, req, { done: true }, this.#clock.now())) return;
    await this.#resources.remove(tx, await this.require(tx, instance, req.AssociationId, req.ResourceType));
  }
}

/** Checks a requested config and keeps what localconnect stores of it. */
function storageConfigBody(resourceType: string, config: S.InstanceStorageConfig): StorageConfigBody {
  if (!(STORED_RESOURCE_TYPES as readonly string[]).includes(resourceType)) {
    throw new InvalidRequestException(
      `localconnect stores ${STORED_RESOURCE_TYPES.join(' and ')} only, not ${resourceType}`,
    );
  }
  if (config.StorageType !== 'S3') {
    throw new InvalidRequestException(`${resourceType} can be stored in S3 only, not ${config.StorageType}`);
  }
  const others = (
    ['KinesisVideoStreamConfig', 'KinesisStreamConfig', 'KinesisFirehoseConfig'] as const
  ).filter((k) => config[k] !== undefined);
  if (others.length > 0) {
    throw new InvalidParameterException(`StorageType S3 takes S3Config, not ${others.join(', ')}`);
  }
  const s3 = config.S3Config;
  if (!s3) throw new InvalidParameterException('StorageType S3 requires S3Config');
  checkBucketName(s3.BucketName);
  const encryption = s3.EncryptionConfig;
  if (encryption && !KMS_KEY_ARN.test(encryption.KeyId)) {
    throw new InvalidParameterException(
      `EncryptionConfig.KeyId must be the full ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>), not ${encryption.KeyId}`,
    );
  }
  return {
    ResourceType: resourceType as StoredResourceType,
    StorageType: 'S3',
    S3Config: {
      BucketName: s3.BucketName,
      BucketPrefix: s3.BucketPrefix,
      ...(encryption && {
        EncryptionConfig: { EncryptionType: encryption.EncryptionType, KeyId: encryption.KeyId },
      }),
    },
  };
}

const KMS_KEY_ARN = /^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_+=,.@-]+$/;

/** S3's naming rules for general purpose buckets: what a name must be, and how to tell. */
const BUCKET_NAME_RULES: [string, (name: string) => boolean][] = [
  ['is 3 to 63 characters long', (n) => n.length >= 3 && n.length <= 63],
  ['has lowercase letters, digits, dots and hyphens only', (n) => /^[a-z0-9.-]*$/.test(n)],
  ['begins and ends with a letter or digit', (n) => /^[a-z0-9](.*[a-z0-9])?$/.test(n)],
  ['has no two adjacent dots', (n) => !n.includes('..')],
  ['is not an IP address', (n) => !/^\d+\.\d+\.\d+\.\d+$/.test(n)],
  [
    'does not use a prefix or suffix S3 reserves',
    (n) => !/^(xn--|sthree-)/.test(n) && !/(-s3alias|--ol-s3)$/.test(n),
  ],
];

function checkBucketName(name: string): void {
  const broken = BUCKET_NAME_RULES.find(([, holds]) => !holds(name));
  if (broken) {
    throw new InvalidParameterException(
      `BucketName ${name} is not a valid S3 bucket name: a bucket name ${broken[0]}`,
    );
  }
}
