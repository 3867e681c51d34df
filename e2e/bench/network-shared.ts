// What the network bench parent and its child in the namespace agree on: the bench link and the addresses and routes.

/** The bench link: one end of a veth pair the parent makes in each namespace. */
export const LINK = 'bn0';

/** The i-th bench /32 address, 10.65.x.y. */
export function benchAddress(i: number): string {
  return `10.65.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** The i-th bench route destination, 10.100.i.0/24 (then 10.101.x.0/24 past 255). */
export function benchRoute(i: number): string {
  return `10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`;
}
