// Kernel command line network settings: parses `ip=` (and `talos.hostname=`) into the cmdline layer's address, gateway, names and servers.
import { isIP } from 'node:net';
import { formatCidr, formatIp, parseIp, type IpAddress } from '../../resources/config/v1alpha1/net.js';
import type { Logger } from '../../runtime/index.js';

/**
 * What the kernel command line asks of the network. `address` and `gateway` are bound to `device`: the config
 * controllers produce a link, address or route from them only when `device` is set, since which link would be "the
 * first one" is unknown before links are discovered.
 */
export interface CmdlineNetwork {
  /** The client address with its prefix, e.g. `10.5.0.2/24` (a host prefix when the netmask field is empty). */
  readonly address?: string;
  readonly gateway?: string;
  /** The host name as written, possibly with a domain (`node-1.example.com`). */
  readonly hostname?: string;
  readonly device?: string;
  readonly dns: readonly string[];
  readonly ntp: readonly string[];
}

/** Why a command line argument was rejected: the argument, the field, the value and a sentence naming the fix. */
export interface CmdlineError {
  readonly argument: string;
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

/** The outcome of {@link parseCmdlineNetwork}. */
export type CmdlineParse =
  { readonly ok: true; readonly network: CmdlineNetwork } | { readonly ok: false; readonly error: CmdlineError };

/** `ip=` values that ask for autoconfiguration (or none) and carry no static settings. */
const AUTOCONF = new Set(['dhcp', 'off', 'none', 'on', 'any', 'dhcp6', 'auto6', 'both', 'ibft', 'link6']);

const FIELDS = [
  'client-ip',
  'server-ip',
  'gw-ip',
  'netmask',
  'hostname',
  'device',
  'autoconf',
  'dns0-ip',
  'dns1-ip',
  'ntp0-ip',
] as const;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const LINK_NAME = /^[^\s/:]{1,15}$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** The value of the first `name=` argument of `cmdline`, or undefined when absent. */
export function cmdlineArg(cmdline: string, name: string): string | undefined {
  for (const arg of cmdline.split(/\s+/)) {
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

class Invalid extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    readonly fix: string,
  ) {
    super(fix);
  }
}

/** Splits at colons outside brackets, so that `[fd00::2]` stays one field; the brackets are dropped. */
function splitFields(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of value) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === ':' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parsedIp(field: string, value: string): IpAddress | undefined {
  if (value === '') return undefined;
  const parsed = parseIp(value);
  if (parsed === undefined) throw new Invalid(field, value, 'use an IPv4 or IPv6 address (IPv6 in brackets)');
  return parsed;
}

function ip(field: string, value: string): string | undefined {
  const parsed = parsedIp(field, value);
  return parsed === undefined ? undefined : formatIp(parsed);
}

/** A prefix length from a dotted netmask (contiguous ones) or a number. */
function prefixOf(value: string, family: 4 | 6): number {
  const max = family === 4 ? 32 : 128;
  if (PREFIX.test(value) && Number(value) <= max) return Number(value);
  if (family === 4 && isIP(value) === 4) {
    const bits = value
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
    if (/^1*0*$/.test(bits)) return bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
  }
  throw new Invalid('netmask', value, `use a contiguous dotted netmask or a prefix length from 0 to ${max}`);
}

function hostname(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 253 || !value.split('.').every((l) => LABEL.test(l))) {
    throw new Invalid('hostname', value, 'use DNS labels of letters, digits and hyphens, e.g. node-1.example.com');
  }
  return value;
}

function parseIpArg(value: string): CmdlineNetwork {
  if (AUTOCONF.has(value)) return { dns: [], ntp: [] };
  const f = splitFields(value);
  if (f.length > FIELDS.length) {
    throw new Invalid('ip', value, `give at most ${FIELDS.length} colon-separated fields (${FIELDS.join(':')})`);
  }
  const at = (i: number): string => f[i] ?? '';
  const client = parsedIp('client-ip', at(0));
  const gateway = ip('gw-ip', at(2));
  const mask = at(3);
  let address: string | undefined;
  if (client !== undefined) {
    const prefix = mask === '' ? (client.family === 4 ? 32 : 128) : prefixOf(mask, client.family);
    address = formatCidr({ ip: client, prefix, bare: mask === '' });
  } else if (mask !== '') {
    prefixOf(mask, isIP(mask) === 4 ? 4 : 6); // still reject a malformed netmask, even when unused
  }
  const device = at(5);
  if (device !== '' && !LINK_NAME.test(device)) {
    throw new Invalid('device', device, 'use a link name of at most 15 characters without spaces, "/" or ":"');
  }
  const host = hostname(at(4));
  const dns = [ip('dns0-ip', at(7)), ip('dns1-ip', at(8))].filter((s): s is string => s !== undefined);
  const ntp = [ip('ntp0-ip', at(9))].filter((s): s is string => s !== undefined);
  return {
    ...(address === undefined ? {} : { address }),
    ...(gateway === undefined ? {} : { gateway }),
    ...(host === undefined ? {} : { hostname: host }),
    ...(device === '' ? {} : { device }),
    dns,
    ntp,
  };
}

/**
 * Parses the network settings of a kernel command line: the first `ip=` argument in the kernel's nfsroot form
 * `<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>:<dns0-ip>:<dns1-ip>:<ntp0-ip>` (any field
 * may be empty; the netmask is dotted or a prefix length; `ip=dhcp`, `ip=off` and the like carry nothing), and
 * `talos.hostname=`, which the hostname field of `ip=` overrides. Never throws: a bad value is an error result.
 */
export function parseCmdlineNetwork(cmdline: string): CmdlineParse {
  let network: CmdlineNetwork = { dns: [], ntp: [] };
  const talosHostname = cmdlineArg(cmdline, 'talos.hostname');
  const ipArg = cmdlineArg(cmdline, 'ip');
  let argument = 'talos.hostname';
  try {
    if (talosHostname !== undefined) {
      const h = hostname(talosHostname);
      if (h !== undefined) network = { ...network, hostname: h };
    }
    if (ipArg !== undefined) {
      argument = 'ip';
      const parsed = parseIpArg(ipArg);
      network = { ...network, ...parsed };
    }
    return { ok: true, network };
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    const message = `kernel argument ${argument}=: ${e.field} ${JSON.stringify(e.value)} is invalid: ${e.fix}`;
    return { ok: false, error: { argument, field: e.field, value: e.value, message } };
  }
}

/**
 * The parsed network settings of `cmdline` for one controller: the settings, or undefined when the command line is
 * invalid, in which case the first call logs why (warn) and later calls stay silent.
 */
export function cmdlineNetworkOnce(
  cmdline: string,
  logger: Logger,
  controller: string,
): () => CmdlineNetwork | undefined {
  const parsed = parseCmdlineNetwork(cmdline);
  let logged = false;
  return () => {
    if (parsed.ok) return parsed.network;
    if (!logged) {
      logged = true;
      logger.log('warn', controller, `${parsed.error.message}; ignoring the kernel network settings`);
    }
    return undefined;
  };
}
