#!/usr/bin/env node
// Process entry: config → sandbox (database, clock, scheduler) → HTTP app → listen; graceful shutdown.
import { buildApp } from './app.js';
import { ConfigError, loadConfig, packageVersion, type SandboxConfig } from './config.js';
import { createSandbox } from './sandbox.js';
import { ScenarioError } from './domain/scenarios.js';
import { startBanner } from './start-banner.js';
import { processLogger } from './log-output.js';
import { applyCliOptions, HELP } from './cli-options.js';
import { describeLocation } from './storage/open-storage.js';

if (process.argv[2] === 'conformance') await (await import('./conformance/cli.js')).main(process.argv.slice(3));

function environmentOrExit(): NodeJS.ProcessEnv {
  try {
    const result = applyCliOptions(process.argv.slice(2), process.env);
    if (result.help) {
      process.stdout.write(HELP);
      process.exit(0);
    }
    return result.env;
  } catch (error) {
    process.stderr.write(`ecommpay-sandbox: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
}

function configOrExit(): SandboxConfig {
  try {
    return loadConfig(environmentOrExit());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ecommpay-sandbox: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const config = configOrExit();
const logger = processLogger(config.logLevel, config.logFormat);
const sandbox = await (async () => {
  try {
    return await createSandbox(config, logger);
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof ConfigError) {
      process.stderr.write(`ecommpay-sandbox: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ecommpay-sandbox: cannot open the database ${describeLocation(config.databasePath)}: ${(error as Error).message}\n`);
    process.exit(1);
  }
})();
const app = await buildApp(sandbox, { loggerInstance: logger });
sandbox.scheduler.start();
await app.listen({ port: config.port, host: config.host });
const address = app.server.address();
process.stdout.write(startBanner({
  config,
  storageKind: sandbox.storageKind,
  clockMode: sandbox.clock.mode,
  projects: await sandbox.projects.all(),
  port: typeof address === 'object' && address !== null ? address.port : config.port,
  version: packageVersion,
}));

let closing = false;
/** Finishes requests in flight, stops the scheduler (letting running deliveries record), closes the database. */
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  await app.close();
  await sandbox.close();
  process.stdout.write(`ecommpay-sandbox stopped (${signal})\n`);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
