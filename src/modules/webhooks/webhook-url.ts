import { lookup } from 'node:dns';
import { isIP, LookupFunction } from 'node:net';
import ipaddr, { IPv4, IPv6 } from 'ipaddr.js';

/** IPv6's global unicast space; everything else (unique local, link-local, unassigned) is not public. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Whether `address` is a public unicast address: not loopback, private, link-local (cloud
 * metadata), carrier-grade NAT, reserved, multicast, nor an IPv6 form of one of them. An IPv6
 * address that embeds an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) is what that
 * IPv4 address is; any other IPv6 address must be global unicast.
 */
export function isPublicAddress(address: string): boolean {
  const parsed = ipaddr.parse(address);
  const v4 = parsed instanceof IPv6 ? embeddedIPv4(parsed) : parsed;
  if (v4) return v4.range() === 'unicast';
  return parsed.range() === 'unicast' && parsed.match(GLOBAL_UNICAST);
}

/** The IPv4 address an IPv6 address carries, by the form that carries it. */
function embeddedIPv4(address: IPv6): IPv4 | null {
  const bytes = address.toByteArray();
  if (address.match(IPV4_COMPATIBLE)) return new IPv4(bytes.slice(12));
  switch (address.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return new IPv4(bytes.slice(12));
    case '6to4':
      return new IPv4(bytes.slice(2, 6));
    case 'teredo':
      return new IPv4(bytes.slice(12).map((byte) => byte ^ 0xff));
    default:
      return null;
  }
}

/**
 * Why `url` cannot be a webhook endpoint's, or null when it can: it must be an absolute `https`
 * URL without credentials, naming no private address or `localhost` (`allowPrivate`: `http`, and
 * any address). Where a host name resolves to is checked at every delivery (`publicLookup`).
 */
export function webhookUrlProblem(url: string, allowPrivate: boolean): string | null {
  // The URL parser drops tabs and line breaks silently; a URL that has them is not the one it parses.
  if ([...url].some((char) => char <= ' ' || char === '\u007f')) {
    return 'url must not contain spaces or control characters';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'url must be an absolute URL';
  }
  if (parsed.protocol !== 'https:' && !(allowPrivate && parsed.protocol === 'http:')) {
    return allowPrivate ? 'url must be an http or https URL' : 'url must be an https URL';
  }
  if (parsed.username || parsed.password) return 'url must not contain a user name or password';
  if (!allowPrivate && !isPublicHost(parsed.hostname)) return 'url must not name a private address or localhost';
  return null;
}

function isPublicHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPublicAddress(host);
  return host !== 'localhost' && !host.endsWith('.localhost');
}

/** A host name resolved, at delivery, to an address that is not public. */
export class PrivateAddressError extends Error {}

/**
 * A `lookup` for `http.request` that resolves the host name and refuses the connection when any
 * of its addresses is not public. The request connects to the address checked here, so a name
 * that resolves differently a moment later (DNS rebinding) cannot slip through.
 */
export const publicLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find(({ address }) => !isPublicAddress(address));
    if (refused)
      return callback(new PrivateAddressError(`${hostname} resolves to ${refused.address}, which is not public`), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

/** The URL's host, when it is an address that is not public (`http.request` does no lookup for those). */
export function privateAddressOf(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) && !isPublicAddress(host) ? host : null;
}
