/**
 * What the node's own outbound AWS clients (SNS, S3) are built with: the endpoint from the
 * node's configuration, else AWS's; the region and credentials from the AWS SDK's standard
 * configuration (AWS_REGION, AWS_PROFILE, the shared files, the default credential chain).
 *
 * Except for what the node wrote for its own clients: the AWS CLI or an SDK pointed at
 * localconnect is often set up in the same shell as the node (AWS_PROFILE=localconnect and
 * AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE naming the files in the data dir), and taken
 * up here they would sign with localconnect's key and send to localconnect's endpoint_url.
 * So that profile is read as if AWS_PROFILE were unset, those files as if their variables
 * were unset, and no endpoint comes from AWS_ENDPOINT_URL or a profile's endpoint_url (the
 * node's configuration has read AWS_ENDPOINT_URL_SNS and AWS_ENDPOINT_URL_S3 already).
 *
 * Every call is bounded: a connection timeout, a request timeout, a few sockets per client,
 * and one retry inside the SDK at most (whoever delivers retries later, with its own backoff).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { loadConfig } from '@smithy/core/config';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Provider } from '@smithy/types';
import { SinkError } from '../../ports/sink-error.ts';

export interface OutboundOptions {
  /** The service's endpoint from the node's configuration; absent: AWS's for the region. */
  endpoint?: string;
  /** The region when neither AWS_REGION nor the profile names one: the node's own. */
  region: string;
  /** The profile and shared files the node writes for its clients, never read here. */
  own: { profile: string; files: string[] };
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxSockets?: number;
}

export interface OutboundClientConfig {
  endpoint?: string;
  region: Provider<string>;
  credentials: AwsCredentialIdentityProvider;
  profile: string;
  ignoreConfiguredEndpointUrls: true;
  maxAttempts: number;
  requestHandler: NodeHttpHandler;
}

/** Tries per call inside the SDK: the first and one retry. */
const MAX_ATTEMPTS = 2;

export function outboundClientConfig(options: OutboundOptions): OutboundClientConfig {
  const env = process.env;
  const own = (path: string | undefined) =>
    path !== undefined && options.own.files.some((file) => resolve(file) === resolve(path));
  const envProfile = env.AWS_PROFILE && env.AWS_PROFILE !== options.own.profile ? env.AWS_PROFILE : undefined;
  const profile = envProfile ?? 'default';
  const files = {
    profile,
    filepath: own(env.AWS_SHARED_CREDENTIALS_FILE)
      ? join(homedir(), '.aws', 'credentials')
      : env.AWS_SHARED_CREDENTIALS_FILE,
    configFilepath: own(env.AWS_CONFIG_FILE) ? join(homedir(), '.aws', 'config') : env.AWS_CONFIG_FILE,
  };
  const fromChain = defaultProvider(files);
  // The SDK's chain takes AWS_ACCESS_KEY_ID only when no profile is named; naming one here
  // (so the node's is never taken) means taking those first, as the SDK would.
  const credentials = async (): Promise<AwsCredentialIdentity> => {
    if (!envProfile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      return {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN || undefined,
      };
    }
    return fromChain();
  };
  const region = loadConfig(
    {
      environmentVariableSelector: (e) => e.AWS_REGION || undefined,
      configFileSelector: (p) => p.region,
      default: options.region,
    },
    files,
  );
  const maxSockets = options.maxSockets ?? 16;
  return {
    endpoint: options.endpoint,
    region,
    credentials,
    profile,
    ignoreConfiguredEndpointUrls: true,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  };
}

/** Error names that mean "not now" whatever the status they come with. */
const RETRYABLE_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'KMSThrottling',
  'KMSThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestTimeTooSkewed',
  'TimeoutError',
]);

/**
 * A failed SDK call as a SinkError: retryable when the service did not answer (a refused or
 * dropped connection, a timeout, credentials that could not be had), answered 5xx, 408 or
 * 429, or named throttling; permanent for any other answer.
 */
export function toSinkError(err: unknown, doing: string): SinkError {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  const code = (status === undefined && e.code) || e.name || 'Error';
  const retryable =
    status === undefined ||
    status >= 500 ||
    status === 408 ||
    status === 429 ||
    RETRYABLE_NAMES.has(e.name ?? '');
  return new SinkError(`${doing}: ${code}: ${e.message ?? String(err)}`, {
    code,
    retryable,
    status,
    cause: err,
  });
}
