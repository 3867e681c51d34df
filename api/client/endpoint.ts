// Endpoints of the node API: `host`, `host:port`, `[v6]:port` or an IPv6 address, with the default port 50000.
import { isIP } from 'node:net';

/** The port the node API listens on unless an endpoint names another (as Talos's apid). */
export const DEFAULT_API_PORT = 50000;

/** One node API address: the host (IPv6 without brackets) and the port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** An endpoint that cannot be parsed; names the text and the forms accepted. */
export class InvalidEndpointError extends Error {
  override readonly name = 'InvalidEndpointError';
  readonly code = 'InvalidEndpoint' as const;
  constructor(readonly text: string) {
    super(
      `endpoint ${JSON.stringify(text)} is not host, host:port, [IPv6]:port or an IPv6 address; e.g. 10.5.0.2 or 10.5.0.2:${DEFAULT_API_PORT}`,
    );
  }
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Parses an endpoint as a person types it; `https://` and a trailing `/` are accepted and dropped. */
export function parseEndpoint(text: string): Endpoint {
  const t = text
    .trim()
    .replace(/^(?:https?|grpcs?):\/\//, '')
    .replace(/\/$/, '');
  if (isIP(t) !== 0) return { host: t, port: DEFAULT_API_PORT };
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(t);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? DEFAULT_API_PORT : Number(m[3]);
  if (host === undefined || port < 1 || port > 65535) throw new InvalidEndpointError(text);
  if (m?.[1] !== undefined ? isIP(host) !== 6 : isIP(host) === 0 && !HOST.test(host)) {
    throw new InvalidEndpointError(text);
  }
  return { host, port };
}

/** `host:port`, with brackets around an IPv6 host: the address a person reads and grpc-js dials. */
export function endpointAddress(e: Endpoint): string {
  return `${isIP(e.host) === 6 ? `[${e.host}]` : e.host}:${e.port}`;
}
