// The containerd gRPC methods the client calls, by short name, and signal names as containerd wants them (numbers).
import { constants } from 'node:os';
import { method } from './proto.js';

const CONTAINERS = 'containerd.services.containers.v1.Containers';
const TASKS = 'containerd.services.tasks.v1.Tasks';
/** Codecs and paths of the methods ContainerdClient calls. */
export const M = {
  version: method('containerd.services.version.v1.Version', 'Version'),
  nsCreate: method('containerd.services.namespaces.v1.Namespaces', 'Create'),
  nsList: method('containerd.services.namespaces.v1.Namespaces', 'List'),
  cGet: method(CONTAINERS, 'Get'),
  cList: method(CONTAINERS, 'List'),
  cCreate: method(CONTAINERS, 'Create'),
  cDelete: method(CONTAINERS, 'Delete'),
  tCreate: method(TASKS, 'Create'),
  tStart: method(TASKS, 'Start'),
  tDelete: method(TASKS, 'Delete'),
  tGet: method(TASKS, 'Get'),
  tList: method(TASKS, 'List'),
  tKill: method(TASKS, 'Kill'),
  tWait: method(TASKS, 'Wait'),
  tMetrics: method(TASKS, 'Metrics'),
  publish: method('containerd.services.events.v1.Events', 'Publish'),
  subscribe: method('containerd.services.events.v1.Events', 'Subscribe'),
};

/** The number of a signal given by name or number; throws for an unknown name. */
export function signalNumber(sig: number | NodeJS.Signals): number {
  if (typeof sig === 'number') return sig;
  const n = constants.signals[sig] as number | undefined;
  if (n === undefined) throw new Error(`unknown signal ${sig}`);
  return n;
}
