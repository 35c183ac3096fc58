// The docs at /docs: README.md as the index and docs/<page>.md as pages, each rendered once, with the page list
// the README's docs table gives; links between the Markdown files become /docs links, so both read on GitHub too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Token, Tokens } from 'marked';

export interface DocsPage {
  /** The file name without `.md`: the page is `/docs/<name>`. */
  name: string;
  title: string;
}

export interface RenderedDocs {
  title: string;
  html: string;
}

const PAGE_NAME = /^[a-z0-9-]+$/;
const PAGE_FILE = /^docs\/([a-z0-9-]+)\.md$/;
const PICTURE_FILE = /^docs\/[a-z0-9-]+\/[a-z0-9-]+\.png$/;
/** A row of the README's docs table: `| [Title](docs/page.md) | … |`. */
const TABLE_ROW = /^\|\s*\[([^\]]+)\]\(docs\/([a-z0-9-]+)\.md\)\s*\|/;
/** An address with a scheme (`https:`, `mailto:`) or a protocol-relative one: left as written. */
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

export class DocsSite {
  private pageList: DocsPage[] | undefined;
  private readonly rendered = new Map<string, RenderedDocs>();

  /** `root` is the package folder holding README.md and docs/. */
  constructor(private readonly root: string) {}

  /** Every page: in the order of the README's docs table, then any other docs/*.md by name. */
  pages(): DocsPage[] {
    if (this.pageList !== undefined) return this.pageList;
    const folder = join(this.root, 'docs');
    const files = existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.md')).map((file) => file.slice(0, -3)).filter((name) => PAGE_NAME.test(name)) : [];
    const listed: DocsPage[] = [];
    for (const line of this.readme().split('\n')) {
      const row = TABLE_ROW.exec(line);
      if (row === null) continue;
      const name = row[2] as string;
      if (files.includes(name) && !listed.some((page) => page.name === name)) listed.push({ name, title: (row[1] as string).replaceAll('`', '') });
    }
    const rest = files.filter((name) => !listed.some((page) => page.name === name)).sort()
      .map((name) => ({ name, title: firstHeading(readFileSync(join(folder, `${name}.md`), 'utf8')) ?? name }));
    this.pageList = [...listed, ...rest];
    return this.pageList;
  }

  /** The index (README.md) for `undefined`, else docs/<name>.md; `undefined` for a page that does not exist. */
  async render(name?: string): Promise<RenderedDocs | undefined> {
    const key = name ?? '';
    const cached = this.rendered.get(key);
    if (cached !== undefined) return cached;
    let source: string;
    let title: string;
    if (name === undefined) {
      source = this.readme();
      title = 'Docs';
    } else {
      const page = this.pages().find((candidate) => candidate.name === name);
      if (page === undefined) return undefined;
      source = readFileSync(join(this.root, 'docs', `${name}.md`), 'utf8');
      title = page.title;
    }
    const rendered = { title, html: await this.toHtml(source, name === undefined ? '' : 'docs') };
    this.rendered.set(key, rendered);
    return rendered;
  }

  private readme(): string {
    return readFileSync(join(this.root, 'README.md'), 'utf8');
  }

  /** Markdown to HTML with GitHub's heading ids; `folder` is where the file sits, relative to the root. */
  private async toHtml(markdown: string, folder: string): Promise<string> {
    // The Markdown renderer loads at the first visit, keeping it off the start path.
    const [{ Marked }, { gfmHeadingId }] = await Promise.all([import('marked'), import('marked-gfm-heading-id')]);
    const names = new Set(this.pages().map((page) => page.name));
    const marked = new Marked(gfmHeadingId(), {
      walkTokens(token: Token) {
        if (token.type === 'link') token.href = docsHref(token.href, folder, names) ?? '';
        if (token.type === 'image') token.href = docsHref(token.href, folder, names) ?? token.href;
      },
      renderer: {
        // A link to a file the sandbox does not serve (a source file, compose.yaml) keeps its text only.
        link(token: Tokens.Link): string | false {
          return token.href === '' ? this.parser.parseInline(token.tokens) : false;
        },
      },
    });
    return marked.parse(markdown, { async: false });
  }
}

/**
 * Where a link written in a Markdown file of `folder` ('' for the README, 'docs' for a page) leads at /docs:
 * the same for external and same-page links, /docs/<page> for another page, /docs/<dir>/<name>.png for a
 * picture, `undefined` for anything else in the repository.
 */
export function docsHref(href: string, folder: string, pages: ReadonlySet<string>): string | undefined {
  if (href === '' || href.startsWith('#') || EXTERNAL.test(href) || href.startsWith('/')) return href;
  const hashAt = href.indexOf('#');
  const path = hashAt === -1 ? href : href.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : href.slice(hashAt);
  let resolved: string;
  try {
    resolved = posix.normalize(posix.join(folder, decodeURI(path)));
  } catch {
    return undefined;
  }
  if (resolved === 'README.md') return `/docs${hash}`;
  const page = PAGE_FILE.exec(resolved);
  if (page !== null) return pages.has(page[1] as string) ? `/docs/${page[1] as string}${hash}` : undefined;
  if (PICTURE_FILE.test(resolved)) return `/${resolved}`;
  return undefined;
}

function firstHeading(markdown: string): string | undefined {
  return /^# (.+)$/m.exec(markdown)?.[1]?.replaceAll('`', '').trim();
}
