// Typed errors of node operations, each with a literal code that the API maps to a gRPC status (api/codec/errors.ts).

/** An operation this node cannot do in its role or state (a worker asked for a kubeconfig); nothing was changed. */
export class NodeStateError extends Error {
  override readonly name = 'NodeStateError';
  readonly code = 'FailedPrecondition' as const;
}

/** A host facility this node cannot reach right now (the kernel log without permission). */
export class HostUnavailableError extends Error {
  override readonly name = 'HostUnavailableError';
  readonly code = 'Unavailable' as const;
}
