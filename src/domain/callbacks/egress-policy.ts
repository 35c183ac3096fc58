// Where callbacks may go: SANDBOX_CALLBACK_ALLOW (default: anywhere, for local use) and SANDBOX_CALLBACK_DENY
// (default: link-local and cloud metadata addresses). A rule is a host name (`*.example.com` for its
// subdomains), `host:port`, an IP address, or a CIDR range. A URL is checked when a request names it, and the
// address it resolves to is checked again when a callback is sent, so a name cannot be pointed elsewhere later.
import { BlockList, isIP } from 'node:net';

export interface EgressRule { text: string; host?: string; port?: number; addresses?: BlockList }

export const DEFAULT_DENY = [
  '169.254.0.0/16', 'fe80::/10', '100.100.100.200', 'fd00:ec2::254', 'metadata.google.internal', 'metadata.goog', 'metadata',
];

export class EgressRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressRuleError';
  }
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** Parses one rule; throws EgressRuleError naming what is wrong. */
export function parseRule(text: string): EgressRule {
  const rule = text.trim().toLowerCase();
  const cidr = /^(.+)\/(\d{1,3})$/.exec(rule);
  if (cidr !== null) {
    const [, base, bits] = cidr as unknown as [string, string, string];
    const family = isIP(base);
    if (family === 0 || Number(bits) > (family === 4 ? 32 : 128)) throw new EgressRuleError(`"${text}" is not a CIDR range`);
    const addresses = new BlockList();
    addresses.addSubnet(base, Number(bits), familyOf(base));
    return { text, addresses };
  }
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(rule);
  const hostPort = bracketed === null ? /^([^:]+):(\d+)$/.exec(rule) : null;
  const host = bracketed?.[1] ?? hostPort?.[1] ?? rule;
  const portText = bracketed?.[2] ?? hostPort?.[2];
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) throw new EgressRuleError(`"${text}" has no valid port`);
  if (isIP(host) !== 0) {
    const addresses = new BlockList();
    addresses.addAddress(host, familyOf(host));
    return { text, addresses, ...(port === undefined ? {} : { port }) };
  }
  if (!/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(host)) throw new EgressRuleError(`"${text}" is not a host, host:port, address or CIDR range`);
  return { text, host: host.replace(/\.$/, ''), ...(port === undefined ? {} : { port }) };
}

export function parseRules(list: string | undefined): EgressRule[] {
  return (list ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '').map(parseRule);
}

function normalise(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

function hostMatches(pattern: string, host: string): boolean {
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
}

/** Whether a rule covers a URL's host (its name, or an address) and port. */
function covers(rule: EgressRule, host: string, port: number): boolean {
  if (rule.port !== undefined && rule.port !== port) return false;
  if (rule.addresses !== undefined) return isIP(host) !== 0 && rule.addresses.check(host, familyOf(host));
  return rule.host !== undefined && hostMatches(rule.host, host);
}

export type EgressVerdict = { allowed: true } | { allowed: false; reason: string };

/** Verdicts on resolved addresses kept per policy: the rules never change, and every delivery asks again. */
const RESOLVED_VERDICTS_KEPT = 1_000;

export class EgressPolicy {
  private readonly resolvedVerdicts = new Map<string, EgressVerdict>();

  constructor(readonly allow: EgressRule[] | undefined, readonly deny: EgressRule[]) {}

  /** Allow: anywhere when unset or empty. Deny: link-local and metadata addresses when unset; nothing when empty. */
  static fromSettings(allow: string | undefined, deny: string | undefined): EgressPolicy {
    const allowed = parseRules(allow);
    return new EgressPolicy(allowed.length === 0 ? undefined : allowed, deny === undefined ? DEFAULT_DENY.map(parseRule) : parseRules(deny));
  }

  private deniedBy(host: string, port: number): EgressRule | undefined {
    return this.deny.find((rule) => covers(rule, host, port));
  }

  /**
   * A host (a name or an address) and port as a request names it. A name that no allow rule names may still be
   * allowed by an address range once it resolves: then it passes here and is decided at delivery.
   */
  checkHost(host: string, port: number): EgressVerdict {
    const name = normalise(host);
    const denied = this.deniedBy(name, port);
    if (denied !== undefined) return { allowed: false, reason: `${name}:${port} is denied by SANDBOX_CALLBACK_DENY (${denied.text})` };
    if (this.allow === undefined || this.allow.some((rule) => covers(rule, name, port))) return { allowed: true };
    if (isIP(name) === 0 && this.allow.some((rule) => rule.addresses !== undefined)) return { allowed: true };
    return { allowed: false, reason: `${name}:${port} is not in SANDBOX_CALLBACK_ALLOW` };
  }

  /** A callback URL as a request names it: its host as written (a name is checked again once resolved). */
  checkUrl(url: string): EgressVerdict {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { allowed: false, reason: 'not a URL' };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { allowed: false, reason: 'only http and https callbacks are sent' };
    const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    return this.checkHost(parsed.hostname, port);
  }

  /**
   * The addresses a host resolved to, for one connection. Every address must pass the deny list; a name the
   * allow list names is trusted wherever it resolves, otherwise every address must be in an allowed range.
   */
  checkResolved(host: string, port: number, addresses: string[]): EgressVerdict {
    const key = `${host} ${port} ${addresses.join(' ')}`;
    let verdict = this.resolvedVerdicts.get(key);
    if (verdict === undefined) {
      if (this.resolvedVerdicts.size >= RESOLVED_VERDICTS_KEPT) this.resolvedVerdicts.clear();
      verdict = this.judgeResolved(host, port, addresses);
      this.resolvedVerdicts.set(key, verdict);
    }
    return verdict;
  }

  private judgeResolved(host: string, port: number, addresses: string[]): EgressVerdict {
    const name = normalise(host);
    const byName = this.checkHost(name, port);
    if (!byName.allowed) return byName;
    for (const address of addresses) {
      const denied = this.deniedBy(address, port);
      if (denied !== undefined) return { allowed: false, reason: `${name} resolves to ${address}, denied by SANDBOX_CALLBACK_DENY (${denied.text})` };
    }
    if (this.allow === undefined || this.allow.some((rule) => covers(rule, name, port))) return { allowed: true };
    const outside = addresses.find((address) => !this.allow?.some((rule) => covers(rule, address, port)));
    return outside === undefined ? { allowed: true } : { allowed: false, reason: `${name} resolves to ${outside}, which SANDBOX_CALLBACK_ALLOW does not cover` };
  }
}
