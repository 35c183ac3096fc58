// Talks to the dashboard as a browser would: keeps its cookies and echoes the CSRF token of its forms.
import type { FastifyInstance } from 'fastify';

export class DashboardClient {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly app: FastifyInstance, private readonly headers: Record<string, string> = {}) {}

  private remember(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair] = line.split(';');
      const [name, value] = (pair ?? '').split('=');
      if (name !== undefined && value !== undefined) this.cookies.set(name.trim(), value.trim());
    }
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string) {
    const response = await this.app.inject({ method: 'GET', url, headers: { ...this.headers, ...this.cookieHeader() } });
    this.remember(response.headers['set-cookie']);
    const token = /name="csrf" value="([^"]+)"/.exec(response.body);
    if (token?.[1] !== undefined) this.csrf = token[1];
    return response;
  }

  async post(url: string, fields: Record<string, string>, withCsrf = true) {
    const payload = new URLSearchParams({ ...(withCsrf ? { csrf: this.csrf } : {}), ...fields }).toString();
    const response = await this.app.inject({
      method: 'POST', url, payload, headers: { ...this.headers, ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(response.headers['set-cookie']);
    return response;
  }

  /** A multipart form with one file; `content` as text, or as the bytes of a file that is not text. */
  async upload(url: string, fields: Record<string, string>, file: { name: string; content: string | Buffer }) {
    const boundary = '----sandboxtest' + Math.random().toString(16).slice(2);
    const parts = Object.entries({ csrf: this.csrf, ...fields }).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: text/csv\r\n\r\n`);
    const payload = Buffer.concat([Buffer.from(parts.join('')), Buffer.from(file.content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    return this.app.inject({
      method: 'POST', url, payload,
      headers: { ...this.headers, ...this.cookieHeader(), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  }
}
