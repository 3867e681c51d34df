// The gateway rule: a route's gateway must be reachable on its own link (address subnet, declared on-link, link-local, or DHCP).
import type { z } from 'zod';
import { field, listField, report, stringField } from './common.js';
import { contains, formatIp, isLinkLocal6, maxPrefix, parseCidr, parseIp, type Cidr } from './net.js';

/** The gateway rule (see the reference): a gateway is in an address's subnet on the same link, link-local, or declared on-link. */
export function checkGateways(
  ctx: z.core.$RefinementCtx,
  link: unknown,
  name: string,
  at: readonly PropertyKey[],
): void {
  if (field(link, 'dhcp') === true) return; // the lease brings the addresses; nothing to check them against here
  const addrs = listField(link, 'addresses').flatMap((a) => {
    const c = typeof a === 'string' ? parseCidr(a, true) : undefined;
    return c === undefined ? [] : [c];
  });
  const routes = listField(link, 'routes');
  const onLink = new Set<string>();
  for (const r of routes) {
    const net = parseCidr(stringField(r, 'network') ?? '');
    const gw = stringField(r, 'gateway');
    if (net !== undefined && net.prefix === maxPrefix(net.ip) && (gw === undefined || gw === ''))
      onLink.add(formatIp(net.ip));
  }
  routes.forEach((r, i) => {
    const g = stringField(r, 'gateway');
    const gw = g === undefined ? undefined : parseIp(g);
    if (g === undefined || gw === undefined) return;
    const path = [...at, 'routes', i, 'gateway'];
    const netText = stringField(r, 'network') ?? '';
    const net = parseCidr(netText);
    if (net !== undefined && net.ip.family !== gw.family) {
      report(
        ctx,
        path,
        `${g} is IPv${gw.family} but the route's network ${netText} is IPv${net.ip.family}; use a gateway of the same family`,
        g,
      );
      return;
    }
    if (isLinkLocal6(gw) || onLink.has(formatIp(gw)) || addrs.some((a) => contains(a, gw))) return;
    const same = addrs.filter((a) => a.ip.family === gw.family);
    const onLinkFix = `or declare it on-link with a route { network: ${formatIp(gw)}/${maxPrefix(gw)} } without a gateway on ${name}`;
    if (same.length === 0) {
      report(
        ctx,
        path,
        `${g} is unreachable: ${name} has no IPv${gw.family} address; add an address in the gateway's subnet, set dhcp: true, ${onLinkFix}`,
        g,
      );
      return;
    }
    const list = same.map(show).join(', ');
    const bare = same.some((a) => a.bare) ? ' (an address without /prefix covers only itself)' : '';
    report(
      ctx,
      path,
      `${g} is not inside the subnet of any address on ${name} (${list})${bare}; use a gateway inside one of them, add an address in its subnet, ${onLinkFix}`,
      g,
    );
  });
}

function show(c: Cidr): string {
  return c.bare ? formatIp(c.ip) : `${formatIp(c.ip)}/${c.prefix}`;
}
