// A server-sent events client over undici: one GET that stays open, read as `event:`/`data:` blocks. Comment lines
// (the sandbox's pings) only prove the connection alive; one silent for 45 s is taken as dead.
import { request } from 'undici';

export interface StreamEvent { name: string; data: string }

const SILENCE_MS = 45_000;

/**
 * Opens the stream and calls `onEvent` for each event until the server ends it (resolves) or the connection fails
 * (rejects). A status other than 200 goes to `refused`, which throws what the caller wants thrown.
 */
export async function openStream(
  url: string, headers: Record<string, string>, signal: AbortSignal, onEvent: (event: StreamEvent) => void, refused: (status: number, text: string) => never,
): Promise<void> {
  const response = await request(url, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' }, signal, headersTimeout: 15_000, bodyTimeout: SILENCE_MS });
  if (response.statusCode !== 200) refused(response.statusCode, await response.body.text().catch(() => ''));
  let buffer = '';
  response.body.setEncoding('utf8');
  try {
    for await (const chunk of response.body as AsyncIterable<string>) {
      buffer += chunk;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseBlock(block);
        if (event !== undefined) onEvent(event);
        end = buffer.indexOf('\n\n');
      }
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
}

/** One block of lines: `event: name` and `data: …` lines (joined by newlines); comments and others are skipped. */
export function parseBlock(block: string): StreamEvent | undefined {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? undefined : { name, data: data.join('\n') };
}
