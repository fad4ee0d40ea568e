/**
 * Configuration of a node, from command-line flags and LOCALCONNECT_* environment variables
 * (flags win), validated once at start.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { isIPv4 } from 'node:net';
import { normalize } from './http/origin-policy.ts';
import { buildQuotas, QUOTA_PROFILES, type QuotaProfile, type Quotas } from './quotas.ts';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  accountId: string;
  quotaProfile: QuotaProfile;
  quotas: Quotas;
  /** A fixed API access key instead of the generated one. */
  accessKey?: { accessKeyId: string; secretAccessKey: string };
  logLevel: string;
  /** JSON lines, or human ones (the default when stderr is a terminal). */
  logFormat: LogFormat;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** How long an agent has to accept an offered contact before it counts as missed. */
  offerTimeoutMs: number;
  /** Origins (scheme://host:port) the node's pages are also served from, e.g. behind a TLS proxy. */
  publicOrigins: string[];
  /** Whether /test-chat/ and its backend are served. */
  testPages: boolean;
  /** Where the node publishes to SNS (chat streaming); absent: AWS's endpoint for the region. */
  snsEndpoint?: string;
  /** Where the node puts objects to S3; absent: AWS's endpoint for the region. */
  s3Endpoint?: string;
  /** How old an outbox entry may get before a failed delivery of it gives up (drops it). */
  outboxMaxAgeMs: number;
  /** The bearer GET /metrics needs; absent: the one generated in the data dir (metrics-token). */
  metricsToken?: string;
  media: MediaConfig;
}

/** Where a node's calls' media is reached (shared/spec/webrtc-media.md §§1, 6). */
export interface MediaConfig {
  /** Addresses announced as ICE host candidates besides the machine's own (a public address). */
  hostAddresses: string[];
  /** The UDP ports the calls' peers bind, inclusive; absent: any free port. */
  portRange?: [number, number];
  /** TURN servers clients relay through, with the shared secret of their REST credentials. */
  turn?: { uris: string[]; secret: string };
  /** The origin the meetings' URLs name (wss://… behind a TLS proxy); absent: the node's own ws://. */
  origin?: string;
}

export const USAGE = `Usage: localconnect serve [options]

Options (environment variable in brackets):
  --host HOST          address to listen on (LOCALCONNECT_HOST, default 127.0.0.1)
  --port PORT          port, 0 for any free one (LOCALCONNECT_PORT, default 8080)
  --data-dir DIR       where state and files live (LOCALCONNECT_DATA_DIR, default ./data)
  --region REGION      the AWS Region this node serves (LOCALCONNECT_REGION, default us-east-1)
  --account-id ID      12-digit AWS account id (LOCALCONNECT_ACCOUNT_ID, default 000000000000)
  --quotas PROFILE     default | aws: Amazon Connect's default quotas (LOCALCONNECT_QUOTAS)
  --quota NAME=VALUE   override one quota, e.g. StartChatContact=5/8, activeChatsPerInstance=100
                       or activeCallsPerInstance=10
  --log-level LEVEL    fatal | error | warn | info | debug (LOCALCONNECT_LOG_LEVEL, default info)
  --log-format FORMAT  json | pretty: JSON lines or human ones on stderr (LOCALCONNECT_LOG_FORMAT;
                       default pretty when stderr is a terminal, json otherwise)
  --offer-timeout SEC  seconds an agent has to accept a contact (LOCALCONNECT_OFFER_TIMEOUT, default 20)
  --public-origin URL  another origin the node's pages are served from, e.g. https://cc.example.com
                       behind a TLS proxy; repeatable (LOCALCONNECT_PUBLIC_ORIGINS, comma-separated)
  --[no-]test-pages    serve the customer test pages at /test-chat/ (LOCALCONNECT_TEST_PAGES=on|off;
                       default on when --host is a loopback address, off otherwise)
  --sns-endpoint URL   the SNS the node publishes to, e.g. http://127.0.0.1:5000
                       (LOCALCONNECT_SNS_ENDPOINT, else AWS_ENDPOINT_URL_SNS, else AWS's)
  --s3-endpoint URL    the S3 the node puts objects to
                       (LOCALCONNECT_S3_ENDPOINT, else AWS_ENDPOINT_URL_S3, else AWS's)
  --outbox-max-age AGE give up delivering an SNS message or S3 object after AGE, e.g. 24h, 90m,
                       3600s (LOCALCONNECT_OUTBOX_MAX_AGE, default 24h)
  --metrics-token TOK  the bearer token GET /metrics needs (LOCALCONNECT_METRICS_TOKEN; default
                       one generated at first start into <data-dir>/metrics-token)
  --media-address IP   an address announced in calls' ICE candidates besides the machine's own,
                       e.g. a public IP; repeatable (LOCALCONNECT_MEDIA_ADDRESSES, comma-separated;
                       default 127.0.0.1)
  --media-ports LO-HI  the UDP ports calls' media uses, e.g. 40000-40999 (LOCALCONNECT_MEDIA_PORTS;
                       default any free port)
  --turn-uri URI       a TURN server clients relay calls through, e.g. turn:turn.example.com:3478;
                       repeatable (LOCALCONNECT_TURN_URIS, comma-separated); needs --turn-secret
  --turn-secret S      the TURN server's shared secret for time-limited credentials
                       (LOCALCONNECT_TURN_SECRET)
  --media-origin URL   the origin the meetings' URLs name, e.g. wss://cc.example.com behind a TLS
                       proxy (LOCALCONNECT_MEDIA_ORIGIN; default ws://<host>:<port>)
  -h, --help           print this help
  LOCALCONNECT_ACCESS_KEY_ID / LOCALCONNECT_SECRET_ACCESS_KEY fix the API access key.
  The node's own calls to SNS and S3 take their region and credentials from the AWS SDK's
  standard configuration (AWS_REGION, AWS_PROFILE, ~/.aws, the default credential chain), never
  from the localconnect profile or the files the node writes for its clients; AWS_ENDPOINT_URL
  alone does not redirect them.
`;

