// The process's logger: pino at the configured level, written to stderr (stdout carries the start banner) as
// JSON lines, or as one readable line per entry through pino-pretty, loaded only once a first line is written.
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat } from './config.js';

const require = createRequire(import.meta.url);

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

/** pino-pretty, set up for one line per entry: time, level, message; request fields stay in the message. */
function prettyStream(): DestinationStream {
  const pretty = require('pino-pretty') as PrettyFactory;
  return pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId,method,path,status,ms',
    singleLine: true,
  });
}

export function processLogger(level: string, format: LogFormat): Logger {
  if (format === 'json') return pino({ level }, pino.destination({ fd: 2, sync: true }));
  let stream: DestinationStream | undefined;
  return pino({ level }, { write: (line: string) => (stream ??= prettyStream()).write(line) });
}
