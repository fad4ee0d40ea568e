/**
 * An agent's routing state as the workspace and the Connect API both need it: created Offline
 * the first time a user signs in, or the first time PutUserStatus names them.
 */
import type { ResourceRecord, StoreTx } from '../../ports/store.ts';
import type { Agent, AgentState, AgentStatusRef, AgentStatusType } from '../routing/agent.ts';
import { toAgent, toRecord } from '../routing/agent.ts';

export function statusRef(r: ResourceRecord): AgentStatusRef {
  return { id: r.id, arn: r.arn, name: r.name, type: r.body.Type as AgentStatusType };
}

/** The instance's system status of a type: Offline or Available. */
export async function systemStatus(
  tx: StoreTx,
  instanceId: string,
  type: AgentStatusType,
): Promise<AgentStatusRef> {
  const name = type === 'OFFLINE' ? 'Offline' : 'Available';
  const status = await tx.resources.findByName(instanceId, 'agent-status', name);
  if (!status) throw new Error(`The instance has no ${name} agent status`);
  return statusRef(status);
}

/**
 * The user's agent state, created Offline if they have none yet; an existing one follows the
 * user's routing profile.
 */
export async function ensureAgent(tx: StoreTx, user: ResourceRecord, now: number): Promise<Agent> {
  const existing = await tx.agents.get(user.instanceId, user.id);
  const routingProfileId = user.body.RoutingProfileId as string;
  if (existing) {
    const agent = toAgent(existing);
    if (agent.state.routingProfileId === routingProfileId) return agent;
    agent.state.routingProfileId = routingProfileId;
    await tx.agents.put(toRecord(agent));
    return agent;
  }
  const state: AgentState = {
    status: { ...(await systemStatus(tx, user.instanceId, 'OFFLINE')), since: now },
    online: 0,
    routingProfileId,
    idleSince: now,
    contacts: [],
  };
  const agent: Agent = { instanceId: user.instanceId, userId: user.id, state };
  await tx.agents.put(toRecord(agent));
  return agent;
}
