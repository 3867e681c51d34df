// The types of system services: what a service is (its definition) and what the supervisor reports about it (snapshots).
import { InvariantError, ServiceStateSchema, type ServiceStateName } from '../../resources/index.js';
import type { Runner } from './runner.js';

/** The states of a service, as `osctl services` shows them (the same names as the established system). */
export type ServiceState = ServiceStateName;

/** Every state, in lifecycle order (the Service resource's schema holds the list). */
export const SERVICE_STATES: readonly ServiceState[] = ServiceStateSchema.options;

/**
 * When the supervisor starts a service again after its workload ended by itself: `Forever` after any exit,
 * `UntilSuccess` until it exits with code 0 (then Finished), `Once` never.
 */
export type RestartPolicy = 'Forever' | 'Once' | 'UntilSuccess';

/** Something outside the services that must hold before a service starts ("network ready", "time synced"). */
export interface ServiceCondition {
  /** For people, in the Waiting message: `waiting for condition network ready`. */
  readonly name: string;
  /** Resolves once the condition holds; must settle soon after `signal` aborts. A rejection fails the start. */
  wait(signal: AbortSignal): Promise<void>;
}

/** How the supervisor tells whether a running service works. */
export interface HealthCheck {
  /** Resolves when healthy; throws an Error whose message says what is wrong when not. */
  check(signal: AbortSignal): Promise<void>;
  /** Delay from Running to the first check (default 1000 ms). */
  readonly initialDelayMs?: number;
  /** Delay between the end of a check and the next one (default 5000 ms). */
  readonly periodMs?: number;
  /** A check that takes longer counts as unhealthy (default 500 ms); its signal aborts then. */
  readonly timeoutMs?: number;
}

/** A system service: what runs, what it needs first, and how it is restarted and checked. */
export interface ServiceDefinition {
  /** Unique name; also the log file's name (`<logDir>/<id>.log`): lowercase letters, digits, `.`, `_`, `-`. */
  readonly id: string;
  readonly description?: string;
  /**
   * Services that must be Running, and healthy when they have a health check, before this one starts. Only the
   * start waits for them: a dependency that stops or dies later leaves its dependents running (as in Talos); they
   * see the outage through their own health checks and exits.
   */
  readonly dependsOn?: readonly string[];
  /** Conditions that must hold before this one starts (after its dependencies' wait begins; all are awaited together). */
  readonly conditions?: readonly ServiceCondition[];
  /**
   * A reason not to run this service on this node (etcd on a worker), or undefined to run it; checked at each
   * activation. A service skipped stays Skipped with that reason as its message.
   */
  skip?(): string | undefined;
  /** Work before each start (build a root filesystem); a throw fails the start with its message. */
  prepare?(signal: AbortSignal): Promise<void>;
  readonly runner: Runner;
  readonly restart: RestartPolicy;
  /** Delay before an automatic restart (default 5000 ms); it doubles while the service keeps failing fast. */
  readonly restartDelayMs?: number;
  readonly health?: HealthCheck;
  /** Time from SIGTERM to SIGKILL when the service is stopped (default 10000 ms). */
  readonly stopGraceMs?: number;
}

/** One state change (or health change) of a service. */
export interface ServiceEvent {
  readonly state: ServiceState;
  /** For people: `started, pid 123`, `exited with code 1; restarting in 5s`, `unhealthy: connection refused`. */
  readonly message: string;
  /** Milliseconds since the Unix epoch. */
  readonly tsMs: number;
}

/** What the supervisor knows about one service at one moment; immutable. */
export interface ServiceSnapshot {
  readonly id: string;
  readonly description: string;
  readonly state: ServiceState;
  /** True while its workload runs (Running, and Stopping until it ended). */
  readonly running: boolean;
  /** The workload's pid while it runs. */
  readonly pid?: number;
  /** The last check's verdict; undefined without a health check, before the first check, and when not running. */
  readonly healthy: boolean | undefined;
  /** Why it is unhealthy, `healthy`, or `not running`; empty before any check. */
  readonly healthMessage: string;
  /** When `healthy` last changed (ms since the epoch); 0 if never. */
  readonly healthChangedMs: number;
  /** The most recent state and health changes, oldest first (bounded). */
  readonly events: readonly ServiceEvent[];
  /** The message of the latest event. */
  readonly lastMessage: string;
  /** Automatic restarts since the service was registered. */
  readonly restarts: number;
  readonly dependsOn: readonly string[];
}

/** Defaults from the established system: 5 s between restarts, checks after 1 s every 5 s with a 500 ms timeout. */
export const SERVICE_DEFAULTS = {
  restartDelayMs: 5000,
  stopGraceMs: 10_000,
  healthInitialDelayMs: 1000,
  healthPeriodMs: 5000,
  healthTimeoutMs: 500,
} as const;

const ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** True when `id` is a well-formed service id (safe as a file name). */
export function isServiceId(id: string): boolean {
  return ID.test(id);
}

/** Throws an InvariantError naming the field when a definition is malformed (a bug in whoever composes services). */
export function checkDefinition(def: ServiceDefinition): void {
  const bad = (field: string, value: unknown, want: string): never => {
    throw new InvariantError(`service ${JSON.stringify(def.id)}: ${field}=${JSON.stringify(value)}: ${want}`);
  };
  if (!isServiceId(def.id))
    bad('id', def.id, 'need lowercase letters, digits, ".", "_" or "-" (it names the log file)');
  for (const d of def.dependsOn ?? []) if (d === def.id) bad('dependsOn', d, 'a service cannot depend on itself');
  const nonNegative: [string, number | undefined][] = [
    ['restartDelayMs', def.restartDelayMs],
    ['stopGraceMs', def.stopGraceMs],
    ['health.initialDelayMs', def.health?.initialDelayMs],
    ['health.periodMs', def.health?.periodMs],
    ['health.timeoutMs', def.health?.timeoutMs],
  ];
  for (const [field, v] of nonNegative) if (v !== undefined && !(v >= 0)) bad(field, v, 'need a number >= 0');
  if (!['Forever', 'Once', 'UntilSuccess'].includes(def.restart))
    bad('restart', def.restart, 'need Forever, Once or UntilSuccess');
}
