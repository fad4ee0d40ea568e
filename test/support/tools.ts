/**
 * External tools some tests drive (the AWS CLI, Python with boto3). Where one is missing the
 * test skips and says so loudly — except under CI=true, where .ci/run has installed them and
 * a missing tool is a failure, not a skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function probe(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Debian's awscli package gives CLI v2 at /usr/bin/aws; a pip-installed v1 may shadow it on PATH. */
export const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
export const PYTHON = process.env.LOCALCONNECT_TEST_PYTHON ?? 'python3';

const checks: Record<string, () => boolean> = {
  'aws-cli': () => probe(AWS_CLI, ['--version']),
  boto3: () => probe(PYTHON, ['-c', 'import boto3']),
};

/**
 * An AWS CLI that has the command (`['connect', 'start-web-rtc-contact']`), or undefined.
 * Debian's CLI v2 (2.9) predates some operations and .ci/run has no newer CLI to install, so a
 * test that needs one skips, loudly, where no such CLI is on the machine (under CI too).
 */
export function awsCliWith(command: string[]): string | undefined {
  for (const cli of [AWS_CLI, 'aws']) {
    if (probe(cli, [...command, '--generate-cli-skeleton'])) return cli;
  }
  process.stderr.write(
    `\n*** SKIPPED: no AWS CLI here has \`aws ${command.join(' ')}\` (Debian's 2.9 predates it; .ci/run cannot install a newer one) ***\n`,
  );
  return undefined;
}

const cache = new Map<string, boolean>();

/**
 * Returns false (after printing why) when the tool is missing outside CI, so the caller can
 * skip; throws under CI. Use: `test('…', { skip: !needs('aws-cli') }, …)` is not enough to
 * explain the skip, so call it and pass the result as the skip reason instead (skipUnless).
 */
export function skipUnless(tool: keyof typeof checks & string): string | false {
  let ok = cache.get(tool);
  if (ok === undefined) {
    ok = checks[tool]();
    cache.set(tool, ok);
  }
  if (ok) return false;
  const reason = `SKIPPED: ${tool} is not installed on this machine (.ci/run installs it; CI forbids this skip)`;
  if (process.env.CI === 'true') throw new Error(`${tool} is required under CI but missing`);
  process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}
