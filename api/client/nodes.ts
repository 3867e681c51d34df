// Fan-out: one connection per node (each node is dialled directly as its own endpoint), per-node results and errors.
import { NodeConnection } from './connection.js';
import type { NodeTls } from './diagnose.js';
import type { Endpoint } from './endpoint.js';
import { MachineClient } from './machine-client.js';
import { StateClient, type StateClientOptions } from './state-client.js';

/** One node to act on: its name as the user gave it, and where to dial it. */
export interface Target {
  readonly node: string;
  readonly endpoint: Endpoint;
}

/** The clients of one node. */
export interface NodeClients {
  readonly node: string;
  readonly connection: NodeConnection;
  readonly state: StateClient;
  readonly machine: MachineClient;
}

/** The outcome of a call on one node. */
export type NodeResult<T> =
  | { readonly node: string; readonly ok: true; readonly value: T }
  | { readonly node: string; readonly ok: false; readonly error: Error };

/** Options of a {@link NodeSet}. */
export interface NodeSetOptions extends StateClientOptions {
  readonly targets: readonly Target[];
  readonly tls: NodeTls;
  /** Deadline of unary calls (default 30 s). */
  readonly timeoutMs?: number | undefined;
}

/** Connections to a set of nodes; `each` runs a call on all of them at once. Close it when done. */
export class NodeSet {
  readonly nodes: readonly NodeClients[];

  constructor(o: NodeSetOptions) {
    this.nodes = o.targets.map((t) => {
      const connection = new NodeConnection({
        node: t.node,
        endpoint: t.endpoint,
        tls: o.tls,
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      });
      return {
        node: t.node,
        connection,
        state: new StateClient(connection, o),
        machine: new MachineClient(connection),
      };
    });
  }

  /** True when the call goes to more than one node (output then names the node on every row). */
  get several(): boolean {
    return this.nodes.length > 1;
  }

  /** Runs `fn` on every node concurrently; results in node order, failures as values (never rejects). */
  each<T>(fn: (n: NodeClients) => Promise<T>): Promise<NodeResult<T>[]> {
    return Promise.all(
      this.nodes.map(async (n): Promise<NodeResult<T>> => {
        try {
          return { node: n.node, ok: true, value: await fn(n) };
        } catch (e: unknown) {
          return { node: n.node, ok: false, error: e instanceof Error ? e : new Error(String(e)) };
        }
      }),
    );
  }

  /** Closes every connection. */
  close(): void {
    for (const n of this.nodes) n.connection.close();
  }
}
