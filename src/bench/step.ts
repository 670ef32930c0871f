/**
 * Times training steps of the benchmark's models, the way the trainer takes them: a batch
 * gathered on the device, forward in training mode, softmax cross-entropy, tf.variableGrads and
 * Adam (PyTorch's betas and eps), ending with a read of the loss so the step has finished on
 * every backend. Several activations are timed round-robin, one step each in turn, so machine
 * drift affects them alike and their ratios can be compared.
 */
import { tf } from '../tf.js';
import type { ModelKind } from '../models/build.js';
import { normalizeActivation, type ActivationSpec } from '../activations/registry.js';
import { assertDeviceHealthy, toDeviceData, type DeviceData } from '../train/device-data.js';
import { Rng, deriveSeed } from '../rng/index.js';
import { buildRun } from '../train/setup.js';
import { CONFIG_DEFAULTS } from '../config/schema.js';
import type { TrainSettings } from '../config/types.js';
import { syntheticDataset } from './synthetic.js';
import { MemoryPeak, timingStats, type TimingStats } from './stats.js';

/** An activation under a label of its own, with a setting switched on around each of its steps. */
export interface StepBenchEntry {
  activation: ActivationSpec;
  label: string;
  /** Called before each step of this entry (e.g. to turn the fused noise kernels off)... */
  before?: () => void;
  /** ...and after it, to restore the setting. */
  after?: () => void;
}

export interface StepBenchOptions {
  model: ModelKind;
  /** Activations (or labelled entries) to time side by side. */
  activations: (ActivationSpec | StepBenchEntry)[];
  /** Default 128. */
  batchSize?: number;
  /** Untimed steps per activation before timing (default 3; the first creates Adam's slots). */
  warmup?: number;
  /** Timed steps per activation (default 20). */
  steps?: number;
  /** Seeds the data, the weights and the noise (default 1). */
  seed?: number;
  /** Extra buildModel options (hidden, filters, ...). */
  modelOptions?: Record<string, unknown>;
  /** Optimizer and learning rate, as a config's `train` gives them (default: the config defaults, Adam at 1e-3). */
  train?: Pick<TrainSettings, 'optimizer' | 'learningRate'>;
  /** Called after each round of timed steps. */
  onRound?: (done: number, total: number) => void;
}

export interface StepBenchResult {
  /** The activation as given, e.g. `relu` or `nrelu sigma=0.1`. */
  activation: string;
  model: ModelKind;
  batchSize: number;
  stepMs: TimingStats;
  /** batchSize / median step time. */
  samplesPerSecond: number;
}

export interface StepBenchReport {
  backend: string;
  results: StepBenchResult[];
  /** Peak resident set size of the process (kernel high-water mark), bytes. */
  peakRssBytes: number;
  /** Peak tf.memory().numBytes sampled after each step. */
  peakTfBytes: number;
  /** tf.memory().numTensors after the timed steps minus before them (0: nothing leaks). */
  tensorGrowth: number;
}

