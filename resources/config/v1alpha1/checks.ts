// Value checks for config strings (addresses, names, URLs, paths): each returns what is wrong and how to fix it, or undefined.
import { decodeBase64 } from './pem.js';
import { formatCidr, hasHostBits, maxPrefix, networkOf, parseCidr, parseIp } from './net.js';

/** A check of one value: undefined when fine, else a message naming the value and what would be right. */
export type Check<T> = (value: T) => string | undefined;

const q = (s: string): string => JSON.stringify(s);

/** An address with prefix length (or, as in Talos, a bare address meaning a host address). */
export const checkAddress: Check<string> = (s) => {
  if (parseCidr(s, true) !== undefined) return undefined;
  return `${q(s)} is not a valid CIDR (expected an address and prefix length such as 10.5.0.2/24)`;
};

/** A network in CIDR notation with no host bits set, e.g. 10.244.0.0/16. */
export const checkSubnet: Check<string> = (s) => {
  const c = parseCidr(s);
  if (c === undefined) {
    const ip = parseIp(s.split('/')[0] ?? '');
    if (ip !== undefined && s.includes('/')) {
      return `${q(s)} is not a valid CIDR: the prefix length of an IPv${ip.family} network is 0 to ${maxPrefix(ip)}`;
    }
    return `${q(s)} is not a valid CIDR (expected a network and prefix length such as 10.244.0.0/16)`;
  }
  if (hasHostBits(c)) return `${q(s)} has host bits set; did you mean ${formatCidr(networkOf(c))}?`;
  return undefined;
};

/** A subnet filter: a CIDR or an address, optionally negated with a leading `!` (e.g. !10.0.0.0/8). */
export const checkSubnetMatch: Check<string> = (s) => {
  const body = s.startsWith('!') ? s.slice(1) : s;
  if (parseCidr(body, true) !== undefined) return undefined;
  return `${q(s)} is not a valid subnet (expected a CIDR such as 10.5.0.0/24, or !10.0.0.0/8 to exclude one)`;
};

/** An IPv4 or IPv6 address without prefix. */
export const checkIp: Check<string> = (s) => {
  if (parseIp(s) !== undefined) return undefined;
  if (parseCidr(s) !== undefined) return `${q(s)} is a CIDR; expected a plain address such as ${s.split('/')[0] ?? ''}`;
  return `${q(s)} is not a valid IP address (expected IPv4 such as 10.5.0.1 or IPv6 such as fd00::1)`;
};

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A DNS name: dot-separated labels of letters, digits and inner hyphens, each 1-63 characters, 253 in all. */
export const checkHostname: Check<string> = (s) => {
  if (s === '') return 'is empty; expected a hostname such as worker-1 or worker-1.example.com';
  if (s.length > 253) return `${q(s.slice(0, 40) + '...')} is ${s.length} characters long; a hostname has at most 253`;
  for (const label of (s.endsWith('.') ? s.slice(0, -1) : s).split('.')) {
    if (LABEL.test(label)) continue;
    if (label === '') return `${q(s)} has an empty label (two dots in a row, or a leading dot)`;
    if (label.length > 63) return `${q(s)} has a label of ${label.length} characters; each label has at most 63`;
    const fix = label.replace(/[^a-z0-9-]/gi, '-').replace(/^-+|-+$/g, '') || 'node-1';
    return `${q(s)} is not a valid hostname: label ${q(label)} may hold only letters, digits and inner hyphens (e.g. ${fix})`;
  }
  return undefined;
};

/** A certificate subject alternative name: an IP address or a DNS name, which may start with `*.`. */
export const checkSan: Check<string> = (s) => {
  if (parseIp(s) !== undefined) return undefined;
  const name = s.startsWith('*.') ? s.slice(2) : s;
  if (checkHostname(name) === undefined) return undefined;
  return `${q(s)} is neither an IP address nor a DNS name (e.g. 10.5.0.2 or api.example.com)`;
};

function checkUrl(s: string, schemes: readonly string[], example: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return `${q(s)} is not a URL (expected e.g. ${example})`;
  }
  if (!schemes.includes(u.protocol)) {
    const list = schemes.map((p) => p.slice(0, -1)).join(' or ');
    return `${q(s)} uses ${u.protocol.slice(0, -1)}; expected ${list} (e.g. ${example})`;
  }
  if (u.hostname === '') return `${q(s)} has no host (expected e.g. ${example})`;
  return undefined;
}

/** An https URL with a host, e.g. https://10.5.0.2:6443. */
export const checkHttpsUrl: Check<string> = (s) => checkUrl(s, ['https:'], 'https://10.5.0.2:6443');

/** An http or https URL with a host (registry mirrors may be plain-HTTP caches on the local network). */
export const checkMirrorUrl: Check<string> = (s) =>
  checkUrl(s, ['https:', 'http:'], 'https://mirror.example.com or http://10.5.0.1:5000');

