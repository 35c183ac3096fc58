// Where the sandbox may connect: a URL's host is resolved here, every address checked against the egress policy,
// and connections then go only to those checked addresses (the `lookup` handed to undici), so a name cannot be
// re-pointed between the check and the connection.
import { lookup as resolveHost, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { EgressPolicy } from '../domain/callbacks/egress-policy.js';

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => resolveHost(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

export class CheckedResolver {
  /** The checked addresses of each host, which connections use instead of resolving again. */
  private readonly checked = new Map<string, LookupAddress[]>();

  constructor(private readonly policy: EgressPolicy) {}

  /** For undici's `connect.lookup`: a host nobody checked fails to connect. */
  readonly lookup = (hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void): void => {
    const addresses = this.checked.get(hostname);
    if (addresses === undefined || addresses.length === 0) {
      callback(Object.assign(new Error(`${hostname} was not checked against the egress policy`), { code: 'ENOTFOUND' }));
      return;
    }
    if (options.all === true) callback(null, addresses);
    else callback(null, addresses[0]?.address, addresses[0]?.family);
  };

  /** Resolves the URL's host and checks every address; undefined when the connection may go, else why not. */
  async refusal(url: string): Promise<string | undefined> {
    const { hostname, port, protocol } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) === 0 ? await resolveAll(host) : [{ address: host, family: isIP(host) }];
    const verdict = this.policy.checkResolved(host, port === '' ? (protocol === 'https:' ? 443 : 80) : Number(port), addresses.map((a) => a.address));
    if (!verdict.allowed) return `refused by the callback egress policy: ${verdict.reason}`;
    this.checked.set(hostname, addresses);
    return undefined;
  }
}
