/**
 * Server-side AWS Signature Version 4 verification for the Connect API: the client's request is
 * canonicalized by @smithy/signature-v4 (the code the AWS SDK v3 signs with), signed with the
 * server's copy of the secret, and the two signatures compared in constant time.
 */
import { createHmac, createSecretKey, hash, timingSafeEqual, type KeyObject } from 'node:crypto';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { ServiceError } from '../service-error.ts';

export interface SignedRequest {
  method: string;
  /** Raw path + '?' + raw query, exactly as received (node's `req.url`). */
  url: string;
  /** Node's lower-cased IncomingHttpHeaders. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SigV4Options {
  /** Signing name the credential scope must carry, e.g. 'connect'. */
  service: string;
  /**
   * The one region the credential scope may name, as an AWS endpoint serves one region; without
   * it any well-formed region is accepted (and returned).
   */
  region?: string;
  /** Epoch ms. */
  now: number;
  /** Default 5 min. */
  maxSkewMs?: number;
  lookupSecret(accessKeyId: string): { secretAccessKey: string; accountId: string } | undefined;
}

export interface VerifiedCaller {
  accessKeyId: string;
  accountId: string;
  region: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const MAX_PRESIGNED_TTL_S = 7 * 24 * 3600;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// Presign re-adds these itself; X-Amz-Signature is what we are computing.
const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
];

