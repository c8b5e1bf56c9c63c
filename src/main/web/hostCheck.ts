// DNS-rebinding defence for `twinfold serve`: a page on an attacker's domain whose name suddenly
// resolves to 127.0.0.1 can talk to the server, but its requests still carry the attacker's name in
// the Host header. So every request's Host must be one of the names this server is known by.
import { isIP } from 'node:net';

export interface HostPolicy {
  /** The port the server listens on; built-in names must carry exactly this port. */
  port: number;
  /** The address the server is bound to (127.0.0.1, 0.0.0.0, a LAN address, a name). */
  boundAddress: string;
  /** This machine's name (os.hostname()), for a server reached by name on the LAN. */
  machineName: string;
  /** Extra names from `--allow-host`: `name` (any port: a reverse proxy) or `name:port`. */
  allowedHosts: readonly string[];
}

export interface HostHeader {
  /** Lower-cased; IPv6 addresses keep their brackets: `[::1]`. */
  name: string;
  /** Absent when the header has no port (port 80 for plain http). */
  port?: number;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(\d{1,5}))?$/;

/** Parses a Host header strictly (no user info, path or spaces); undefined when malformed. */
export function parseHostHeader(value: string | undefined): HostHeader | undefined {
  if (value === undefined) return undefined;
  const match = HOST_HEADER.exec(value.toLowerCase());
  if (!match) return undefined;
  const name = match[1]!;
  if (name.startsWith('[') && isIP(name.slice(1, -1)) !== 6) return undefined;
  if (match[2] === undefined) return { name };
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { name, port } : undefined;
}

/** 127.0.0.1, localhost or [::1]: names that can only mean this machine. */
export function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name.toLowerCase());
}

/** The bound address as it appears in a Host header, or undefined for a wildcard (not a real name). */
export function hostNameOf(address: string): string | undefined {
  const lower = address.toLowerCase();
  if (lower === '0.0.0.0' || lower === '::' || lower === '[::]') return undefined;
  if (isIP(lower) === 6) return `[${lower}]`;
  return lower;
}

/** True when the Host header names this server. */
export function isAllowedHost(header: string | undefined, policy: HostPolicy): boolean {
  const host = parseHostHeader(header);
  if (!host) return false;
  const port = host.port ?? 80;
  // A rebinding attacker's page carries its own domain in Host, never a loopback name; accepting
  // loopback on any port lets an SSH tunnel use a different local port.
  if (isLoopbackName(host.name)) return true;
  const builtIn = new Set([...LOOPBACK_NAMES, policy.machineName.toLowerCase()]);
  const bound = hostNameOf(policy.boundAddress);
  if (bound !== undefined) builtIn.add(bound);
  if (builtIn.has(host.name) && port === policy.port) return true;
  for (const entry of policy.allowedHosts) {
    const allowed = parseHostHeader(entry);
    if (!allowed || allowed.name !== host.name) continue;
    if (allowed.port === undefined || allowed.port === port) return true;
  }
  return false;
}
