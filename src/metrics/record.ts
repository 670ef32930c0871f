/**
 * What a run measured, epoch by epoch: the record the trainer returns (train/trainer.ts), a worker sends to the parent,
 * and the result folder's rows are built from (results/rows.ts). It lives here, beside the probes that fill it, so the
 * file format depends on the measurements and not on the trainer.
 */
import type { RobustnessResult } from './robustness.js';

/** On a probe epoch: the hidden layers probed (dead_neurons.csv's rows, in order) and each probe's result by name. */
export interface ProbeRecord {
  layers: string[];
  results: Record<string, unknown>;
}

export interface EpochRecord {
  epoch: number;
  /** The varied parameter and its value in force at the end of the epoch (null for activations without one). */
  varied: { param: string; value: number } | null;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  /** The registered probes' results (metrics/registry.ts); null on epochs the probes skip (dead_neurons.every). */
  probe: ProbeRecord | null;
  /** Wall time of the whole epoch: training, evaluation and probing. */
  epochSeconds: number;
  /** Training samples per second of training time. */
  samplesPerSecond: number;
}

export type RunStatus = 'completed' | 'diverged' | 'interrupted';

export interface RunRecord {
  status: RunStatus;
  epochs: EpochRecord[];
  trainSeconds: number;
  message?: string;
  /** Test accuracy under additive input noise, after a completed run (eval.robustness). */
  robustness: RobustnessResult[];
}

/** One probe's result on an epoch, typed by its descriptor (null: no probe that epoch, or it gave none). */
export function resultOf<T>(
  record: EpochRecord,
  metric: { name: string; measure(...args: never[]): Promise<T | null> },
): T | null {
  return (record.probe?.results[metric.name] ?? null) as T | null;
}
