/**
 * `localconnect serve`: start one node and print what to paste next. Stops cleanly on
 * SIGINT/SIGTERM (in-flight requests finish, the store closes). A mistake on the command line
 * or a node that cannot start is one line on stderr, never a stack.
 */
import { relative } from 'node:path';
import { ConfigError, USAGE, helpRequested, isLoopbackHost, loadConfig, type Config } from './config.ts';
import { startNode, type RunningNode } from './main.ts';
import { PROFILE } from './bootstrap.ts';
import { installProcessGuard } from './process-guard.ts';

function banner(config: Config, node: RunningNode): string {
  const { info, url } = node;
  const rel = (p: string) =>
    relative(process.cwd(), p).startsWith('..') ? p : `./${relative(process.cwd(), p)}`;
  const lines = [
    `localconnect listening on ${url}`,
    `  data dir        ${config.dataDir}`,
    `  region          ${config.region}, account ${config.accountId}, quotas: ${config.quotaProfile}`,
    `  instance        ${info.instanceId} (alias default)`,
    `  inbound flow    ${info.inboundFlowId} (Default inbound flow)`,
    `  admin login     ${info.adminUsername}, password in ${rel(info.files.adminPassword)}`,
    '',
    `Answer chats: open ${url}/agent/ , sign in as ${info.adminUsername} and set yourself Available;`,
    config.testPages
      ? `start one as a customer at ${url}/test-chat/`
      : isLoopbackHost(config.host)
        ? 'the customer test pages are off (--no-test-pages)'
        : `the customer test pages are off: ${config.host} is reachable from other machines (--test-pages serves them)`,
    '',
    'Use the AWS CLI or an SDK with the generated profile:',
    `  export AWS_SHARED_CREDENTIALS_FILE=${rel(info.files.credentials)} AWS_CONFIG_FILE=${rel(info.files.config)} AWS_PROFILE=${PROFILE}`,
    `  aws connect start-chat-contact --endpoint-url ${url} --instance-id ${info.instanceId} \\`,
    `    --contact-flow-id ${info.inboundFlowId} --participant-details DisplayName=Jane`,
    `  aws connect describe-instance --endpoint-url ${url} --instance-id ${info.instanceId}`,
  ];
  if (info.firstStart)
    lines.push('', `First start: created the default instance and access key ${info.accessKeyId}.`);
  return lines.join('\n');
}

/** Exits 2 with one line naming what was wrong and where the usage is. */
function usageError(message: string): never {
  process.stderr.write(`localconnect: ${message}; see localconnect serve --help\n`);
  process.exit(2);
}

/** Exits 1 with one line saying why the node could not start. */
function startFailed(config: Config, err: NodeJS.ErrnoException): never {
  const where = `${config.host}:${config.port}`;
  const message =
    err.code === 'EADDRINUSE'
      ? `${where} is already in use; choose another with --port`
      : err.code === 'EACCES'
        ? `not allowed to listen on ${where}; choose a port above 1023 with --port`
        : err.code === 'EADDRNOTAVAIL'
          ? `${config.host} is not an address of this machine; choose another with --host`
          : `could not start: ${err.message}`;
  process.stderr.write(`localconnect: ${message}\n`);
  process.exit(1);
}

async function serve(argv: string[]): Promise<void> {
  if (helpRequested(argv)) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  // On stderr until the node, and with it the node's log, is up.
  let guardLog: { error(obj: object, msg: string): void } = {
    error: (obj, msg) => void process.stderr.write(`localconnect: ${msg} ${JSON.stringify(obj)}\n`),
  };
  installProcessGuard({ error: (obj, msg) => guardLog.error(obj, msg) });
  let config: Config;
  try {
    config = loadConfig(argv, process.env);
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) usageError(`unknown option ${unknown[1]}`);
    if (err instanceof ConfigError || code?.startsWith('ERR_PARSE_ARGS')) usageError(message);
    throw err;
  }
  let node: RunningNode;
  try {
    node = await startNode(config);
  } catch (err) {
    startFailed(config, err as NodeJS.ErrnoException);
  }
  guardLog = node.app.log;
  process.stdout.write(`${banner(config, node)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`localconnect: ${signal}, shutting down\n`);
    node.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`localconnect: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'serve') {
  await serve(rest);
} else if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`localconnect: unknown command ${command}; see localconnect --help\n`);
  process.exit(2);
}
