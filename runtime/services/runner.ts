// The contract between the service supervisor and what runs a service's workload (a process, a containerd task).

/** How a run of a workload ended. */
export interface ExitInfo {
  /** The exit code, when it exited by itself. */
  readonly code: number | null;
  /** The signal name that ended it (`SIGKILL`), when a signal did. */
  readonly signal: string | null;
  /** For people: `exited with code 1`, `killed by SIGKILL`, `containerd lost the task: …`. */
  readonly reason: string;
}

/** Where a workload's stdout and stderr go (the service's on-disk log). */
export interface LogSink {
  write(chunk: Buffer): void;
}

/** A started run of a workload. */
export interface RunningHandle {
  /** The workload's pid as this node sees it. */
  readonly pid: number;
  /** Settles when the workload has ended, however it ended. Never rejects. */
  readonly exited: Promise<ExitInfo>;
  /**
   * Asks the workload to stop: SIGTERM, then SIGKILL once `graceMs` has passed. Resolves with how it ended, once it
   * has; calling it after the workload ended resolves with that ending.
   */
  stop(graceMs: number): Promise<ExitInfo>;
}

/** Runs one kind of workload; `start` may be called again after a run ends (a restart). */
export interface Runner {
  /** For people and events: `process /usr/bin/containerd`, `container system/etcd`. */
  readonly description: string;
  /**
   * Starts a new run writing its output to `log`. Resolves once it is started (its pid known); rejects with an Error
   * whose message says why it could not start (binary or root filesystem missing, containerd unreachable), which the
   * supervisor shows as the Failed event's message.
   */
  start(log: LogSink, signal: AbortSignal): Promise<RunningHandle>;
}
