/**
 * Raw HTTP requests signed as the AWS SDK for JavaScript signs them, for tests that must
 * send what no SDK would (bad JSON, wrong types, oversized bodies, tampered signatures).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import type { Credentials } from './node.ts';

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  errorType: string | null;
  json: any;
  text: string;
}

export interface SignOptions {
  credentials: Credentials;
  region: string;
  /** Sign as of this time (default now). */
  date?: Date;
  /** Change the request after signing (tamper tests). */
  tamper?: (req: { headers: Record<string, string>; body?: string | Buffer; path: string }) => void;
  unsigned?: boolean;
}

/** The request as the AWS SDK for JavaScript would send it: its headers signed, and its body. */
export async function signRequest(
  url: string,
  req: RawRequest,
  opts: SignOptions,
): Promise<{ headers: Record<string, string>; body?: string | Buffer; path: string }> {
  const { hostname, port, host } = new URL(url);
  const body = req.body;
  const headers: Record<string, string> = {
    host,
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...req.headers,
  };
  if (opts.unsigned) return { headers, body, path: req.path };
  const signer = new SignatureV4({
    service: 'connect',
    region: opts.region,
    credentials: opts.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const result = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: req.path,
      query: req.query,
      headers,
      body,
    },
    { signingDate: opts.date },
  );
  return { headers: result.headers as Record<string, string>, body, path: req.path };
}

export async function signedRequest(url: string, req: RawRequest, opts: SignOptions): Promise<RawResponse> {
  const signed = await signRequest(url, req, opts);
  opts.tamper?.(signed);
  const qs = req.query ? `?${new URLSearchParams(req.query).toString().replace(/\+/g, '%20')}` : '';
  const res = await fetch(`${url}${signed.path}${qs}`, {
    method: req.method,
    headers: Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host')),
    body: signed.body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    headers: res.headers,
    errorType: res.headers.get('x-amzn-errortype'),
    json,
    text,
  };
}
