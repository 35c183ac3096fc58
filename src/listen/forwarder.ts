// Forwards one callback to the shop on this machine: the body's bytes and the sandbox's headers as they are, to
// the --forward-to URL with its query string; what the shop answered comes back as the attempt's result.
import { request } from 'undici';

export interface LocalAnswer { httpStatus: number | undefined; error: string | undefined; latencyMs: number; excerpt: string }

const EXCERPT_BYTES = 1024;

export async function forward(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<LocalAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await request(url, { method: 'POST', headers, body: Buffer.from(body, 'utf8'), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= EXCERPT_BYTES) {
        response.body.destroy();
        break;
      }
    }
    return { httpStatus: response.statusCode, error: undefined, latencyMs: elapsed(), excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8') };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
    const message = timedOut ? 'timeout' : code === undefined ? (error as Error).message : `${code}: ${(error as Error).message}`;
    return { httpStatus: undefined, error: `${message} (forwarding to ${url})`, latencyMs: elapsed(), excerpt: '' };
  }
}
