// `ecommpay-sandbox listen …`: receives a project's callbacks from a (shared) sandbox over one outbound
// connection and forwards each one, byte for byte, to a local URL; the shop's answer goes back to the sandbox as
// the delivery attempt. Flags only, no prompts, so it runs in CI as well as in a terminal.
import { parseArgs } from 'node:util';
import { openStream, type StreamEvent } from './event-stream.js';
import { forward, type LocalAnswer } from './forwarder.js';

export const LISTEN_HELP = `Usage: ecommpay-sandbox listen --sandbox URL --token TOKEN (--forward-to URL | --print-only) [options]

Receives a project's callbacks from a sandbox that cannot reach this machine, over one outbound
connection (server-sent events), and forwards each one to a local URL. The body and headers are
forwarded as they are (the signature is inside the body); the local answer is recorded by the
sandbox as the delivery attempt, so a callback that does not get 200 is retried on the ladder.

Required:
  --sandbox <url>           the sandbox's base URL, e.g. https://qa.example
  --token <token>           the project's control token (sbx_…) or the admin token
                            (or set ECOMMPAY_SANDBOX_TOKEN, which keeps it out of the process list)
  --forward-to <url>        where each callback is POSTed, query string kept,
                            e.g. http://localhost:3000/ecommpay/callback?source=sandbox
  or --print-only           print the callbacks without forwarding them (each counts as delivered)

Options:
  --project-id <n>          the project to listen to (needed with the admin token)
  --json                    one JSON line per event on stdout instead of readable lines
  --give-up-after <s>       exit 4 after this many seconds without a connection (default: never)
  -h, --help                show this help

While it is not connected it reconnects after 1, 2, 4, 8, 16, then every 30 seconds.
Exit code: 0 stopped by SIGINT or SIGTERM; 2 bad arguments; 3 the sandbox refused the token
or the project; 4 no connection for --give-up-after seconds.
`;

export interface ListenOptions {
  sandbox: string;
  token: string;
  projectId: number | undefined;
  forwardTo: string | undefined;
  json: boolean;
  giveUpAfterMs: number | undefined;
}

export interface ListenOutput { stdout(text: string): void; stderr(text: string): void }

class UsageError extends Error {}

/** Why the listener stopped for good: its exit code and what to say. */
export class ListenStop extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function urlFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return value;
  } catch {
    throw new UsageError(`${flag} must be an http:// or https:// URL (got ${value})`);
  }
}

export function parseListenArgs(argv: string[], env: NodeJS.ProcessEnv): ListenOptions | 'help' {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      sandbox: { type: 'string' }, token: { type: 'string' }, 'project-id': { type: 'string' }, 'forward-to': { type: 'string' },
      'print-only': { type: 'boolean' }, json: { type: 'boolean' }, 'give-up-after': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return 'help';
  const sandbox = urlFlag('--sandbox', values.sandbox);
  if (sandbox === undefined) throw new UsageError('--sandbox is required');
  const token = values.token ?? env.ECOMMPAY_SANDBOX_TOKEN;
  if (token === undefined || token === '') throw new UsageError('--token (or ECOMMPAY_SANDBOX_TOKEN) is required');
  const forwardTo = urlFlag('--forward-to', values['forward-to']);
  if ((forwardTo === undefined) === (values['print-only'] !== true)) throw new UsageError('give either --forward-to or --print-only');
  const projectId = values['project-id'] === undefined ? undefined : Number(values['project-id']);
  if (projectId !== undefined && (!Number.isInteger(projectId) || projectId < 1)) throw new UsageError('--project-id must be a positive whole number');
  const giveUp = values['give-up-after'] === undefined ? undefined : Number(values['give-up-after']);
  if (giveUp !== undefined && (!Number.isFinite(giveUp) || giveUp <= 0)) throw new UsageError('--give-up-after must be a number of seconds above 0');
  return { sandbox: sandbox.replace(/\/+$/, ''), token, projectId, forwardTo, json: values.json === true, giveUpAfterMs: giveUp === undefined ? undefined : giveUp * 1000 };
}

