/**
 * `npm test`: type-check, lint, format check, build the agent workspace and the test call page,
 * then every test (unit tests beside the code, end-to-end tests under test/) with Node's test
 * runner. Stops at the first failing step. With file arguments: build, then only those tests.
 */
import { spawnSync } from 'node:child_process';

const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const only = process.argv.slice(2);

const steps: [string, string, string[]][] = [
  ['type-check', bin('tsc'), ['--noEmit', '-p', '.']],
  ['type-check the workspace', bin('tsc'), ['-p', 'web/agent/tsconfig.json']],
  ['lint', bin('eslint'), ['.']],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  // The browser tests drive the built workspace, as `npm start` serves it.
  [
    'build the workspace',
    bin('vite'),
    ['build', '--config', 'web/agent/vite.config.ts', '--logLevel', 'warn'],
  ],
  [
    'build the test call page',
    bin('vite'),
    ['build', '--config', 'web/test-call/vite.config.ts', '--logLevel', 'warn'],
  ],
  [
    'tests',
    process.execPath,
    [
      '--test',
      '--test-concurrency=2',
      '--test-timeout=300000',
      ...(only.length > 0 ? only : ['src/**/*.test.ts', 'test/**/*.test.ts']),
    ],
  ],
];

for (const [name, cmd, args] of only.length > 0 ? steps.slice(-3) : steps) {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stdout.write(`\n== ${name} failed\n`);
    process.exit(result.status ?? 1);
  }
}
