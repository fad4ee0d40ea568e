/**
 * GET /metrics: the node's figures for Prometheus, read from the domain thread, only for a
 * caller with `Authorization: Bearer <token>`; anyone else gets 401. The token is
 * --metrics-token, else the one in <data-dir>/metrics-token, generated the first time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { writeSecretFile } from '../bootstrap.ts';
import type { MetricsText } from '../outbox/node-delivery.ts';
import { bearerToken } from './bearer.ts';

export function metricsTokenFile(dataDir: string): string {
  return join(dataDir, 'metrics-token');
}

/** The configured token, else the data dir's, written there (mode 0600) if it has none yet. */
export function metricsToken(config: Config): string {
  if (config.metricsToken) return config.metricsToken;
  const file = metricsTokenFile(config.dataDir);
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved) return saved;
  }
  const token = randomBytes(32).toString('base64url');
  writeSecretFile(file, `${token}\n`);
  return token;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const bearer = bearerToken(header);
  if (!bearer) return false;
  const given = Buffer.from(bearer);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function metricsEndpoint(token: string, scrape: () => Promise<MetricsText>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', async (req, reply) => {
      if (!bearerMatches(req.headers.authorization, token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="localconnect metrics"')
          .send({ message: 'GET /metrics needs Authorization: Bearer <metrics token>' });
      }
      const { contentType, text } = await scrape();
      return reply.header('content-type', contentType).send(text);
    });
  };
}
