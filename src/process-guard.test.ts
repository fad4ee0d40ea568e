import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';

const child = `
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { installProcessGuard } from './src/process-guard.ts';
installProcessGuard({ error: (obj, msg) => process.stderr.write(JSON.stringify({ ...obj, msg }) + '\\n') });
const server = createServer((_req, res) => res.end('still here')).listen(0, '127.0.0.1', () => {
  setImmediate(() => new EventEmitter().emit('error', new Error('one peer failed')));
  setImmediate(() => Promise.reject(new Error('nobody awaited this')));
  setTimeout(() => process.stdout.write(String(server.address().port) + '\\n'), 50);
});
`;

it('an error thrown from an emitter and an unhandled rejection are logged and the process keeps serving', async () => {
  const p = spawn(process.execPath, ['--input-type=module', '-e', child], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const port = await new Promise<string>((resolve, reject) => {
    p.stdout.once('data', (d) => resolve(String(d).trim()));
    p.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const res = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(await res.text(), 'still here');
  assert.match(err, /uncaughtException.*one peer failed/);
  assert.match(err, /unhandledRejection.*nobody awaited this/);
  p.kill();
});
