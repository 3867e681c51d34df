// The record of one service's state, health and recent events, from which the supervisor's snapshots are made.
import type { Clock } from '../controller/index.js';
import type { ServiceEvent, ServiceSnapshot, ServiceState } from './service.js';

/** How many events a snapshot keeps (the newest). */
export const EVENT_HISTORY = 30;

/** Called after every state or health change with the record that changed and the event it added, if any. */
export type StatusListener = (status: ServiceStatus, event: ServiceEvent | undefined) => void;

/**
 * The mutable status of one service. Every state change and every change of the health verdict appends an event and
 * calls the listener; snapshots are immutable copies.
 */
export class ServiceStatus {
  private current: ServiceState = 'Initialized';
  private readonly history: ServiceEvent[] = [];
  private pidNow: number | undefined;
  private healthyNow: boolean | undefined;
  private healthMsg = '';
  private healthChanged = 0;
  private restartCount = 0;

  constructor(
    readonly id: string,
    private readonly description: string,
    private readonly dependsOn: readonly string[],
    private readonly clock: Clock,
    private readonly listener: StatusListener,
  ) {
    this.push('Initialized', 'registered');
  }

  /** The current state. */
  get state(): ServiceState {
    return this.current;
  }

  /** The last health verdict (undefined: unknown). */
  get healthy(): boolean | undefined {
    return this.healthyNow;
  }

  /** Moves to `state` with a message for people (an event even when the state stays the same). */
  set(state: ServiceState, message: string): void {
    this.current = state;
    this.listener(this, this.push(state, message));
  }

  /** Records the workload's pid when it starts, undefined when it ended. */
  setPid(pid: number | undefined): void {
    this.pidNow = pid;
  }

  /**
   * Records a health verdict. A change of verdict is an event (`healthy`, `unhealthy: <why>`) and notifies; the same
   * verdict with another message only updates the message. `quiet` records it without notifying: the state change
   * that follows (a run ended) publishes both at once, so no one sees a Running service that is not running.
   */
  setHealth(healthy: boolean | undefined, message: string, quiet = false): void {
    if (healthy === this.healthyNow) {
      this.healthMsg = message;
      return;
    }
    this.healthyNow = healthy;
    this.healthMsg = message;
    this.healthChanged = this.clock.now();
    const event =
      healthy === undefined ? undefined : this.push(this.current, healthy ? 'healthy' : `unhealthy: ${message}`);
    if (!quiet) this.listener(this, event);
  }

  /** Counts one automatic restart. */
  countRestart(): void {
    this.restartCount++;
  }

  /** An immutable copy of the current status. */
  snapshot(): ServiceSnapshot {
    const last = this.history[this.history.length - 1];
    return {
      id: this.id,
      description: this.description,
      state: this.current,
      running: this.pidNow !== undefined,
      ...(this.pidNow === undefined ? {} : { pid: this.pidNow }),
      healthy: this.healthyNow,
      healthMessage: this.healthMsg,
      healthChangedMs: this.healthChanged,
      events: [...this.history],
      lastMessage: last?.message ?? '',
      restarts: this.restartCount,
      dependsOn: this.dependsOn,
    };
  }

  private push(state: ServiceState, message: string): ServiceEvent {
    const event = { state, message, tsMs: this.clock.now() };
    this.history.push(event);
    if (this.history.length > EVENT_HISTORY) this.history.splice(0, this.history.length - EVENT_HISTORY);
    return event;
  }
}
