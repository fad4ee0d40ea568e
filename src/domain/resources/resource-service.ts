/**
 * The admin resources inside an instance (hours of operation, queues, routing profiles,
 * flows, security profiles, users), stored whole and addressed by id or ARN. Names are unique
 * per instance and kind, as Connect requires.
 */
import type { Clock } from '../../ports/clock.ts';
import type { IdGenerator } from '../../ports/ids.ts';
import type { InstanceRecord, ResourceKind, ResourceRecord, StoreTx } from '../../ports/store.ts';
import { DuplicateResourceException, ResourceNotFoundException } from '../../generated/connect/errors.ts';
import { idFromArnOrId, resourceArn } from '../arn.ts';
import { decodeNextToken, encodeNextToken } from '../pagination.ts';

/** The ARN segment and the words for each kind. */
const KINDS: Record<ResourceKind, { arnType: string; label: string }> = {
  'hours-of-operation': { arnType: 'operating-hours', label: 'Hours of operation' },
  queue: { arnType: 'queue', label: 'Queue' },
  'routing-profile': { arnType: 'routing-profile', label: 'Routing profile' },
  'contact-flow': { arnType: 'contact-flow', label: 'Contact flow' },
  'security-profile': { arnType: 'security-profile', label: 'Security profile' },
  user: { arnType: 'agent', label: 'User' },
  'agent-status': { arnType: 'agent-state', label: 'Agent status' },
  // Amazon Connect gives storage configs no ARN; this one is never shown.
  'storage-config': { arnType: 'storage-config', label: 'Storage config' },
};

const scopeOf = (instance: InstanceRecord) => ({
  region: instance.region,
  accountId: instance.accountId,
  instanceId: instance.id,
});

export class ResourceService {
  readonly #clock: Clock;
  readonly #ids: IdGenerator;

  constructor(clock: Clock, ids: IdGenerator) {
    this.#clock = clock;
    this.#ids = ids;
  }

  /** A fresh resource id, for a caller that needs it before create (a ClientToken's answer). */
  newId(): string {
    return this.#ids.uuid();
  }

  async create<Body extends Record<string, unknown>>(
    tx: StoreTx,
    instance: InstanceRecord,
    kind: ResourceKind,
    name: string,
    body: Body,
    /** From newId(), when the caller needed it first. */
    id: string = this.newId(),
  ): Promise<ResourceRecord<Body>> {
    const now = this.#clock.now();
    const record: ResourceRecord<Body> = {
      instanceId: instance.id,
      kind,
      id,
      arn: resourceArn(scopeOf(instance), KINDS[kind].arnType, id),
      name,
      body,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await tx.resources.insert(record))) {
      throw new DuplicateResourceException(`${KINDS[kind].label} named ${name} already exists`);
    }
    return record;
  }

  async require(
    tx: StoreTx,
    instance: InstanceRecord,
    kind: ResourceKind,
    idOrArn: string,
  ): Promise<ResourceRecord> {
    const found = await tx.resources.get(instance.id, kind, idFromArnOrId(idOrArn));
    if (!found) throw new ResourceNotFoundException(`${KINDS[kind].label} ${idOrArn} not found`);
    return found;
  }

  async update(tx: StoreTx, record: ResourceRecord): Promise<ResourceRecord> {
    const updated = { ...record, updatedAt: this.#clock.now() };
    if (!(await tx.resources.update(updated))) {
      throw new DuplicateResourceException(`${KINDS[record.kind].label} named ${record.name} already exists`);
    }
    return updated;
  }

  async remove(tx: StoreTx, record: ResourceRecord): Promise<void> {
    if (!(await tx.resources.remove(record.instanceId, record.kind, record.id))) {
      throw new ResourceNotFoundException(`${KINDS[record.kind].label} ${record.id} not found`);
    }
  }

  async list(
    tx: StoreTx,
    instance: InstanceRecord,
    kind: ResourceKind,
    nextToken: string | undefined,
    maxResults: number | undefined,
  ): Promise<{ items: ResourceRecord[]; nextToken?: string }> {
    const page = await tx.resources.list(
      instance.id,
      kind,
      decodeNextToken(kind, nextToken),
      maxResults ?? 100,
    );
    return { items: page.items, nextToken: encodeNextToken(kind, page.next) };
  }
}
