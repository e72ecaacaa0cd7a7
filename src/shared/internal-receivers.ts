/**
 * The internal webhook receivers an operator names (WEBHOOK_ALLOWED_INTERNAL_HOSTS, docs/webhooks.md):
 * exact socket addresses, an IP address and a port each, that webhook deliveries may reach although
 * the address is loopback or private. A socket address, not a name: the delivery guard checks the
 * address it actually connects to, so an entry names what is reached whatever DNS answers. Not a
 * range (CIDR): one receiver is one address and one port, and a range would open its neighbours.
 */
import ipaddr from 'ipaddr.js';

/** Enough for a few receivers; a longer list is a range written out, which this setting refuses to be. */
export const MAX_INTERNAL_RECEIVERS = 10;

const IPV4_ENTRY = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;
const IPV6_ENTRY = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/;

/** An address and a port as one comparable key: IPv4-mapped IPv6 as IPv4, IPv6 written out in full. */
export function receiverKey(address: string, port: number): string | undefined {
  try {
    return `${ipaddr.process(address).toNormalizedString()} ${port}`;
  } catch {
    return undefined;
  }
}

function entryKey(entry: string): string | undefined {
  const [, address, portText] = IPV4_ENTRY.exec(entry) ?? IPV6_ENTRY.exec(entry) ?? [];
  if (!address) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  if (address.includes('.') && !address.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(address)) return undefined;
  if (!ipaddr.isValid(address)) return undefined;
  // Only an address the guard refuses needs an entry; one nothing can connect to (0.0.0.0, which
  // reaches this host, multicast, broadcast) is a mistake.
  const range = ipaddr.process(address).range();
  if (['unicast', 'unspecified', 'multicast', 'broadcast'].includes(range)) return undefined;
  return receiverKey(address, port);
}

/**
 * `127.0.0.1:8443,[fd00::5]:443` as receiver keys; undefined when an entry is not an internal IP
 * address and port, repeats, or there are more than MAX_INTERNAL_RECEIVERS. Empty: none.
 */
export function parseInternalReceivers(list: string): string[] | undefined {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length > MAX_INTERNAL_RECEIVERS) return undefined;
  const keys = entries.map(entryKey);
  if (keys.some((key) => key === undefined) || new Set(keys).size !== keys.length) return undefined;
  return keys as string[];
}