/** The wait before reconnecting after `failures` failed tries in a row: 1, 2, 4, 8, 16, then 30 s. */
export function backoffMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}

interface CallbackEvent {
  handoff_id: number; callback_id: number; payment_id: string; attempt: number; headers: Record<string, string>; body: string; timeout_ms: number;
}

/** The payment's status as the callback tells it (the operation's when it has one). */
function statusOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { payment?: { status?: string }; operation?: { status?: string; type?: string } };
    const payment = parsed.payment?.status ?? '';
    const operation = parsed.operation === undefined ? '' : `${parsed.operation.type ?? ''} ${parsed.operation.status ?? ''}`.trim();
    return operation === '' ? payment : `${payment} (${operation})`;
  } catch {
    return '?';
  }
}

class Listener {
  private listenerId = '';
  private projectId: number | undefined;
  private failures = 0;
  private lastConnected = Date.now();
  private abort = new AbortController();
  private stopping = false;

  constructor(private readonly options: ListenOptions, private readonly out: ListenOutput) {}

  private emit(event: Record<string, unknown>, line: string): void {
    if (this.options.json) this.out.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
    else this.out.stdout(`${new Date().toISOString()}  ${line}\n`);
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.token}` };
  }

  /** Runs until stopped (resolves) or refused for good (throws ListenStop). */
  async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.session();
        if (this.stopping) return;
        this.failures = 1;
        this.emit({ event: 'disconnected', reason: 'the sandbox ended the stream', retry_in_ms: backoffMs(this.failures) }, `disconnected: the sandbox ended the stream; reconnecting in ${backoffMs(this.failures) / 1000} s`);
      } catch (error) {
        if (error instanceof ListenStop || this.stopping) {
          if (this.stopping) return;
          throw error;
        }
        this.failures++;
        const reason = (error as Error).message;
        this.emit({ event: 'disconnected', reason, retry_in_ms: backoffMs(this.failures) }, `not connected: ${reason}; reconnecting in ${backoffMs(this.failures) / 1000} s`);
      }
      const giveUp = this.options.giveUpAfterMs;
      if (giveUp !== undefined && Date.now() - this.lastConnected >= giveUp) {
        throw new ListenStop(4, `no connection to ${this.options.sandbox} for ${giveUp / 1000} s`);
      }
      await this.sleep(backoffMs(this.failures));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  stop(): void {
    this.stopping = true;
    this.abort.abort();
  }

  private async session(): Promise<void> {
    const query = this.options.projectId === undefined ? '' : `?project_id=${this.options.projectId}`;
    await openStream(`${this.options.sandbox}/_sandbox/listen${query}`, this.headers(), this.abort.signal, (event) => this.onEvent(event), (status, text) => {
      if (status === 401 || status === 403 || status === 404) throw new ListenStop(3, `the sandbox refused to let this token listen (HTTP ${status}): ${text}`);
      throw new Error(`HTTP ${status} from the sandbox: ${text.slice(0, 200)}`);
    });
  }

  private onEvent(event: StreamEvent): void {
    if (event.name === 'ready') {
      const ready = JSON.parse(event.data) as { listener_id: string; project_id: number; instance: string };
      this.listenerId = ready.listener_id;
      this.projectId = ready.project_id;
      this.failures = 0;
      this.lastConnected = Date.now();
      const target = this.options.forwardTo ?? 'nowhere (--print-only)';
      this.emit({ event: 'ready', project_id: ready.project_id, listener_id: ready.listener_id, instance: ready.instance, forward_to: this.options.forwardTo ?? null },
        `listening to project ${ready.project_id} on ${this.options.sandbox}; forwarding to ${target}`);
    } else if (event.name === 'callback') {
      this.lastConnected = Date.now();
      void this.deliver(JSON.parse(event.data) as CallbackEvent, this.listenerId);
    }
  }

  private async deliver(callback: CallbackEvent, listenerId: string): Promise<void> {
    const answer: LocalAnswer = this.options.forwardTo === undefined
      ? { httpStatus: 200, error: undefined, latencyMs: 0, excerpt: 'printed only (ecommpay-sandbox listen --print-only)' }
      : await forward(this.options.forwardTo, callback.headers, callback.body, callback.timeout_ms);
    const status = statusOf(callback.body);
    const outcome = answer.httpStatus === undefined ? answer.error ?? 'no answer' : `${answer.httpStatus}`;
    this.emit({
      event: 'callback', payment_id: callback.payment_id, status, callback_id: callback.callback_id, attempt: callback.attempt,
      http_status: answer.httpStatus ?? null, error: answer.error ?? null, latency_ms: answer.latencyMs, forwarded: this.options.forwardTo !== undefined,
      ...(this.options.forwardTo === undefined ? { body: callback.body } : {}),
    }, `payment ${callback.payment_id}  ${status}  callback ${callback.callback_id} #${callback.attempt}  → ${this.options.forwardTo === undefined ? 'printed' : outcome}  ${answer.latencyMs} ms`);
    await this.report(callback, listenerId, answer);
  }

  /** Tells the sandbox what the shop answered; a few tries, as a network blip must not lose the attempt's answer. */
  private async report(callback: CallbackEvent, listenerId: string, answer: LocalAnswer): Promise<void> {
    const projectId = this.projectId ?? this.options.projectId;
    const body = JSON.stringify({
      project_id: projectId, listener_id: listenerId, handoff_id: callback.handoff_id, latency_ms: answer.latencyMs,
      response_excerpt: answer.excerpt, url: this.options.forwardTo ?? 'print-only',
      ...(answer.httpStatus === undefined ? {} : { http_status: answer.httpStatus }), ...(answer.error === undefined ? {} : { error: answer.error.slice(0, 1024) }),
    });
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const response = await fetch(`${this.options.sandbox}/_sandbox/listen/answers`, { method: 'POST', headers: { ...this.headers(), 'content-type': 'application/json' }, body });
        if (response.ok) return;
        // The sandbox no longer waits for it (this listener's stream dropped, or the attempt timed out): it is retried.
        this.emit({ event: 'answer-refused', callback_id: callback.callback_id, http_status: response.status }, `the sandbox did not take the answer to callback ${callback.callback_id} (HTTP ${response.status}); it will be sent again`);
        return;
      } catch (error) {
        if (attempt === 3) this.emit({ event: 'answer-lost', callback_id: callback.callback_id, reason: (error as Error).message }, `could not report the answer to callback ${callback.callback_id}: ${(error as Error).message}`);
      }
    }
  }
}

/** Runs the subcommand with the arguments after `listen`; resolves to the exit code once stopped. */
export async function runListen(argv: string[], env: NodeJS.ProcessEnv, out: ListenOutput, stopSignal: AbortSignal): Promise<number> {
  let options: ListenOptions | 'help';
  try {
    options = parseListenArgs(argv, env);
  } catch (error) {
    out.stderr(`ecommpay-sandbox listen: ${(error as Error).message}\n\n${LISTEN_HELP}`);
    return 2;
  }
  if (options === 'help') {
    out.stdout(LISTEN_HELP);
    return 0;
  }
  const listener = new Listener(options, out);
  stopSignal.addEventListener('abort', () => listener.stop(), { once: true });
  try {
    await listener.run();
    return 0;
  } catch (error) {
    if (error instanceof ListenStop) {
      out.stderr(`ecommpay-sandbox listen: ${error.message}\n`);
      return error.code;
    }
    out.stderr(`ecommpay-sandbox listen: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The subcommand as a process: stops on SIGINT or SIGTERM, then exits with the code. */
export async function main(argv: string[]): Promise<never> {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const code = await runListen(argv, process.env, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }, stop.signal);
  process.exit(code);
}
