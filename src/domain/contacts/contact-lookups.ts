/**
 * Look-ups every way of starting or reading a contact shares: the contact by id (or
 * ResourceNotFoundException), and the inbound flow a contact starts in (a CONTACT_FLOW of the
 * instance), remembered once found.
 */
import type { ContactRecord, InstanceRecord, StoreTx } from '../../ports/store.ts';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/connect/errors.ts';
import type { ResourceService } from '../resources/resource-service.ts';

export async function requireContact(
  tx: StoreTx,
  instance: InstanceRecord,
  contactId: string,
): Promise<ContactRecord> {
  const contact = await tx.contacts.get(instance.id, contactId);
  if (!contact) throw new ResourceNotFoundException(`Contact ${contactId} not found`);
  return contact;
}

export class InboundFlows {
  readonly #resources: ResourceService;
  readonly #known = new Map<string, { id: string }>();

  constructor(resources: ResourceService) {
    this.#resources = resources;
  }

  /** The CONTACT_FLOW a contact starts in, by id or ARN. */
  async require(tx: StoreTx, instance: InstanceRecord, flowIdOrArn: string): Promise<{ id: string }> {
    const key = `${instance.id}/${flowIdOrArn}`;
    const known = this.#known.get(key);
    if (known) return known;
    const flow = await this.#resources.require(tx, instance, 'contact-flow', flowIdOrArn);
    if (flow.body.Type !== 'CONTACT_FLOW') {
      throw new InvalidRequestException(
        `Flow ${flowIdOrArn} is a ${String(flow.body.Type)} flow; contacts start in a CONTACT_FLOW`,
      );
    }
    const found = { id: flow.id };
    this.#known.set(key, found);
    return found;
  }
}
