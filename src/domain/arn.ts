/** Amazon Connect ARNs, and identifiers given either bare or as an ARN. */

export interface InstanceScope {
  region: string;
  accountId: string;
  instanceId: string;
}

export const instanceArn = (s: InstanceScope): string =>
  `arn:aws:connect:${s.region}:${s.accountId}:instance/${s.instanceId}`;

/** `arn:…:instance/<id>/<type>/<resourceId>`, as Connect names resources inside an instance. */
export const resourceArn = (s: InstanceScope, type: string, id: string): string =>
  `${instanceArn(s)}/${type}/${id}`;

/** The id an API caller meant: the last path segment of an ARN, or the value itself. */
export function idFromArnOrId(value: string): string {
  if (!value.startsWith('arn:')) return value;
  const resource = value.split(':').slice(5).join(':');
  const parts = resource.split('/');
  return parts[parts.length - 1];
}

/** The instance id from an InstanceId member, which may be the instance ARN. */
export function instanceIdFrom(value: string): string {
  if (!value.startsWith('arn:')) return value;
  const match = /:instance\/([^/]+)/.exec(value);
  return match ? match[1] : value;
}
