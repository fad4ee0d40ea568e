/**
 * `npm test`: type-check, lint, format check, then every test (unit tests beside the code,
 * end-to-end tests under test/) with Node's test runner. Stops at the first failing step.
 */
import { spawnSync } from 'node:child_process';

const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const only = process.argv.slice(2);

const steps: [string, string, string[]][] = [
  ['type-check', bin('tsc'), ['--noEmit', '-p', '.']],
  ['lint', bin('eslint'), ['.']],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
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

for (const [name, cmd, args] of only.length > 0 ? steps.slice(3) : steps) {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stdout.write(`\n== ${name} failed\n`);
    process.exit(result.status ?? 1);
  }
}
