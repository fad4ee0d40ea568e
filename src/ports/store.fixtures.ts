/** Records tests put in a store before what they are about. */
import type { InstanceRecord } from './store.ts';

/** An active instance with the given id, in us-east-1. */
export function testInstance(id: string, createdAt = 0): InstanceRecord {
  return {
    id,
    arn: `arn:aws:connect:us-east-1:111111111111:instance/${id}`,
    accountId: '111111111111',
    region: 'us-east-1',
    alias: id,
    identityManagementType: 'CONNECT_MANAGED',
    inboundCallsEnabled: true,
    outboundCallsEnabled: true,
    status: 'ACTIVE',
    createdAt,
    tags: {},
  };
}
