/**
 * What every new instance starts with, as on Amazon Connect: 24x7 "Basic Hours", the
 * "BasicQueue", the "Basic Routing Profile", the standard security profiles, and a "Default
 * inbound flow" that greets the customer and transfers the contact to BasicQueue.
 */
import type { InstanceRecord, StoreTx } from '../../ports/store.ts';
import type { ResourceService } from '../resources/resource-service.ts';
import { FLOW_LANGUAGE_VERSION } from '../flows/flow-document.ts';

const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
export const SECURITY_PROFILES = ['Admin', 'Agent', 'CallCenterManager', 'QualityAnalyst'];
export const DEFAULT_INBOUND_FLOW = 'Default inbound flow';

export function defaultInboundFlow(basicQueueArn: string): string {
  return JSON.stringify({
    Version: FLOW_LANGUAGE_VERSION,
    StartAction: 'greet',
    Metadata: { entryPointPosition: { x: 20, y: 20 }, ActionMetadata: {} },
    Actions: [
      {
        Identifier: 'greet',
        Type: 'MessageParticipant',
        Parameters: { Text: 'Thanks for contacting us. An agent will be with you shortly.' },
        Transitions: {
          NextAction: 'set-queue',
          Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'set-queue' }],
        },
      },
      {
        Identifier: 'set-queue',
        Type: 'UpdateContactTargetQueue',
        Parameters: { QueueId: basicQueueArn },
        Transitions: {
          NextAction: 'transfer',
          Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'sorry' }],
        },
      },
      {
        Identifier: 'transfer',
        Type: 'TransferContactToQueue',
        Parameters: {},
        Transitions: {
          NextAction: 'sorry',
          Errors: [
            { ErrorType: 'QueueAtCapacity', NextAction: 'sorry' },
            { ErrorType: 'NoMatchingError', NextAction: 'sorry' },
          ],
        },
      },
      {
        Identifier: 'sorry',
        Type: 'MessageParticipant',
        Parameters: { Text: 'We cannot take your chat right now. Please try again later.' },
        Transitions: { NextAction: 'end', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }] },
      },
      { Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
    ],
  });
}

/** The agent statuses every instance has: Available (routable) and Offline. */
export const SYSTEM_AGENT_STATUSES = [
  { Name: 'Available', Type: 'ROUTABLE', Description: 'Ready for contacts', DisplayOrder: 1 },
  { Name: 'Offline', Type: 'OFFLINE', Description: 'Not taking contacts', DisplayOrder: 2 },
] as const;

/** Creates the system agent statuses an instance lacks (instances made before they existed, too). */
export async function ensureAgentStatuses(
  tx: StoreTx,
  resources: ResourceService,
  instance: InstanceRecord,
): Promise<void> {
  for (const status of SYSTEM_AGENT_STATUSES) {
    if (await tx.resources.findByName(instance.id, 'agent-status', status.Name)) continue;
    await resources.create(tx, instance, 'agent-status', status.Name, {
      ...status,
      State: 'ENABLED',
      Tags: {},
    });
  }
}

export interface InstanceDefaults {
  hoursId: string;
  basicQueueId: string;
  routingProfileId: string;
  inboundFlowId: string;
  securityProfileIds: Record<string, string>;
}

export async function seedInstance(
  tx: StoreTx,
  resources: ResourceService,
  instance: InstanceRecord,
): Promise<InstanceDefaults> {
  const hours = await resources.create(tx, instance, 'hours-of-operation', 'Basic Hours', {
    Name: 'Basic Hours',
    Description: 'Open 24 hours a day, 7 days a week',
    TimeZone: 'UTC',
    Config: DAYS.map((Day) => ({
      Day,
      StartTime: { Hours: 0, Minutes: 0 },
      EndTime: { Hours: 0, Minutes: 0 },
    })),
    Tags: {},
  });
  const queue = await resources.create(tx, instance, 'queue', 'BasicQueue', {
    Name: 'BasicQueue',
    Description: 'The default queue',
    HoursOfOperationId: hours.id,
    Status: 'ENABLED',
    Tags: {},
  });
  const profile = await resources.create(tx, instance, 'routing-profile', 'Basic Routing Profile', {
    Name: 'Basic Routing Profile',
    Description: 'The default routing profile',
    DefaultOutboundQueueId: queue.id,
    MediaConcurrencies: [
      { Channel: 'VOICE', Concurrency: 1 },
      { Channel: 'CHAT', Concurrency: 2 },
      { Channel: 'TASK', Concurrency: 10 },
    ],
    QueueConfigs: ['VOICE', 'CHAT', 'TASK'].map((Channel) => ({
      QueueReference: { QueueId: queue.id, Channel },
      Priority: 1,
      Delay: 0,
    })),
    IsDefault: true,
    Tags: {},
  });
  await ensureAgentStatuses(tx, resources, instance);
  const securityProfileIds: Record<string, string> = {};
  for (const name of SECURITY_PROFILES) {
    const sp = await resources.create(tx, instance, 'security-profile', name, { SecurityProfileName: name });
    securityProfileIds[name] = sp.id;
  }
  const flow = await resources.create(tx, instance, 'contact-flow', DEFAULT_INBOUND_FLOW, {
    Name: DEFAULT_INBOUND_FLOW,
    Type: 'CONTACT_FLOW',
    State: 'ACTIVE',
    Status: 'PUBLISHED',
    Description: 'Greets the customer and transfers the contact to BasicQueue',
    Content: defaultInboundFlow(queue.arn),
    Tags: {},
  });
  return {
    hoursId: hours.id,
    basicQueueId: queue.id,
    routingProfileId: profile.id,
    inboundFlowId: flow.id,
    securityProfileIds,
  };
}
