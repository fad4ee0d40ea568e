/**
 * Which browser origins are the node's own: the pages it serves are loaded from these, so a
 * request carrying one of them comes from those pages. Compared by exact scheme, host and port
 * against a fixed list; the Host header is never consulted, because a DNS-rebound name makes a
 * hostile page's requests arrive with a Host that names the attacker.
 */
import { isIP } from 'node:net';

export class OriginPolicy {
  readonly #origins = new Set<string>();

  /** `configured` are the origins given with --public-origin (a TLS proxy in front, say). */
  constructor(configured: string[]) {
    for (const origin of configured) this.#origins.add(normalize(origin)!);
  }

  /**
   * Adds the origins of the address the node listens on, known only once it does (port 0).
   * A wildcard address is reached as loopback from this machine; a specific one by itself.
   */
  listening(host: string, port: number): void {
    for (const name of addressedAs(host)) this.#origins.add(`http://${name}:${port}`);
  }

  /** Whether origin (an Origin header) is one of the node's own. */
  isOurs(origin: string | undefined): boolean {
    return origin !== undefined && this.#origins.has(normalize(origin) ?? '');
  }
}

/** The origin a URL names (scheme://host[:port], default port omitted), or undefined. */
export function normalize(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

function addressedAs(host: string): string[] {
  if (host === '0.0.0.0') return ['127.0.0.1', 'localhost'];
  if (host === '::' || host === 'localhost') return LOOPBACK;
  if (host === '::1') return ['[::1]', 'localhost'];
  if (host === '127.0.0.1') return ['127.0.0.1', 'localhost'];
  return [isIP(host) === 6 ? `[${host}]` : host];
}
