/**
 * The scheduler: trains a list of runs on up to N worker processes at once. The first worker
 * loads the backend and dataset alone (so a download happens once, and a bad backend or dataset
 * is one clear error before anything else starts); the others start once it is ready. Each worker
 * trains one run at a time; a worker that dies fails only the run it held and is replaced for the
 * next run. On a stop request no new run starts and running ones are told to stop after their
 * current batch.
 */
import { availableParallelism } from 'node:os';
import type { RunSpec } from '../config/types.js';
import type { BatchProgress, EpochResult } from '../train/trainer.js';
import { errorMessage } from '../errors.js';
import type { WorkerInit } from './protocol.js';
import { WorkerProcess, type ReadyInfo, type RunOutcome } from './worker-process.js';

export interface PoolOptions {
  /** Runs to train, in the order to start them. */
  specs: RunSpec[];
  /** Runs at once; 'auto': one per CPU core, or 1 when the backend uses a GPU. */
  jobs: number | 'auto';
  init: WorkerInit;
  shouldStop: () => boolean;
  /** Lines from the pool and the workers' own output. */
  log: (line: string) => void;
  /** Called once, when the first worker has loaded the backend and dataset, with the jobs used. */
  onReady: (info: ReadyInfo, jobs: number) => Promise<void>;
  onStart: (spec: RunSpec, pid: number | undefined) => void;
  onBatch: (spec: RunSpec, p: BatchProgress) => void;
  onEpoch: (spec: RunSpec, r: EpochResult) => void;
  onDone: (spec: RunSpec, outcome: RunOutcome) => Promise<void>;
  /** A worker silent this long while it holds a run is killed and the run fails (protocol.ts's default). */
  workerTimeoutMs?: number;
}

/** The default number of parallel runs: Slurm's CPUs per task when set, else the usable cores; 1 on a GPU. */
export function defaultJobs(gpu: boolean, env: NodeJS.ProcessEnv = process.env): number {
  if (gpu) return 1;
  const slurm = Number(env.SLURM_CPUS_PER_TASK);
  return Number.isInteger(slurm) && slurm > 0 ? slurm : availableParallelism();
}

/** Trains `specs`; resolves with the runs that were never started because of a stop request. */
export async function runPool(options: PoolOptions): Promise<{ notStarted: RunSpec[] }> {
  const queue = [...options.specs];
  if (queue.length === 0) return { notStarted: [] };
  const workers = new Set<WorkerProcess>();
  const spawn = (): WorkerProcess => {
    const w = new WorkerProcess(options.log, options.workerTimeoutMs);
    workers.add(w);
    return w;
  };
  const forwardStop = setInterval(() => {
    if (options.shouldStop()) for (const w of workers) w.stop();
  }, 100);

  try {
    const first = spawn();
    let ready: ReadyInfo;
    try {
      ready = await first.init(options.init);
    } catch (err) {
      first.kill();
      await first.close();
      throw err;
    }
    const jobs = Math.max(
      1,
      Math.min(queue.length, options.jobs === 'auto' ? defaultJobs(ready.backend.gpu) : options.jobs),
    );
    await options.onReady(ready, jobs);

    const slot = async (initial: WorkerProcess | null): Promise<void> => {
      let worker = initial;
      while (queue.length > 0 && !options.shouldStop()) {
        const spec = queue.shift() as RunSpec;
        if (!worker?.alive) {
          if (worker) workers.delete(worker);
          worker = spawn();
          try {
            await worker.init(options.init);
          } catch (err) {
            // Killed here, its exit is processed later: drop it now so the next run never goes to it.
            worker.kill();
            workers.delete(worker);
            worker = null;
            await options.onDone(spec, {
              status: 'failed',
              message: `could not start a worker process: ${errorMessage(err)}`,
              result: null,
            });
            continue;
          }
          if (options.shouldStop()) {
            queue.unshift(spec);
            break;
          }
        }
        options.onStart(spec, worker.pid);
        const outcome = await worker.run(spec, {
          onBatch: (p) => options.onBatch(spec, p),
          onEpoch: (r) => options.onEpoch(spec, r),
        });
        await options.onDone(spec, outcome);
      }
      if (worker) await worker.close();
    };
    await Promise.all([slot(first), ...Array.from({ length: jobs - 1 }, () => slot(null))]);
    return { notStarted: queue };
  } finally {
    clearInterval(forwardStop);
    for (const w of workers) w.kill();
  }
}
