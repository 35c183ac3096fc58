// The server process: config → sandbox (database, clock, scheduler) → HTTP app → listen; graceful shutdown. With
// `--workers N` the first process starts N such processes on the same port and database instead.
import cluster from 'node:cluster';
import type { Logger as PinoLogger } from 'pino';
import { buildApp } from './app.js';
import { applyCliOptions, HELP } from './cli-options.js';
import { announceFromWorker, runPrimary, workerNumber, workerPeers } from './cluster.js';
import { ConfigError, loadConfig, packageVersion, type SandboxConfig } from './config.js';
import { ScenarioError } from './domain/catalogue/scenarios.js';
import { createSandbox, type Sandbox } from './sandbox.js';
import { processLogger } from './log-output.js';
import { startBanner } from './start-banner.js';
import { describeLocation, isPostgresUrl } from './storage/open-storage.js';

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

async function sandboxOrExit(config: SandboxConfig, logger: PinoLogger, worker: number | undefined): Promise<Sandbox> {
  try {
    // Workers on one SQLite file tell each other of changes through the primary; PostgreSQL has its own channel.
    const peers = worker !== undefined && !isPostgresUrl(config.databasePath) ? workerPeers() : undefined;
    return await createSandbox(config, logger, { peers });
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof ConfigError) {
      process.stderr.write(`ecommpay-sandbox: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ecommpay-sandbox: cannot open the database ${describeLocation(config.databasePath)}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

async function serve(config: SandboxConfig, logger: PinoLogger): Promise<void> {
  const worker = workerNumber();
  const sandbox = await sandboxOrExit(config, logger, worker);
  const app = await buildApp(sandbox, { loggerInstance: logger });
  sandbox.scheduler.start();
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  // Of several workers, the first speaks for all, through the primary.
  if (worker === undefined || worker === 1) {
    const banner = startBanner({
      config,
      storageKind: sandbox.storageKind,
      clockMode: sandbox.clock.mode,
      projects: await sandbox.projects.all(),
      port: typeof address === 'object' && address !== null ? address.port : config.port,
      version: packageVersion,
    });
    if (worker === undefined) process.stdout.write(banner);
    else announceFromWorker(banner);
  }

  let closing = false;
  /**
   * Finishes requests in flight, stops the scheduler (letting running deliveries record), closes the database;
   * within SANDBOX_SHUTDOWN_GRACE_S (10 s) whatever happens.
   */
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Whatever still waits (a delivery, a database that does not answer), the process ends within the grace.
    setTimeout(() => {
      logger.error({ signal, graceMs: config.shutdownGraceMs }, 'shutdown took longer than its grace (SANDBOX_SHUTDOWN_GRACE_S); exiting now');
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    await app.close();
    await sandbox.close();
    if (worker === undefined) process.stdout.write(`ecommpay-sandbox stopped (${signal})\n`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

const config = configOrExit();
const logger = processLogger(config.logLevel, config.logFormat);
if (config.workers > 1 && cluster.isPrimary) runPrimary(config, logger);
else await serve(config, logger);
