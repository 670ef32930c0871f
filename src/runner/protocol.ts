/**
 * Messages between the runner (parent) and its worker processes, over the IPC channel of
 * child_process.fork with `serialization: 'advanced'` (structured clone: NaN and Infinity in a
 * diverged run's metrics survive the trip, which JSON would turn into null).
 *
 * A worker loads the backend and dataset once, then trains the runs it is sent one at a time and
 * reports every epoch and the final result. It never writes files: the parent does all writing.
 */
import type { BackendName, RunSpec } from '../config/types.js';
import type { ProblemKind } from '../errors.js';
import type { BatchProgress, EpochResult, RunResult } from '../train/trainer.js';
import type { SavedModelFiles } from '../models/saved.js';

/** What a worker needs to prepare before its first run. */
export interface WorkerInit {
  backend: BackendName;
  dataset: string;
  dataDir?: string;
  standardize: boolean;
  /** Send each completed run's final model back with its result (`run --save-models`). */
  saveModels?: boolean;
}

export type ToWorker =
  | { type: 'init'; init: WorkerInit }
  | { type: 'run'; spec: RunSpec }
  /** Stop the current run after its current batch (Ctrl-C in the parent). */
  | { type: 'stop' };

export interface BackendInfo {
  name: string;
  gpu: boolean;
  notes: string[];
}

export type FromWorker =
  /** Sent every HEARTBEAT_ENV milliseconds while the process is alive and its event loop runs. */
  | { type: 'heartbeat' }
  | { type: 'ready'; backend: BackendInfo; dataset: { name: string; source: unknown } }
  /**
   * The backend or dataset could not be loaded: a problem of the grid, not of one run. `kind` is the
   * `UserError`'s kind (absent for any other error); the parent rebuilds the error and maps it to an exit code.
   */
  | { type: 'init-failed'; message: string; hint?: string; kind?: ProblemKind }
  | { type: 'batch'; id: string; progress: BatchProgress }
  | { type: 'epoch'; id: string; result: EpochResult }
  /** The run ended: `result` is null when training threw (`status` is then 'failed'). */
  | {
      type: 'done';
      id: string;
      status: RunResult['status'] | 'failed';
      message?: string;
      result: RunResult | null;
      model?: SavedModelFiles;
    };

/** A worker's heartbeat interval in milliseconds, set in its environment by the parent. */
export const HEARTBEAT_ENV = 'NRELU_BENCH_HEARTBEAT_MS';

/**
 * How long a worker may stay silent (no heartbeat, no message) before the parent kills it and fails
 * its run: 10 minutes by default (`run --worker-timeout <s>`), far above the longest pause of a healthy
 * worker (it sends a heartbeat every few seconds even while an epoch trains), so only a frozen or
 * stopped process (e.g. `kill -STOP`) reaches it.
 */
export const DEFAULT_WORKER_TIMEOUT_S = 600;

/** Set in a worker's environment; the worker module refuses to start without it. */
export const WORKER_ENV = 'NRELU_BENCH_WORKER';

/**
 * For tests: a worker holds this run (by id) after its first epoch until it is killed, so a test
 * can kill a worker mid-run without depending on timing.
 */
export const HOLD_ENV = 'NRELU_BENCH_TEST_HOLD_RUN';

/** For tests: a worker fails this run (by id) with an error after its first epoch, as a crash in training would. */
export const FAIL_ENV = 'NRELU_BENCH_TEST_FAIL_RUN';
/**
 * Test hook: the run with this id provokes a WebGPU validation error after its first epoch (the
 * next health check in the trainer must end it as failed, naming the error).
 */
export const WEBGPU_FAULT_ENV = 'NRELU_BENCH_TEST_WEBGPU_FAULT_RUN';
