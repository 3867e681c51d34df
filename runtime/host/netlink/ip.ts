// IPv4 and IPv6 addresses between their text form and the network-order bytes netlink carries.
import { isIPv4, isIPv6 } from 'node:net';

/** Address family numbers as the kernel uses them. */
export const AF_INET = 2;
/** IPv6 address family. */
export const AF_INET6 = 10;

/** The address family of a textual IP address; throws on anything else. */
export function familyOf(address: string): typeof AF_INET | typeof AF_INET6 {
  if (isIPv4(address)) return AF_INET;
  if (isIPv6(address)) return AF_INET6;
  throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
}

/** The four octets of a dotted quad (valid: familyOf checked it), read by hand: no split, no strings made. */
function v4Bytes(address: string, out: Buffer, at: number): void {
  let octet = 0;
  let i = at;
  for (let k = 0; k < address.length; k++) {
    const c = address.charCodeAt(k);
    if (c === 46 /* . */) {
      out[i++] = octet;
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  out[i] = octet;
}

/** The 4 or 16 bytes of an IP address in network order. */
export function ipToBytes(address: string): Buffer {
  const family = familyOf(address);
  const b = Buffer.alloc(family === AF_INET ? 4 : 16);
  writeIp(address, family, b, 0);
  return b;
}

/** Writes the 4 (AF_INET) or 16 (AF_INET6) bytes of `address`, of the family {@link familyOf} gave, at `at`. */
export function writeIp(address: string, family: typeof AF_INET | typeof AF_INET6, out: Buffer, at: number): void {
  if (family === AF_INET) {
    v4Bytes(address, out, at);
    return;
  }
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const [head = '', tail] = text.split('::');
  const group = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = group(head);
  const right = tail === undefined ? [] : group(tail);
  const last = right.length > 0 ? right : left;
  let v4tail = false;
  if (last.length > 0 && last[last.length - 1]?.includes('.') === true) {
    v4Bytes(last.pop() ?? '', out, at + 12);
    v4tail = true;
  }
  const words = [...left, ...Array<string>(8 - (v4tail ? 2 : 0) - left.length - right.length).fill('0'), ...right];
  words.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), at + i * 2));
}

/** The text form of 4 or 16 network-order bytes (IPv6 compressed as RFC 5952 recommends). */
export function bytesToIp(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) throw new TypeError(`an IP address has 4 or 16 bytes, not ${b.length}`);
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(i * 2));
  // The longest run of two or more zero words is written as "::" (the first such run on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

/** The all-zero address of a family ("0.0.0.0" or "::"). */
export function anyAddress(family: number): string {
  return family === AF_INET6 ? '::' : '0.0.0.0';
}
