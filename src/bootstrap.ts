/**
 * First start: the default instance (with the resources every new instance gets), an admin
 * user, and an API access key written where the AWS CLI and SDKs look for one. Later starts
 * find the marker in the store and only report what exists.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './ports/store.ts';
import type { Clock } from './ports/clock.ts';
import type { IdGenerator } from './ports/ids.ts';
import type { InstanceService } from './domain/instances/instance-service.ts';
import type { ResourceService } from './domain/resources/resource-service.ts';
import type { AccessKeys } from './aws/auth/access-keys.ts';
import { ensureAgentStatuses, seedInstance } from './domain/instances/instance-defaults.ts';
import { hashPassword } from './domain/users/password.ts';
import type { Config } from './config.ts';

export const PROFILE = 'localconnect';
export const ADMIN_USERNAME = 'admin';

export interface BootstrapInfo {
  firstStart: boolean;
  instanceId: string;
  inboundFlowId: string;
  accessKeyId: string;
  adminUsername: string;
  files: { credentials: string; config: string; adminPassword: string };
}

interface Deps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  instances: InstanceService;
  resources: ResourceService;
  accessKeys: AccessKeys;
}

const MARKER = 'bootstrap';

export async function bootstrap(config: Config, d: Deps): Promise<BootstrapInfo> {
  const files = {
    credentials: join(config.dataDir, 'aws-credentials'),
    config: join(config.dataDir, 'aws-config'),
    adminPassword: join(config.dataDir, 'admin-password'),
  };
  const existing = await d.store.transaction((tx) => tx.meta.get(MARKER));
  if (existing) {
    const saved = JSON.parse(existing) as Omit<BootstrapInfo, 'firstStart' | 'files'>;
    // Data made before agent statuses existed gets them.
    await d.store.transaction(async (tx) => {
      for (const instance of (await tx.instances.list(config.accountId, undefined, 100)).items)
        await ensureAgentStatuses(tx, d.resources, instance);
    });
    const accessKeyId = await ensureConfiguredKey(config, d);
    return { ...saved, accessKeyId: accessKeyId ?? saved.accessKeyId, firstStart: false, files };
  }

  const key = config.accessKey ?? {
    accessKeyId: `LKIA${d.ids
      .secret(12)
      .replace(/[^A-Za-z0-9]/g, '')
      .toUpperCase()
      .slice(0, 16)
      .padEnd(16, 'X')}`,
    secretAccessKey: d.ids.secret(30),
  };
  const adminPassword = `Lc1-${d.ids.secret(15)}`;
  const passwordHash = await hashPassword(adminPassword);
  const info = await d.store.transaction(async (tx) => {
    const instance = await d.instances.create(
      tx,
      { accountId: config.accountId, region: config.region },
      {
        alias: 'default',
        identityManagementType: 'CONNECT_MANAGED',
        inboundCallsEnabled: true,
        outboundCallsEnabled: true,
      },
    );
    const defaults = await seedInstance(tx, d.resources, instance);
    await d.resources.create(tx, instance, 'user', ADMIN_USERNAME, {
      Username: ADMIN_USERNAME,
      IdentityInfo: { FirstName: 'Admin', LastName: 'User' },
      PhoneConfig: { PhoneType: 'SOFT_PHONE', AutoAccept: false, AfterContactWorkTimeLimit: 0 },
      SecurityProfileIds: [defaults.securityProfileIds.Admin],
      RoutingProfileId: defaults.routingProfileId,
      Tags: {},
      passwordHash,
    });
    const saved = {
      instanceId: instance.id,
      inboundFlowId: defaults.inboundFlowId,
      accessKeyId: key.accessKeyId,
      adminUsername: ADMIN_USERNAME,
    };
    await tx.meta.set(MARKER, JSON.stringify(saved));
    return saved;
  });
  await d.accessKeys.add(d.store, { ...key, accountId: config.accountId, createdAt: d.clock.now() });
  writeSecretFile(files.adminPassword, `${adminPassword}\n`);
  return { ...info, firstStart: true, files };
}

/** A key fixed by LOCALCONNECT_ACCESS_KEY_ID on a later start is added; returns its id. */
async function ensureConfiguredKey(config: Config, d: Deps): Promise<string | undefined> {
  if (!config.accessKey) return undefined;
  const known = d.accessKeys.lookup(config.accessKey.accessKeyId);
  if (!known || known.secretAccessKey !== config.accessKey.secretAccessKey) {
    await d.accessKeys.add(d.store, {
      ...config.accessKey,
      accountId: config.accountId,
      createdAt: d.clock.now(),
    });
  }
  return config.accessKey.accessKeyId;
}

/**
 * The AWS shared credentials and config files (profile `localconnect`), mode 0600. Written on
 * every start, once the node listens, because endpoint_url names the port actually bound.
 */
export function writeCredentialFiles(
  files: BootstrapInfo['files'],
  endpoint: string,
  region: string,
  key: { accessKeyId: string; secretAccessKey: string },
): void {
  writeSecretFile(
    files.credentials,
    `[${PROFILE}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`,
  );
  writeSecretFile(
    files.config,
    `[profile ${PROFILE}]\nregion = ${region}\nendpoint_url = ${endpoint}\noutput = json\n`,
  );
}

function writeSecretFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}