export class ConfigError extends Error {}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  quotas: { type: 'string' },
  quota: { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'body-limit': { type: 'string' },
  'offer-timeout': { type: 'string' },
  'public-origin': { type: 'string', multiple: true },
  'test-pages': { type: 'boolean' },
  'sns-endpoint': { type: 'string' },
  's3-endpoint': { type: 'string' },
  'outbox-max-age': { type: 'string' },
  'metrics-token': { type: 'string' },
  'media-address': { type: 'string', multiple: true },
  'media-ports': { type: 'string' },
  'turn-uri': { type: 'string', multiple: true },
  'turn-secret': { type: 'string' },
  'media-origin': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Whether the arguments ask for the usage, whatever else is wrong with them. */
export function helpRequested(argv: string[]): boolean {
  return (
    parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true }).values.help === true
  );
}

/** Addresses only this machine can reach, where serving the test pages exposes nothing. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

export function loadConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const { values } = parseArgs({ args: argv, strict: true, allowNegative: true, options: OPTIONS });
  const host = values.host ?? env.LOCALCONNECT_HOST ?? '127.0.0.1';
  const port = Number(values.port ?? env.LOCALCONNECT_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`invalid port: ${values.port}`);
  const accountId = values['account-id'] ?? env.LOCALCONNECT_ACCOUNT_ID ?? '000000000000';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`account id must be 12 digits: ${accountId}`);
  const region = values.region ?? env.LOCALCONNECT_REGION ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`invalid region: ${region}`);
  const quotaProfile = (values.quotas ?? env.LOCALCONNECT_QUOTAS ?? 'default') as QuotaProfile;
  if (!(quotaProfile in QUOTA_PROFILES))
    throw new ConfigError(`--quotas must be one of: ${Object.keys(QUOTA_PROFILES).join(', ')}`);
  let quotas: Quotas;
  try {
    quotas = buildQuotas(quotaProfile, values.quota ?? []);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const keyId = env.LOCALCONNECT_ACCESS_KEY_ID;
  const secret = env.LOCALCONNECT_SECRET_ACCESS_KEY;
  if (Boolean(keyId) !== Boolean(secret)) {
    throw new ConfigError(
      'set both LOCALCONNECT_ACCESS_KEY_ID and LOCALCONNECT_SECRET_ACCESS_KEY, or neither',
    );
  }
  const bodyLimit = Number(values['body-limit'] ?? 1024 * 1024);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024)
    throw new ConfigError('--body-limit must be at least 1024');
  const publicOrigins = (
    values['public-origin'] ?? (env.LOCALCONNECT_PUBLIC_ORIGINS ?? '').split(',').filter((o) => o.trim())
  ).map((o) => publicOrigin(o.trim()));
  const testPagesEnv = env.LOCALCONNECT_TEST_PAGES;
  if (testPagesEnv !== undefined && testPagesEnv !== 'on' && testPagesEnv !== 'off')
    throw new ConfigError('LOCALCONNECT_TEST_PAGES must be on or off');
  const logFormat = (values['log-format'] ??
    env.LOCALCONNECT_LOG_FORMAT ??
    (process.stderr.isTTY ? 'pretty' : 'json')) as LogFormat;
  if (!LOG_FORMATS.includes(logFormat))
    throw new ConfigError(`--log-format must be one of: ${LOG_FORMATS.join(', ')}`);
  const offerTimeout = Number(values['offer-timeout'] ?? env.LOCALCONNECT_OFFER_TIMEOUT ?? 20);
  if (!Number.isFinite(offerTimeout) || offerTimeout < 1 || offerTimeout > 600)
    throw new ConfigError('--offer-timeout must be between 1 and 600 seconds');
  const snsEndpoint = values['sns-endpoint'] ?? (env.LOCALCONNECT_SNS_ENDPOINT || env.AWS_ENDPOINT_URL_SNS);
  const s3Endpoint = values['s3-endpoint'] ?? (env.LOCALCONNECT_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3);
  const outboxMaxAgeMs = duration(
    '--outbox-max-age',
    values['outbox-max-age'] ?? env.LOCALCONNECT_OUTBOX_MAX_AGE ?? '24h',
  );
  const metricsToken = values['metrics-token'] ?? (env.LOCALCONNECT_METRICS_TOKEN || undefined);
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(metricsToken))
    throw new ConfigError('--metrics-token must be at least 16 printable characters without spaces');
  return {
    host,
    port,
    dataDir: resolve(values['data-dir'] ?? env.LOCALCONNECT_DATA_DIR ?? './data'),
    region,
    accountId,
    quotaProfile,
    quotas,
    accessKey: keyId && secret ? { accessKeyId: keyId, secretAccessKey: secret } : undefined,
    logLevel: values['log-level'] ?? env.LOCALCONNECT_LOG_LEVEL ?? 'info',
    logFormat,
    bodyLimit,
    offerTimeoutMs: Math.round(offerTimeout * 1000),
    publicOrigins,
    testPages: values['test-pages'] ?? (testPagesEnv ? testPagesEnv === 'on' : isLoopbackHost(host)),
    snsEndpoint: snsEndpoint === undefined ? undefined : serviceEndpoint('--sns-endpoint', snsEndpoint),
    s3Endpoint: s3Endpoint === undefined ? undefined : serviceEndpoint('--s3-endpoint', s3Endpoint),
    outboxMaxAgeMs,
    metricsToken,
    media: mediaConfig(values, env),
  };
}

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowNegative: true }>
>['values'];

function listed(values: string[] | undefined, text: string | undefined): string[] {
  return (values ?? (text ?? '').split(',')).map((v) => v.trim()).filter(Boolean);
}

function mediaConfig(values: Values, env: Record<string, string | undefined>): MediaConfig {
  const hostAddresses = listed(values['media-address'], env.LOCALCONNECT_MEDIA_ADDRESSES);
  for (const a of hostAddresses)
    if (!isIPv4(a)) throw new ConfigError(`--media-address ${a}: expected an IPv4 address`);
  const ports = values['media-ports'] ?? env.LOCALCONNECT_MEDIA_PORTS;
  let portRange: [number, number] | undefined;
  if (ports !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(ports.trim());
    const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!(lo >= 1024 && hi <= 65535 && lo <= hi))
      throw new ConfigError(`--media-ports ${ports}: expected LOW-HIGH within 1024-65535`);
    portRange = [lo, hi];
  }
  const uris = listed(values['turn-uri'], env.LOCALCONNECT_TURN_URIS);
  for (const u of uris)
    if (!/^turns?:[^\s]+$/.test(u))
      throw new ConfigError(`--turn-uri ${u}: expected turn:HOST[:PORT] or turns:…`);
  const secret = values['turn-secret'] ?? (env.LOCALCONNECT_TURN_SECRET || undefined);
  if (uris.length > 0 !== (secret !== undefined))
    throw new ConfigError('set both --turn-uri and --turn-secret, or neither');
  const origin = values['media-origin'] ?? (env.LOCALCONNECT_MEDIA_ORIGIN || undefined);
  if (origin !== undefined && !/^wss?:\/\/[^/\s]+$/.test(origin))
    throw new ConfigError(`--media-origin ${origin}: expected ws://HOST[:PORT] or wss://HOST[:PORT]`);
  return {
    hostAddresses: hostAddresses.length > 0 ? hostAddresses : ['127.0.0.1'],
    ...(portRange && { portRange }),
    ...(secret !== undefined && { turn: { uris, secret } }),
    ...(origin !== undefined && { origin }),
  };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A positive duration: a number and a unit (ms, s, m, h, d), seconds without one. */
function duration(option: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']) : NaN;
  if (!(ms >= 1)) throw new ConfigError(`${option} ${text}: expected a duration such as 24h, 90m or 3600s`);
  return ms;
}

/** An http or https URL with a host, as the AWS SDK takes for an endpoint. */
function serviceEndpoint(option: string, url: string): string {
  const parsed = URL.parse(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname)
    throw new ConfigError(`${option} ${url}: expected an http or https URL, e.g. http://127.0.0.1:5000`);
  return url;
}

/** A bare origin: http or https, a host, maybe a port, and no path, query or fragment. */
function publicOrigin(url: string): string {
  const origin = normalize(url);
  const { pathname, search, hash } = origin ? new URL(url) : { pathname: '', search: '', hash: '' };
  if (!origin || pathname !== '/' || search || hash)
    throw new ConfigError(
      `--public-origin ${url}: expected scheme://host[:port], e.g. https://cc.example.com`,
    );
  return origin;
}
