// Periodic health checks of a running service: each bounded by a timeout, each verdict reported to the caller.
import { errorMessage, type Clock } from '../controller/index.js';
import { SERVICE_DEFAULTS, type HealthCheck } from './service.js';

/** Reads `signal.aborted` afresh (TypeScript keeps a narrowing of the property across awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Called with each check's verdict and, when unhealthy, why. */
export type HealthReport = (healthy: boolean, message: string) => void;

/**
 * Runs one check, bounded by `timeoutMs` of `clock`: undefined when healthy, else why not. The check's signal aborts
 * when it times out or `signal` aborts; a check that ignores its signal is left behind, not awaited.
 */
export async function checkOnce(
  health: HealthCheck,
  timeoutMs: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<string | undefined> {
  const ac = new AbortController();
  const onAbort = (): void => {
    ac.abort();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const checked = health.check(ac.signal).then(
      () => ({ message: undefined }),
      (e: unknown) => ({ message: errorMessage(e) || 'health check failed' }),
    );
    const timedOut = clock
      .sleep(timeoutMs, ac.signal)
      .then(() => ({ message: ac.signal.aborted ? 'stopped' : `health check timed out after ${timeoutMs}ms` }));
    return (await Promise.race([checked, timedOut])).message;
  } finally {
    signal.removeEventListener('abort', onAbort);
    ac.abort(); // ends the timeout's sleep, or tells a late check to give up
  }
}

/**
 * Checks after the initial delay, then every period, reporting each verdict, until `signal` aborts; never reports
 * after the abort, so the caller can set the health to unknown once this has resolved.
 */
export async function runHealthChecks(
  health: HealthCheck,
  clock: Clock,
  signal: AbortSignal,
  report: HealthReport,
): Promise<void> {
  const initialDelayMs = health.initialDelayMs ?? SERVICE_DEFAULTS.healthInitialDelayMs;
  const periodMs = health.periodMs ?? SERVICE_DEFAULTS.healthPeriodMs;
  const timeoutMs = health.timeoutMs ?? SERVICE_DEFAULTS.healthTimeoutMs;
  await clock.sleep(initialDelayMs, signal);
  while (!signal.aborted) {
    const why = await checkOnce(health, timeoutMs, clock, signal);
    if (isAborted(signal)) return;
    report(why === undefined, why ?? 'healthy');
    await clock.sleep(periodMs, signal);
  }
}
