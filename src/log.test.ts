import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { LogController } from 'fastify';
import { REDACTED_PATHS, lazyChildLogger } from './log.ts';

describe('lazyChildLogger', () => {
  it("logs a request's lines with its request id, redacted, as pino's own child would", async () => {
    const lines: Record<string, unknown>[] = [];
    const app = Fastify({
      logger: {
        level: 'info',
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        stream: { write: (line: string) => void lines.push(JSON.parse(line)) },
      },
      logController: new LogController({ disableRequestLogging: true }),
      genReqId: () => 'request-1',
      childLoggerFactory: lazyChildLogger,
    });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/loud', async (req) => {
      assert.equal(req.log.level, 'info');
      req.log.warn({ ParticipantToken: 'secret-token', operation: 'Loud' }, 'something happened');
      req.log.child({ step: 2 }).error('and then');
      req.log.debug('below the level');
      return { ok: true };
    });
    await app.inject({ method: 'GET', url: '/quiet' });
    assert.deepEqual(lines, [], 'a request that logs nothing writes nothing');
    await app.inject({ method: 'GET', url: '/loud' });
    await app.close();
    assert.deepEqual(
      lines.map(({ level, reqId, msg, operation, ParticipantToken, step }) => ({
        level,
        reqId,
        msg,
        operation,
        ParticipantToken,
        step,
      })),
      [
        {
          level: 40,
          reqId: 'request-1',
          msg: 'something happened',
          operation: 'Loud',
          ParticipantToken: '[redacted]',
          step: undefined,
        },
        {
          level: 50,
          reqId: 'request-1',
          msg: 'and then',
          operation: undefined,
          ParticipantToken: undefined,
          step: 2,
        },
      ],
    );
  });
});
