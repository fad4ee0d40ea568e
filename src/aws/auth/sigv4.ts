/**
 * Server-side AWS Signature Version 4 verification for the Connect API. The canonical request is
 * never built here: the client's request is replayed through @smithy/signature-v4 (the signer the
 * AWS SDK v3 itself uses) with the server's copy of the secret, and the two signatures compared.
 */
import {
  createHash,
  createHmac,
  createSecretKey,
  timingSafeEqual,
  type Hash,
  type Hmac,
  type KeyObject,
} from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
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
    if (contentSha !== createHash('sha256').update(req.body).digest('hex')) throw mismatch();
  }

  // Exactly the client's signed headers: anything else present would be signed too.
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    // AWS joins repeated headers with ',' (node's ', ' join for a plain string cannot be undone).
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // AWS takes the payload hash from this header even when it is not signed; smithy reads it from
  // the request too, and the unsignable/unhoistable sets below keep it out of the canonical headers.
  if (contentSha !== undefined) headers['x-amz-content-sha256'] = contentSha;
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of params) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const request = {
    method: req.method,
    protocol: 'https:',
    hostname: headers.host ?? '',
    // Still percent-encoded: smithy's uriEscapePath encodes it once more, as AWS does for
    // every service but S3.
    path,
    query,
    headers,
    body: req.body,
  };
  // Cheap to build per request: the costly part, the derived signing key, smithy caches itself.
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: secret.secretAccessKey },
    region: auth.region,
    service: opts.service,
    sha256: Sha256,
    // Otherwise smithy adds x-amz-content-sha256 to the canonical headers when the client did not sign it.
    applyChecksum: false,
  });
  const signableHeaders = new Set(auth.signedHeaders);
  const unsignableHeaders = new Set(['x-amz-content-sha256']);

  let expected: string;
  try {
    if (auth.presigned) {
      for (const p of PRESIGN_PARAMS) delete query[p];
      const signed = await signer.presign(request, {
        signingDate: auth.signingDate,
        expiresIn: auth.expiresS,
        signableHeaders,
        unsignableHeaders,
        // The client kept its x-amz-* headers as headers; presign would hoist them into the query.
        unhoistableHeaders: new Set([...signableHeaders, ...unsignableHeaders]),
      });
      expected = String(signed.query?.['X-Amz-Signature']);
    } else {
      const signed = await signer.sign(request, {
        signingDate: auth.signingDate,
        signableHeaders,
        unsignableHeaders,
      });
      const value = signed.headers.authorization ?? '';
      expected = value.slice(value.lastIndexOf('Signature=') + 'Signature='.length);
    }
  } catch (err) {
    // encodeURIComponent rejects lone surrogates; no honest client can have signed those.
    if (err instanceof URIError) throw mismatch();
    throw err;
  }

  const a = Buffer.from(expected);
  const b = Buffer.from(auth.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw mismatch();
  return { accessKeyId: auth.accessKeyId, accountId: secret.accountId, region: auth.region };
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
  // Date.UTC rolls out-of-range fields over (month 13, second 61); the round trip catches that.
  if (!m || formatAmzDate(ms) !== amzDate) {
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

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : ArrayBuffer.isView(d)
      ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
      : new Uint8Array(d);

// Stands in for @smithy/hash-node's Hash. Node 24's createHmac probes a byte key for being a
// KeyObject or CryptoKey by catching two exceptions per call (~30 µs, more than half a
// verification); string and KeyObject keys skip the probe. smithy passes the very same cached
// signing-key bytes on every request, so their KeyObject is cached by identity.
const keyObjects = new WeakMap<object, KeyObject>();
function start(secret: SourceData | undefined): Hash | Hmac {
  if (secret === undefined) return createHash('sha256');
  if (typeof secret === 'string') return createHmac('sha256', secret);
  let key = keyObjects.get(secret);
  if (!key) keyObjects.set(secret, (key = createSecretKey(bytes(secret) as Uint8Array)));
  return createHmac('sha256', key);
}
class Sha256 {
  private readonly secret: SourceData | undefined;
  private h: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.secret = secret;
    this.h = start(secret);
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.h.digest());
  }
  reset(): void {
    this.h = start(this.secret);
  }
}