const incomplete = (message: string) => new ServiceError('IncompleteSignatureException', 400, message);
const invalid = (message: string) => new ServiceError('InvalidSignatureException', 403, message);
const mismatch = () =>
  invalid(
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

interface ParsedAuth {
  presigned: boolean;
  accessKeyId: string;
  region: string;
  amzDate: string;
  signingDate: Date;
  signedHeaders: string[];
  signature: string;
  expiresS: number;
}

export async function verifySigV4(req: SignedRequest, opts: SigV4Options): Promise<VerifiedCaller> {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  const authorization = header(req, 'authorization');
  const presigned = params.has('X-Amz-Signature');

  if (authorization === undefined && !presigned) {
    throw new ServiceError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token');
  }
  if (authorization !== undefined && presigned) {
    // smithy drops X-Amz-Signature from the canonical query, so a header-signed request carrying
    // one could never verify; AWS rejects the combination outright as well.
    throw incomplete(
      'Only one auth mechanism allowed; only the X-Amz-Signature query parameter or the Authorization header should be specified.',
    );
  }
  if (header(req, 'x-amz-security-token') !== undefined || params.has('X-Amz-Security-Token')) {
    // Accepting them would need an STS to validate against; silently ignoring them would not.
    throw new ServiceError(
      'UnrecognizedClientException',
      403,
      'Session credentials (X-Amz-Security-Token) are not supported by this server; sign with a long-term access key.',
    );
  }

  const auth =
    authorization !== undefined
      ? parseHeaderAuth(req, authorization, opts.service)
      : parseQueryAuth(params, opts.service);
  if (opts.region !== undefined && auth.region !== opts.region) {
    throw invalid(`Credential should be scoped to a valid region, not '${auth.region}'.`);
  }
  if (!auth.presigned) checkSkew(auth.amzDate, auth.signingDate.getTime(), opts);
  else checkPresignWindow(auth, opts);

  const secret = opts.lookupSecret(auth.accessKeyId);
  if (!secret) {
    throw new ServiceError(
      'UnrecognizedClientException',
      403,
      'The security token included in the request is invalid.',
    );
  }

  const contentSha = header(req, 'x-amz-content-sha256');
  if (contentSha !== undefined && contentSha !== UNSIGNED_PAYLOAD) {
    if (contentSha !== sha256Hex(req.body)) throw mismatch();
  }

  // Exactly the client's signed headers: anything else present would be signed too.
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    // AWS joins repeated headers with ',' (node's ', ' join for a plain string cannot be undone).
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of params) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  // AWS takes the payload hash from x-amz-content-sha256 even when it is not signed.
  const payloadHash = contentSha ?? sha256Hex(req.body);
  let canonicalRequest: string;
  try {
    // The path still percent-encoded: smithy encodes it once more, as AWS does for every
    // service but S3. The query keeps the presigned X-Amz-* parameters but X-Amz-Signature.
    const request = {
      method: req.method,
      protocol: 'https:',
      hostname: headers.host ?? '',
      path,
      query,
      headers,
    };
    canonicalRequest = canonicalizer.canonicalRequest(request, new Set(auth.signedHeaders), payloadHash);
  } catch (err) {
    // encodeURIComponent rejects lone surrogates; no honest client can have signed those.
    if (err instanceof URIError) throw mismatch();
    throw err;
  }
  const scope = `${auth.amzDate.slice(0, 8)}/${auth.region}/${opts.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${auth.amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const key = signingKey(
    auth.accessKeyId,
    secret.secretAccessKey,
    auth.amzDate.slice(0, 8),
    auth.region,
    opts.service,
  );
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = /^[0-9a-f]{64}$/.test(auth.signature) ? Buffer.from(auth.signature, 'hex') : undefined;
  if (!given || !timingSafeEqual(expected, given)) throw mismatch();
  return { accessKeyId: auth.accessKeyId, accountId: secret.accountId, region: auth.region };
}

/**
 * The canonical request — the part of SigV4 where clients and servers disagree in subtle
 * ways — comes from @smithy/signature-v4, the code the AWS SDK for JavaScript signs with. Its
 * `sign()` is not used: it is asynchronous and rebuilds the request, which cost more than the
 * rest of a StartChatContact; the hashing around the canonical request is plain node:crypto.
 */
class Canonicalizer extends SignatureV4 {
  canonicalRequest(request: HttpRequest, signedHeaders: Set<string>, payloadHash: string): string {
    return this.createCanonicalRequest(
      request,
      getCanonicalHeaders(request, NOTHING_UNSIGNABLE, signedHeaders),
      payloadHash,
    );
  }
}
const canonicalizer = new Canonicalizer({
  service: 'unused',
  region: 'unused',
  credentials: { accessKeyId: '', secretAccessKey: '' },
  sha256: class {} as never,
});
const NOTHING_UNSIGNABLE = new Set<string>();

// The one-shot hash(): several times cheaper than createHash() for data this small.
const sha256Hex = (data: string | Buffer): string => hash('sha256', data, 'hex');

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"),
 * derived once per key, day, region and service. Held as a KeyObject: Node's createHmac probes
 * a byte key for being a KeyObject by catching exceptions, which would cost more than the HMAC.
 */
const signingKeys = new Map<string, KeyObject>();
const MAX_SIGNING_KEYS = 1000;
function signingKey(
  accessKeyId: string,
  secret: string,
  date: string,
  region: string,
  service: string,
): KeyObject {
  const cacheKey = `${accessKeyId}\0${secret}\0${date}\0${region}\0${service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    let k: Buffer = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    for (const part of [region, service, 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
    signingKeys.set(cacheKey, (key = createSecretKey(k)));
  }
  return key;
}

function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseHeaderAuth(req: SignedRequest, authorization: string, service: string): ParsedAuth {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported Authorization algorithm '${algorithm}'; only '${ALGORITHM}' is accepted.`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields.get(k));
  if (missing.length > 0) {
    throw incomplete(missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' '));
  }
  const amzDate = header(req, 'x-amz-date');
  if (amzDate === undefined) {
    throw incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  return finish(
    false,
    fields.get('Credential')!,
    amzDate,
    fields.get('SignedHeaders')!,
    fields.get('Signature')!,
    0,
    service,
  );
}

function parseQueryAuth(params: URLSearchParams, service: string): ParsedAuth {
  const names = [...PRESIGN_PARAMS, 'X-Amz-Signature'];
  const missing = names.filter((k) => !params.get(k));
  if (missing.length > 0) {
    throw incomplete(
      missing.map((k) => `AWS query-string parameters must include '${k}'.`).join(' ') +
        ' Re-examine the query-string parameters.',
    );
  }
  const [algorithm, credential, amzDate, expires, signedHeaders, signature] = names.map((k) =>
    params.get(k)!,
  );
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported X-Amz-Algorithm '${algorithm}'; only '${ALGORITHM}' is accepted.`);
  }
  const expiresS = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
  if (!(expiresS >= 1 && expiresS <= MAX_PRESIGNED_TTL_S)) {
    throw incomplete(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_TTL_S}.`);
  }
  return finish(true, credential, amzDate, signedHeaders, signature, expiresS, service);
}

function finish(
  presigned: boolean,
  credential: string,
  amzDate: string,
  signedHeaderList: string,
  signature: string,
  expiresS: number,
  expectedService: string,
): ParsedAuth {
  const m = AMZ_DATE.exec(amzDate);
  const ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
  // Date.UTC rolls out-of-range fields over (month 13, second 61); reading the fields back catches that.
  const d = new Date(ms);
  if (
    !m ||
    d.getUTCFullYear() !== +m[1] ||
    d.getUTCMonth() !== +m[2] - 1 ||
    d.getUTCDate() !== +m[3] ||
    d.getUTCHours() !== +m[4] ||
    d.getUTCMinutes() !== +m[5] ||
    d.getUTCSeconds() !== +m[6]
  ) {
    throw incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || !scope[0]) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope;
  if (terminator !== 'aws4_request') {
    throw incomplete(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    );
  }
  if (service !== expectedService) {
    throw incomplete(`Credential should be scoped to correct service: '${expectedService}'.`);
  }
  if (!/^[a-z0-9-]+$/.test(region)) throw incomplete('Credential should be scoped to a valid region.');
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw incomplete(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) {
    throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return {
    presigned,
    accessKeyId,
    region,
    amzDate,
    signingDate: new Date(ms),
    signedHeaders,
    signature,
    expiresS,
  };
}

function checkSkew(amzDate: string, signedAt: number, opts: SigV4Options): void {
  const skew = opts.maxSkewMs ?? 5 * 60_000;
  const min = `${skew / 60_000} min.`;
  if (signedAt < opts.now - skew) {
    throw invalid(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(opts.now - skew)} (${formatAmzDate(opts.now)} - ${min})`,
    );
  }
  if (signedAt > opts.now + skew) {
    throw invalid(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(opts.now + skew)} (${formatAmzDate(opts.now)} + ${min})`,
    );
  }
}

function checkPresignWindow(auth: ParsedAuth, opts: SigV4Options): void {
  const signedAt = auth.signingDate.getTime();
  if (opts.now > signedAt + auth.expiresS * 1000) {
    throw invalid(
      `Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(opts.now - auth.expiresS * 1000)} (${formatAmzDate(opts.now)} - ${auth.expiresS} sec.)`,
    );
  }
  // A URL may be used long after signing, but never before it: only the future side of the skew applies.
  if (signedAt > opts.now) checkSkew(auth.amzDate, signedAt, opts);
}

function formatAmzDate(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '') : '';
}
