// Several worker processes on one port (`--workers N`): the primary prepares the database, starts the workers,
// relays their storage events to one another, starts a new worker when one dies, and stops them all on
// SIGTERM/SIGINT. Each worker is a whole sandbox; leases and locks in the database keep them from doing the
// same work twice.
import cluster, { type Worker } from 'node:cluster';
import type { SandboxConfig } from './config.js';
import type { Logger, PeerChannel, StorageEvent } from './domain/ports.js';
import { isPostgresUrl } from './storage/open-storage.js';
import { openSqlite } from './storage/sqlite/database.js';
import { SqliteStorage, sqliteFault } from './storage/sqlite/sqlite-storage.js';

const EVENT = 'ecommpay-sandbox:storage-event';

const BANNER = 'ecommpay-sandbox:banner';

interface EventMessage { type: typeof EVENT; event: StorageEvent }
interface BannerMessage { type: typeof BANNER; text: string }

function isEventMessage(message: unknown): message is EventMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === EVENT;
}

function isBannerMessage(message: unknown): message is BannerMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === BANNER;
}

/** The first worker's start banner, printed by the primary once every worker listens. */
export function announceFromWorker(text: string): void {
  process.send?.({ type: BANNER, text } satisfies BannerMessage);
}

/** A worker's channel to its siblings on a SQLite file, through the primary. */
export function workerPeers(): PeerChannel {
  return {
    send(event) {
      process.send?.({ type: EVENT, event } satisfies EventMessage);
    },
    onEvent(listener) {
      process.on('message', (message) => {
        if (isEventMessage(message)) listener(message.event);
      });
    },
  };
}

/** Whether this process is a worker started by `runPrimary`; the first one speaks for all (the start banner). */
export function workerNumber(): number | undefined {
  return cluster.isWorker ? cluster.worker?.id : undefined;
}

export function runPrimary(config: SandboxConfig, log: Logger): void {
  if (!isPostgresUrl(config.databasePath)) {
    // Migrations run once, and what a run that died left claimed is freed, before any worker opens the file.
    const db = openSqlite(config.databasePath);
    try {
      SqliteStorage.clearStaleClaims(db);
    } catch (error) {
      // A full disk: the workers start read-only, and the leases left behind lapse by time.
      if (sqliteFault(error) === undefined) throw error;
      log.warn({ err: error }, 'could not clear the leases of an earlier run; they lapse by time');
    }
    db.close();
  }
  let stopping: NodeJS.Signals | undefined;
  const workers = new Set<Worker>();
  // The banner says the sandbox is ready: it waits until every first worker takes connections, so that a client
  // reading it reaches any of them.
  let banner: string | undefined;
  let listening = 0;
  const printBannerWhenReady = () => {
    if (banner === undefined || listening < config.workers) return;
    process.stdout.write(banner);
    banner = '';
  };
  cluster.on('listening', () => {
    listening++;
    printBannerWhenReady();
  });
  const start = () => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('message', (message: unknown) => {
      if (isBannerMessage(message)) {
        if (banner === undefined) banner = message.text;
        printBannerWhenReady();
        return;
      }
      if (!isEventMessage(message)) return;
      for (const other of workers) if (other !== worker && other.isConnected()) other.send(message);
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    workers.delete(worker);
    if (stopping) {
      if (workers.size === 0) {
        process.stdout.write(`ecommpay-sandbox stopped (${stopping})\n`);
        process.exit(0);
      }
      return;
    }
    log.warn({ worker: worker.process.pid, code, signal }, 'a worker stopped; starting another');
    start();
  });
  for (let n = 0; n < config.workers; n++) start();
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) return;
    stopping = signal;
    for (const worker of workers) worker.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
