// Test fixture run inside a network namespace: the network spec and status controllers over real netlink, driven by JSON lines.
//
// stdin, one JSON object a line: {"put": "<LinkSpec|AddressSpec|RouteSpec>", "id": "...", "spec": {...}} writes a merged
// spec; {"delete": "<type>", "id": "..."} destroys one. stdout: one JSON line per NetworkCondition change
// ({"id", "spec"} or {"id", "destroyed": true}). The runtime stops and the process exits when stdin ends.
import { createInterface } from 'node:readline';
import {
  AddressSpecType,
  AddressStatusType,
  InMemoryState,
  LinkSpecType,
  LinkStatusType,
  NETWORK_NAMESPACE,
  NetworkConditionType,
  RouteSpecType,
  RouteStatusType,
  putResource,
} from '../../resources/index.js';
import { ControllerRuntime } from '../../runtime/index.js';
import { AddressSpecController } from './address-spec.js';
import { AddressStatusController } from './address-status.js';
import { LazyNetlink } from './kernel.js';
import { LinkSpecController } from './link-spec.js';
import { LinkStatusController } from './link-status.js';
import { RouteSpecController } from './route-spec.js';
import { RouteStatusController } from './route-status.js';

/** One command line of the fixture. */
export type FixtureCommand =
  | { readonly put: string; readonly id: string; readonly spec: unknown }
  | { readonly delete: string; readonly id: string };

/** One output line of the fixture. */
export interface FixtureCondition {
  readonly id: string;
  readonly spec?: unknown;
  readonly destroyed?: boolean;
}

const SPEC_TYPES = new Set([LinkSpecType.type, AddressSpecType.type, RouteSpecType.type]);

async function main(): Promise<void> {
  const state = new InMemoryState();
  for (const t of [
    LinkSpecType,
    AddressSpecType,
    RouteSpecType,
    NetworkConditionType,
    LinkStatusType,
    AddressStatusType,
    RouteStatusType,
  ]) {
    await state.registerType(t);
  }
  const kernel = new LazyNetlink();
  const runtime = new ControllerRuntime(state, { backoff: { baseMs: 10, maxMs: 200 } });
  runtime.register(new LinkSpecController(kernel));
  runtime.register(new AddressSpecController(kernel));
  runtime.register(new RouteSpecController(kernel));
  runtime.register(new LinkStatusController(kernel));
  runtime.register(new AddressStatusController(kernel));
  runtime.register(new RouteStatusController(kernel));

  const print = (line: FixtureCondition): void => {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  const sub = state.watchKind({ namespace: NETWORK_NAMESPACE, type: NetworkConditionType.type }).subscribe((e) => {
    if (e.type === 'created' || e.type === 'updated') print({ id: e.resource.metadata.id, spec: e.resource.spec });
    else if (e.type === 'destroyed') print({ id: e.resource.metadata.id, destroyed: true });
  });

  const ac = new AbortController();
  const running = runtime.run(ac.signal);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const cmd = JSON.parse(line) as FixtureCommand;
    const type = 'put' in cmd ? cmd.put : cmd.delete;
    if (!SPEC_TYPES.has(type)) throw new Error(`unknown spec type '${type}': use LinkSpec, AddressSpec or RouteSpec`);
    const ptr = { namespace: NETWORK_NAMESPACE, type, id: cmd.id };
    if ('put' in cmd) await putResource(state, ptr, cmd.spec);
    else await state.destroy(ptr);
  }
  ac.abort();
  await running;
  sub.unsubscribe();
}

await main();
