/**
 * First start: the default instance (with the resources every new instance gets), an admin
 * user, and an API access key written where the AWS CLI and SDKs look for one. Later starts
 * find the marker in the store and only report what exists.
 *
 * First start is all or nothing: the store's marker says it is complete only once the node
 * has listened and written the credential files (markProvisioned). A start that finds it
 * incomplete (the first one could not listen, or died) finishes it, as a first start.
 */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './ports/store.ts';
import type { Clock } from './ports/clock.ts';
import type { IdGenerator } from './ports/ids.ts';
import type { InstanceService } from './domain/instances/instance-service.ts';
import type { ResourceService } from './domain/resources/resource-service.ts';
import type { AccessKeys } from './aws/auth/access-keys.ts';
import { ensureAgentStatuses, seedInstance } from './domain/instances/instance-defaults.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
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
  passwords: PasswordHasher;
}

const MARKER = 'bootstrap';

/** The shared AWS files a node writes for its clients (the AWS CLI, the SDKs, boto3). */
export function clientFiles(dataDir: string): { credentials: string; config: string } {
  return { credentials: join(dataDir, 'aws-credentials'), config: join(dataDir, 'aws-config') };
}

interface Marker {
  instanceId: string;
  inboundFlowId: string;
  accessKeyId: string;
  adminUsername: string;
  /** False until the first start's files are written; absent in data made before it was kept. */
  provisioned?: boolean;
}

export async function bootstrap(config: Config, d: Deps): Promise<BootstrapInfo> {
  const files = { ...clientFiles(config.dataDir), adminPassword: join(config.dataDir, 'admin-password') };
  const existing = await d.store.transaction((tx) => tx.meta.get(MARKER));
  if (existing) {
    const { provisioned, ...saved } = JSON.parse(existing) as Marker;
    // Data made before agent statuses existed gets them.
    await d.store.transaction(async (tx) => {
      for (const instance of (await tx.instances.list(config.accountId, undefined, 100)).items)
        await ensureAgentStatuses(tx, d.resources, instance);
    });
    const accessKeyId = await ensureConfiguredKey(config, d);
    return {
      ...saved,
      accessKeyId: accessKeyId ?? saved.accessKeyId,
      firstStart: provisioned === false,
      files,
    };
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
  const passwordHash = await d.passwords.hash(adminPassword);
  // Before the user exists: a first start that fails later writes a new one next time.
  writeSecretFile(files.adminPassword, `${adminPassword}\n`);
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
    // The main thread reads the keys from the store once the domain is up.
    await tx.accessKeys.put({ ...key, accountId: config.accountId, createdAt: d.clock.now() });
    const saved = {
      instanceId: instance.id,
      inboundFlowId: defaults.inboundFlowId,
      accessKeyId: key.accessKeyId,
      adminUsername: ADMIN_USERNAME,
    };
    await tx.meta.set(MARKER, JSON.stringify({ ...saved, provisioned: false } satisfies Marker));
    return saved;
  });
  return { ...info, firstStart: true, files };
}

/** Records that the first start's files are written: later starts are not first starts. */
export async function markProvisioned(store: Store): Promise<void> {
  await store.transaction(async (tx) => {
    const marker = JSON.parse((await tx.meta.get(MARKER))!) as Marker;
    if (marker.provisioned === false)
      await tx.meta.set(MARKER, JSON.stringify({ ...marker, provisioned: true }));
  });
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

/** Mode 0600, and whole or not at all: written beside the target, then renamed over it. */
export function writeSecretFile(path: string, content: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600); // a temp file left by a crash keeps its mode
  renameSync(temp, path);
}
