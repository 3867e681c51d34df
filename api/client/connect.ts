// From a talosconfig context and the -e/-n flags to the nodes a command acts on, and the credentials to reach them.
import type { NodeTls } from './diagnose.js';
import { parseEndpoint } from './endpoint.js';
import type { Target } from './nodes.js';
import { loadTalosconfig, selectContext, TalosconfigError, type TalosconfigContext } from './talosconfig.js';

/** Where a command connects to, as the global flags and the command's own say. */
export interface ConnectRequest {
  /** The talosconfig path. */
  readonly talosconfig: string;
  readonly context?: string | undefined;
  /** -e: used when no node is given (the first one). */
  readonly endpoints: readonly string[];
  /** -n: every node is dialled directly. */
  readonly nodes: readonly string[];
  /** Maintenance mode: server TLS without verifying the node and without a client certificate. */
  readonly insecure?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The targets and credentials of a command. */
export interface ResolvedConnection {
  readonly targets: Target[];
  readonly tls: NodeTls;
}

/** Decodes a base64 PEM field of a context (plain PEM is taken too); names the context and field when it is not. */
export function decodePem(value: string | undefined, field: string, context: string): string {
  if (value === undefined || value.trim() === '') {
    throw new TalosconfigError(
      `context "${context}" has no ${field}: it needs ca, crt and key for mutual TLS (use --insecure only for a node in maintenance mode)`,
    );
  }
  const text = value.trimStart().startsWith('-----BEGIN') ? value : Buffer.from(value, 'base64').toString('utf8');
  if (!text.trimStart().startsWith('-----BEGIN')) {
    throw new TalosconfigError(`context "${context}": ${field} is not base64-encoded PEM`);
  }
  return text;
}

/** The targets: the -n nodes (each its own endpoint), else the context's nodes, else the first endpoint. */
export function resolveTargets(
  flags: { endpoints: readonly string[]; nodes: readonly string[] },
  context: TalosconfigContext | undefined,
): Target[] {
  const nodes = flags.nodes.length > 0 ? flags.nodes : (context?.nodes ?? []);
  if (nodes.length > 0) return [...new Set(nodes)].map((n) => ({ node: n, endpoint: parseEndpoint(n) }));
  const endpoints = flags.endpoints.length > 0 ? flags.endpoints : (context?.endpoints ?? []);
  const first = endpoints[0];
  if (first === undefined) {
    throw new TalosconfigError(
      'no node to talk to: give -n NODE (or -e ENDPOINT), or store them with `osctl config node` / `osctl config endpoint`',
    );
  }
  return [{ node: first, endpoint: parseEndpoint(first) }];
}

/** Reads the talosconfig (optional with --insecure when -n or -e is given) and resolves targets and credentials. */
export async function resolveConnection(r: ConnectRequest): Promise<ResolvedConnection> {
  const haveTargets = r.nodes.length > 0 || r.endpoints.length > 0;
  if (r.insecure === true && haveTargets) return { targets: resolveTargets(r, undefined), tls: { mode: 'insecure' } };
  const cfg = await loadTalosconfig(r.talosconfig, r.signal);
  const { name, context } = selectContext(cfg, r.talosconfig, r.context);
  const targets = resolveTargets(r, context);
  if (r.insecure === true) return { targets, tls: { mode: 'insecure' } };
  const tls: NodeTls = {
    mode: 'mtls',
    ca: decodePem(context.ca, 'ca', name),
    crt: decodePem(context.crt, 'crt', name),
    key: decodePem(context.key, 'key', name),
  };
  return { targets, tls };
}
