// The apply-config engine: validates a new machine config and applies it live, with a reboot, staged, or on trial.
import {
  ACTIVE_CONFIG_ID,
  validateMachineConfig,
  type ConfigIssue,
  type State,
  type ValidationMode,
} from '../../resources/index.js';
import { errorMessage, realClock, silentLogger, type Clock, type Logger } from '../controller/index.js';
import { changedPaths, configDiff, rebootRequired } from './config-diff.js';
import { PERSISTENT_ID, readConfig, removeConfig, writeConfig } from './config-store.js';

/** How a new config takes effect (talosctl's apply-config modes). */
export type ApplyMode = 'auto' | 'no-reboot' | 'reboot' | 'staged' | 'try';

/** One apply-config request. */
export interface ApplyRequest {
  /** The parsed config document. */
  readonly config: unknown;
  readonly mode: ApplyMode;
  /** Validate and diff only; change nothing. */
  readonly dryRun?: boolean;
  /** For `try`: revert after this long unless another config is applied (default 60 s). */
  readonly tryTimeoutMs?: number;
}

/** What an apply did (or, on a dry run, would do). */
export interface ApplyResult {
  /** The mode that was used (`auto` resolved to `no-reboot` or `reboot`). */
  readonly mode: Exclude<ApplyMode, 'auto'>;
  readonly dryRun: boolean;
  /**
   * Dry runs: the unified diff from the active config, secrets redacted. Empty otherwise: only a dry run shows it, and
   * a line diff of a large config costs tens of milliseconds on the path of every apply.
   */
  readonly diff: string;
  readonly changed: readonly string[];
  readonly rebootRequired: readonly string[];
  readonly warnings: readonly ConfigIssue[];
  /** One line for a person. */
  readonly message: string;
}

/** A valid config that cannot be applied in the requested mode; nothing was changed. */
export class ApplyRefusedError extends Error {
  override readonly name = 'ApplyRefusedError';
  readonly code = 'ApplyRefused' as const;
  constructor(readonly fields: readonly string[]) {
    super(
      `these changes need a reboot, which mode no-reboot does not allow: ${fields.join(', ')}; apply with mode reboot, auto or staged`,
    );
  }
}

/** Options of {@link ConfigApplier}. */
export interface ApplierOptions {
  readonly mode: ValidationMode;
  /** Called after a config that needs a reboot has been stored. */
  readonly reboot: () => void;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** Applies configs to one node's store. One instance per node; `close` cancels a pending trial. */
export class ConfigApplier {
  private trial: { readonly abort: AbortController; readonly previous: unknown } | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly state: State,
    private readonly opts: ApplierOptions,
  ) {
    this.clock = opts.clock ?? realClock;
  }

  /** Validates (throwing ConfigValidationError / ApplyRefusedError with nothing changed), then applies. */
  async apply(req: ApplyRequest): Promise<ApplyResult> {
    const { config, warnings } = validateMachineConfig(req.config, { mode: this.opts.mode, strict: false });
    const current = await readConfig(this.state, ACTIVE_CONFIG_ID);
    const changed = changedPaths(current?.spec, config);
    // The first config (maintenance mode) is applied live: there is nothing running to restart.
    const needReboot = current === undefined ? [] : rebootRequired(changed);
    const mode = req.mode === 'auto' ? (needReboot.length > 0 ? 'reboot' : 'no-reboot') : req.mode;
    if ((mode === 'no-reboot' || mode === 'try') && needReboot.length > 0) throw new ApplyRefusedError(needReboot);
    const result = (message: string): ApplyResult => ({
      mode,
      dryRun: req.dryRun === true,
      diff: req.dryRun === true ? configDiff(current?.spec, config) : '',
      changed,
      rebootRequired: needReboot,
      warnings,
      message,
    });
    if (req.dryRun === true) return result(`dry run: would apply in mode ${mode}; nothing changed`);
    if (mode !== 'staged') this.endTrial();
    switch (mode) {
      case 'staged':
        await writeConfig(this.state, PERSISTENT_ID, config);
        return result('staged: the config is used from the next reboot on');
      case 'try':
        await this.startTrial(current?.spec, config, req.tryTimeoutMs ?? 60_000);
        return result(
          `applied on trial: reverted in ${Math.round((req.tryTimeoutMs ?? 60_000) / 1000)} s unless another config is applied`,
        );
      case 'no-reboot':
      case 'reboot':
        // On disk first, then live: a crash in between boots into the config the user applied, and the reply does not
        // wait behind the controllers the live config sets to work.
        if (config.persist !== false) await writeConfig(this.state, PERSISTENT_ID, config);
        await writeConfig(this.state, ACTIVE_CONFIG_ID, config);
        if (mode === 'reboot') {
          this.opts.reboot();
          return result('applied; the node is rebooting');
        }
        return result(changed.length === 0 ? 'no changes' : 'applied without a reboot');
    }
  }

  /** True while a `try` config waits for its timeout. */
  get trialPending(): boolean {
    return this.trial !== undefined;
  }

  /** Cancels a pending trial (keeping the trial config active). */
  close(): void {
    this.endTrial();
  }

  private endTrial(): void {
    this.trial?.abort.abort();
    this.trial = undefined;
  }

  private async startTrial(previous: unknown, config: unknown, timeoutMs: number): Promise<void> {
    await writeConfig(this.state, ACTIVE_CONFIG_ID, config);
    const abort = new AbortController();
    const trial = { abort, previous };
    this.trial = trial;
    const logger = this.opts.logger ?? silentLogger;
    void this.clock
      .sleep(timeoutMs, abort.signal)
      .then(async () => {
        if (abort.signal.aborted || this.trial !== trial) return;
        this.trial = undefined;
        // The persistent copy was never touched, so a crash during the trial also comes back on the old config.
        if (previous === undefined) await removeConfig(this.state, ACTIVE_CONFIG_ID);
        else await writeConfig(this.state, ACTIVE_CONFIG_ID, previous);
        logger.log(
          'warn',
          'machined',
          `trial config not confirmed within ${timeoutMs} ms: reverted to the previous config`,
        );
      })
      .catch((e: unknown) => {
        logger.log('error', 'machined', `reverting the trial config failed: ${errorMessage(e)}`);
      });
  }
}