/** `relu`, `nrelu sigma=0.1`: the name and the parameters given, in the order given. */
export function activationLabel(spec: ActivationSpec): string {
  if (typeof spec === 'string') return spec;
  const params = Object.entries(spec)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k}=${String(v)}`);
  return [spec.name, ...params].join(' ');
}

function toEntry(a: ActivationSpec | StepBenchEntry): StepBenchEntry {
  if (typeof a === 'object' && 'activation' in a && 'label' in a) return a as StepBenchEntry;
  const spec = a as ActivationSpec;
  return { activation: spec, label: activationLabel(spec) };
}

/** One model and optimizer taking steps over a device dataset in a seeded order. */
export class StepRunner {
  readonly model: tf.LayersModel;
  private readonly optimizer: tf.Optimizer;
  private readonly order: Int32Array;
  private cursor = 0;

  constructor(
    private readonly data: DeviceData,
    kind: ModelKind,
    activation: ActivationSpec,
    private readonly batchSize: number,
    seed: number,
    modelOptions: Record<string, unknown> = {},
    train: Pick<TrainSettings, 'optimizer' | 'learningRate'> = {
      optimizer: CONFIG_DEFAULTS.train.optimizer,
      learningRate: CONFIG_DEFAULTS.train.learningRate,
    },
  ) {
    normalizeActivation(activation); // a bad spec fails here, with the registry's message
    ({ model: this.model, optimizer: this.optimizer } = buildRun(
      { model: kind, modelOptions, activation, seed, train },
      data.train.shape,
      data.classes,
    ));
    const n = data.train.count;
    this.order = new Rng(deriveSeed(seed, 'bench-order')).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  }

  /** One training step; returns the batch loss (read asynchronously: WebGPU under Node.js has no synchronous read). */
  async step(): Promise<number> {
    const n = this.order.length;
    if (this.cursor + this.batchSize > n) this.cursor = 0;
    const idx = this.order.subarray(this.cursor, this.cursor + this.batchSize);
    this.cursor += this.batchSize;
    const loss = tf.tidy(() => {
      const { x: xb, y: yb } = this.data.train.gather(idx);
      const { value, grads } = tf.variableGrads(() => {
        const logits = this.model.apply(xb, { training: true }) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(yb, this.data.classes), logits) as tf.Scalar;
      });
      this.optimizer.applyGradients(grads);
      return value;
    });
    const value = (await loss.data())[0];
    await assertDeviceHealthy(); // a WebGPU error would make the timing that of a broken step
    loss.dispose();
    return value;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/** Synthetic data big enough for `steps` distinct batches (at least 8). */
export function benchData(batchSize: number, batches: number, seed: number, testCount = 256): DeviceData {
  return toDeviceData(syntheticDataset(batchSize * Math.max(8, batches), testCount, seed));
}

/** Times `steps` training steps per activation, round-robin, after `warmup` steps each. */
export async function benchSteps(options: StepBenchOptions): Promise<StepBenchReport> {
  const batchSize = options.batchSize ?? 128;
  const warmup = options.warmup ?? 3;
  const steps = options.steps ?? 20;
  const seed = options.seed ?? 1;
  await tf.ready();
  const entries = options.activations.map(toEntry);
  const data = benchData(batchSize, 16, seed);
  const memory = new MemoryPeak();
  const runners: StepRunner[] = [];
  const step = async (k: number): Promise<void> => {
    entries[k].before?.();
    try {
      await runners[k].step();
    } finally {
      entries[k].after?.();
    }
  };
  try {
    for (const e of entries)
      runners.push(
        new StepRunner(data, options.model, e.activation, batchSize, seed, options.modelOptions, options.train),
      );
    for (let k = 0; k < runners.length; k++) {
      for (let i = 0; i < warmup; i++) await step(k);
    }
    const before = tf.memory().numTensors;
    const times: number[][] = runners.map(() => []);
    for (let r = 0; r < steps; r++) {
      for (let k = 0; k < runners.length; k++) {
        const start = performance.now();
        await step(k);
        times[k].push(performance.now() - start);
        memory.sample(tf.memory().numBytes);
      }
      options.onRound?.(r + 1, steps);
      // Let timers and I/O (progress output) run between rounds.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const after = tf.memory().numTensors;
    return {
      backend: tf.getBackend(),
      results: runners.map((_, k) => {
        const stepMs = timingStats(times[k]);
        return {
          activation: entries[k].label,
          model: options.model,
          batchSize,
          stepMs,
          samplesPerSecond: (batchSize / stepMs.median) * 1000,
        };
      }),
      peakRssBytes: Math.max(memory.rssBytes, MemoryPeak.maxRssBytes()),
      peakTfBytes: memory.tfBytes,
      tensorGrowth: after - before,
    };
  } finally {
    runners.forEach((r) => r.dispose());
    data.dispose();
  }
}