/** An absolute path. */
export const checkAbsolutePath: Check<string> = (s) =>
  s.startsWith('/') ? undefined : `${q(s)} is not an absolute path (expected e.g. /var/etc/example.conf)`;

/** A block device path under /dev. */
export const checkDevicePath: Check<string> = (s) =>
  /^\/dev\/[^\s]+$/.test(s) ? undefined : `${q(s)} is not a device path (expected e.g. /dev/sda or /dev/nvme0n1)`;

/** A Go duration such as 30s, 2m or 1h30m. */
export const checkDuration: Check<string> = (s) =>
  /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/.test(s)
    ? undefined
    : `${q(s)} is not a duration (expected e.g. 30s, 2m or 1h30m)`;

/** A container image reference without spaces, e.g. ghcr.io/example/kubelet:v1.30.0. */
export const checkImage: Check<string> = (s) =>
  /^[a-z0-9][^\s]*$/.test(s)
    ? undefined
    : `${q(s)} is not an image reference (expected e.g. ghcr.io/siderolabs/kubelet:v1.30.0)`;

/** A Linux link name: 1-15 bytes, no slash, colon or whitespace. */
export const checkLinkName: Check<string> = (s) => {
  if (s !== '' && Buffer.byteLength(s) <= 15 && !/[\s/:]/.test(s) && s !== '.' && s !== '..') return undefined;
  return `${q(s)} is not a valid interface name (1 to 15 characters without "/", ":" or spaces, e.g. eth0)`;
};

/** A kernel module name. */
export const checkModuleName: Check<string> = (s) =>
  /^[A-Za-z0-9_-]+$/.test(s)
    ? undefined
    : `${q(s)} is not a kernel module name (letters, digits, _ and -, e.g. br_netfilter)`;

/** A module parameter `name=value`. */
export const checkModuleParameter: Check<string> = (s) =>
  /^[A-Za-z0-9_.-]+=\S*$/.test(s)
    ? undefined
    : `${q(s)} is not a module parameter (expected name=value, e.g. nf_conntrack_max=131072)`;

/** A sysctl name: at least two segments separated by dots or slashes, e.g. net.ipv4.ip_forward. */
export const checkSysctlName: Check<string> = (s) =>
  /^[A-Za-z0-9_-]+([./][A-Za-z0-9_-]+)+$/.test(s)
    ? undefined
    : `sysctl name ${q(s)} is malformed (expected dot-separated words such as net.ipv4.ip_forward)`;

/** An environment variable name. */
export const checkEnvName: Check<string> = (s) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? undefined : `${q(s)} is not an environment variable name (e.g. HTTPS_PROXY)`;

/** A time source: an NTP server name or address, or a PTP device under /dev. */
export const checkTimeServer: Check<string> = (s) =>
  s.startsWith('/dev/') || parseIp(s) !== undefined || checkHostname(s) === undefined
    ? undefined
    : `${q(s)} is not a time server (expected a hostname such as time.cloudflare.com, an IP, or /dev/ptp0)`;

/** A Kubernetes bootstrap token: six and sixteen lowercase letters or digits joined by a dot. */
export const checkBootstrapToken: Check<string> = (s) =>
  /^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(s)
    ? undefined
    : 'is not a bootstrap token (expected 6 and 16 lowercase letters or digits joined by a dot, like abcdef.0123456789abcdef)';

/** A machine join token: no whitespace. */
export const checkMachineToken: Check<string> = (s) =>
  /^\S+$/.test(s) ? undefined : 'is not a token (expected one word without spaces, like abcdef.0123456789abcdef)';

/** Base64 text (a cluster id or secret). */
export const checkBase64: Check<string> = (s) =>
  decodeBase64(s) !== undefined ? undefined : 'is not base64 (generate one with `head -c 32 /dev/urandom | base64`)';

/** Base64 of exactly 32 bytes: a secretbox key. */
export const checkKey32: Check<string> = (s) => {
  const b = decodeBase64(s);
  if (b === undefined) return 'is not base64 (generate one with `head -c 32 /dev/urandom | base64`)';
  if (b.length !== 32)
    return `decodes to ${b.length} bytes; a secretbox key is 32 (use \`head -c 32 /dev/urandom | base64\`)`;
  return undefined;
};

/** A file mode: an integer 0 to 0o7777; catches octal modes written without the leading 0 (644 for 0644). */
export const checkFileMode: Check<number> = (n) => {
  if (!Number.isInteger(n) || n < 0 || n > 0o7777) {
    return `${n} is not a file mode (expected an octal number 0 to 07777, e.g. 0644 or 0o644)`;
  }
  if (n >= 0o1000 && n <= 777 && /^[0-7]+$/.test(String(n))) {
    return `${n} is the decimal number ${n} (octal 0${n.toString(8)}); write the mode in octal with a leading 0, e.g. 0${n} or 0o${n}`;
  }
  return undefined;
};
