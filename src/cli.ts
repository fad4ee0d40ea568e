/**
 * `localconnect serve`: start one node and print what to paste next. Stops cleanly on
 * SIGINT/SIGTERM (in-flight requests finish, the store closes).
 */
import { relative } from 'node:path';
import { ConfigError, USAGE, loadConfig, type Config } from './config.ts';
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
    `start one as a customer at ${url}/test-chat/`,
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

async function serve(argv: string[]): Promise<void> {
  installProcessGuard({
    error: (obj, msg) => process.stderr.write(`localconnect: ${msg} ${JSON.stringify(obj)}\n`),
  });
  let config: Config;
  try {
    config = loadConfig(argv, process.env);
  } catch (err) {
    const message =
      err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? (err as Error).message
        : String(err);
    process.stderr.write(`localconnect: ${message}\n\n${USAGE}`);
    process.exit(2);
  }
  const node = await startNode(config);
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
} else {
  process.stdout.write(USAGE);
  process.exit(command === undefined || command === '--help' || command === 'help' ? 0 : 2);
}
