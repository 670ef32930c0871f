/**
 * The harness's cost next to a bare TF.js training loop on the same data: `trainRun` (with the
 * per-epoch evaluation and dead-neuron probe a config asks for by default) against a loop of
 * model.apply + optimizer.minimize over the same batches, with nothing else. The process is
 * warmed up first, the bare loop runs before and after trainRun, and the first epoch of each
 * run is not counted. The evaluation, the unit probe and the gradient probe are also timed on their
 * own (the same calls trainRun makes), so the overhead can be attributed.
 *
 * `harnessAtScale` estimates the same ratio at MNIST's full size, where a small benchmark's
 * proportions mislead (the unit probe scans 10,000 images in batches of 1,024, and N-ReLU's
 * training-mode pass stops after the first): the per-epoch calls timed on their full sample
 * counts, against training steps times the steps of a 60,000-image epoch.
 */
import { tf } from '../tf.js';
import type { ModelKind } from '../models/build.js';
import type { ActivationSpec } from '../activations/registry.js';
import { probeUnits } from '../metrics/unit-activity.js';
import { probeGradients } from '../metrics/gradient-flow.js';
import { validateConfig, expandGrid, type RunSpec } from '../config/index.js';
import { evaluate, trainRun } from '../train/trainer.js';
import { toDeviceData, type DeviceData } from '../train/device-data.js';
import { Rng, deriveSeed } from '../rng/index.js';
import { buildRun, runActivationSpec } from '../train/setup.js';
import { syntheticDataset } from './synthetic.js';
import { StepRunner, activationLabel } from './step.js';
import { timingStats, type TimingStats } from './stats.js';

export interface HarnessBenchOptions {
  model: ModelKind;
  activation: ActivationSpec;
  /** Default 128. */
  batchSize?: number;
  /** Training images per epoch (default 6000: MNIST's 60,000 scaled by 1/10). */
  trainSamples?: number;
  /** Test images evaluated per epoch (default 1000). */
  testSamples?: number;
  /** Dead-neuron probe images per epoch (default 1000; the config default is 10,000 of 60,000). */
  probeSamples?: number;
  /** Gradient-probe images per epoch (default trainSamples / 60: the config default is 1,000 of 60,000). */
  gradientSamples?: number;
  /** Epochs of each loop, the first one not counted (default 3). */
  epochs?: number;
  /** Untimed training steps before anything is timed (default 20). */
  warmupSteps?: number;
  seed?: number;
  /** Called after each epoch of either loop. */
  onEpoch?: (loop: 'harness' | 'bare', epoch: number, seconds: number) => void;
}

export interface HarnessBenchResult {
  model: ModelKind;
  activation: string;
  trainSamples: number;
  testSamples: number;
  probeSamples: number;
  gradientSamples: number;
  /** trainRun's epoch wall time (training, evaluation, probe), epochs 2..E. */
  harnessEpochSeconds: TimingStats;
  /** The training part of trainRun's epochs (its samples / samples per second). */
  harnessTrainSeconds: TimingStats;
  /** The bare loop's epoch wall time, epochs 2..E of a run before trainRun and one after. */
  bareEpochSeconds: TimingStats;
  /** harness / bare, medians. */
  ratio: number;
  /** evaluate() on the test samples, timed on its own. */
  evaluateSeconds: TimingStats;
  /** probeUnits() (dead, dormant and zero-output units) on the probe samples, timed on its own. */
  probeSeconds: TimingStats;
  /**
   * probeGradients() (gradient-dead units, gradient norms) on the gradient-probe samples, timed on its own (null: probe
   * off).
   */
  gradientSeconds: TimingStats | null;
  /** tf.memory().numTensors at the end of each harness epoch. */
  tensorsPerEpoch: number[];
  /** Process resident set size at the end of each harness epoch, bytes. */
  rssPerEpoch: number[];
}

function harnessSpec(o: HarnessSettings): RunSpec {
  const config = validateConfig(
    {
      name: 'bench',
      dataset: 'idx:synthetic',
      models: [o.model],
      activations: [o.activation],
      seeds: [o.seed],
      train: { epochs: o.epochs, batch_size: o.batchSize },
      dead_neurons: { samples: o.probeSamples, every: 1, gradient_samples: o.gradientSamples },
    },
    'harness benchmark settings',
  );
  const specs = expandGrid(config);
  if (specs.length !== 1) throw new Error(`harness benchmark: expected one run, got ${specs.length} (give one sigma)`);
  return specs[0];
}

/** A plain TF.js loop: shuffled batches, model.apply in training mode, Adam; returns epoch seconds. */
async function bareLoop(
  spec: RunSpec,
  data: DeviceData,
  onEpoch?: (epoch: number, seconds: number) => void,
): Promise<number[]> {
  const { model, optimizer } = buildRun(
    { ...spec, activation: runActivationSpec(spec) },
    data.train.shape,
    data.classes,
  );
  const n = data.train.count;
  const batchSize = spec.train.batchSize;
  const seconds: number[] = [];
  try {
    for (let epoch = 1; epoch <= spec.train.epochs; epoch++) {
      const start = performance.now();
      const order = new Rng(deriveSeed(spec.seed, 'shuffle', epoch)).shuffle(
        Int32Array.from({ length: n }, (_, i) => i),
      );
      let last: tf.Scalar | null = null;
      for (let b = 0; b * batchSize < n; b++) {
        const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const final = (b + 1) * batchSize >= n;
        const batch = data.train.gather(idx);
        const xb = batch.x;
        const yb = tf.oneHot(batch.y, data.classes);
        const cost = optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar,
          final,
        );
        tf.dispose([batch.x, batch.y, yb]);
        if (cost) last = cost;
      }
      // One read per epoch, so a backend with asynchronous kernels has finished the epoch.
      await last?.data(); // asynchronous: WebGPU under Node.js has no synchronous read
      last?.dispose();
      seconds.push((performance.now() - start) / 1000);
      onEpoch?.(epoch, seconds[seconds.length - 1]);
    }
    return seconds;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

interface EpochCallTimes {
  evaluateSeconds: TimingStats;
  probeSeconds: TimingStats;
  /** Null when there are no gradient-probe samples. */
  gradientSeconds: TimingStats | null;
}

/**
 * evaluate(), probeUnits() and probeGradients() on `model`, each timed on its own, as trainRun calls them per epoch.
 */
async function timeEpochCalls(
  model: tf.LayersModel,
  spec: RunSpec,
  data: DeviceData,
  probeSamples: number,
  gradientSamples: number,
  repeats: number,
): Promise<EpochCallTimes> {
  // The probe's training images with their labels: trainRun's unit probe also scores them (the clean training score).
  const { x: probeX, y: probeY } = data.train.slice(0, Math.min(probeSamples, data.train.count));
  const gradCount = Math.min(gradientSamples, data.train.count);
  const { x: gradX, y: gradY } = data.train.slice(0, gradCount);
  const { threshold, dormantTau: tau } = spec.deadNeurons;
  const labels = { y: probeY, classes: data.classes };
  try {
    return {
      evaluateSeconds: await timeAsync(repeats, () => evaluate(model, data.test, data.classes)),
      probeSeconds: await timeAsync(repeats, () => probeUnits(model, probeX, { threshold, tau, labels })),
      gradientSeconds: gradCount > 0 ? await timeAsync(repeats, () => probeGradients(model, gradX, gradY)) : null,
    };
  } finally {
    tf.dispose([probeX, probeY, gradX, gradY]);
  }
}

async function timeAsync(repeats: number, fn: () => Promise<unknown>): Promise<TimingStats> {
  await fn(); // warm-up
  const seconds: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    seconds.push((performance.now() - start) / 1000);
  }
  return timingStats(seconds);
}

type HarnessSettings = Required<Omit<HarnessBenchOptions, 'onEpoch'>>;

function harnessSettings(options: HarnessBenchOptions): HarnessSettings {
  const trainSamples = options.trainSamples ?? 6000;
  return {
    model: options.model,
    activation: options.activation,
    batchSize: options.batchSize ?? 128,
    trainSamples,
    testSamples: options.testSamples ?? 1000,
    probeSamples: options.probeSamples ?? 1000,
    gradientSamples: options.gradientSamples ?? Math.round(trainSamples / 60),
    epochs: options.epochs ?? 3,
    seed: options.seed ?? 1,
    warmupSteps: options.warmupSteps ?? 20,
  };
}

/** Untimed training steps, so wasm code tiers up and XNNPACK and the JIT settle before anything is timed. */
async function warmUp(data: DeviceData, o: HarnessSettings): Promise<void> {
  const warm = new StepRunner(data, o.model, o.activation, o.batchSize, o.seed);
  try {
    for (let i = 0; i < o.warmupSteps; i++) await warm.step();
  } finally {
    warm.dispose();
  }
}

interface HarnessEpochs {
  epochs: { epochSeconds: number; trainSeconds: number }[];
  tensorsPerEpoch: number[];
  rssPerEpoch: number[];
}

/** trainRun's epochs: wall time, training time, and tensors and RSS after each. */
async function harnessEpochs(
  spec: RunSpec,
  data: DeviceData,
  o: HarnessSettings,
  onEpoch: HarnessBenchOptions['onEpoch'],
): Promise<HarnessEpochs> {
  const epochs: HarnessEpochs['epochs'] = [];
  const tensorsPerEpoch: number[] = [];
  const rssPerEpoch: number[] = [];
  const result = await trainRun(spec, data, {
    onEpoch: (r) => {
      epochs.push({ epochSeconds: r.epochSeconds, trainSeconds: o.trainSamples / r.samplesPerSecond });
      tensorsPerEpoch.push(tf.memory().numTensors);
      rssPerEpoch.push(process.memoryUsage.rss());
      onEpoch?.('harness', r.epoch, r.epochSeconds);
    },
  });
  if (result.status !== 'completed') {
    throw new Error(`harness benchmark run ended ${result.status}: ${result.message ?? ''}`);
  }
  return { epochs, tensorsPerEpoch, rssPerEpoch };
}

/** The evaluation and the probes on their own, on a fresh model of the run's architecture. */
async function timeCallsOnFreshModel(spec: RunSpec, data: DeviceData, o: HarnessSettings): Promise<EpochCallTimes> {
  const built = buildRun({ ...spec, activation: runActivationSpec(spec) }, data.train.shape, data.classes);
  built.optimizer.dispose(); // only the model is timed here
  try {
    return await timeEpochCalls(built.model, spec, data, o.probeSamples, o.gradientSamples, 3);
  } finally {
    built.model.dispose();
  }
}

export async function benchHarness(options: HarnessBenchOptions): Promise<HarnessBenchResult> {
  const o = harnessSettings(options);
  if (o.epochs < 2) throw new Error('harness benchmark needs at least 2 epochs (the first is warm-up)');
  const spec = harnessSpec(o);
  await tf.ready();
  const data = toDeviceData(syntheticDataset(o.trainSamples, o.testSamples, o.seed));
  try {
    // Warm the process up first, then time the bare loop before and after trainRun so drift over
    // the run affects both sides alike.
    await warmUp(data, o);
    const bare = (await bareLoop(spec, data, (e, s) => options.onEpoch?.('bare', e, s))).slice(1);
    const { epochs, tensorsPerEpoch, rssPerEpoch } = await harnessEpochs(spec, data, o, options.onEpoch);
    bare.push(...(await bareLoop(spec, data, (e, s) => options.onEpoch?.('bare', e, s))).slice(1));
    const { evaluateSeconds, probeSeconds, gradientSeconds } = await timeCallsOnFreshModel(spec, data, o);
    const counted = epochs.slice(1);
    const harnessEpochSeconds = timingStats(counted.map((h) => h.epochSeconds));
    const bareEpochSeconds = timingStats(bare);
    return {
      model: o.model,
      activation: activationLabel(o.activation),
      trainSamples: o.trainSamples,
      testSamples: o.testSamples,
      probeSamples: o.probeSamples,
      gradientSamples: o.gradientSamples,
      harnessEpochSeconds,
      harnessTrainSeconds: timingStats(counted.map((h) => h.trainSeconds)),
      bareEpochSeconds,
      ratio: harnessEpochSeconds.median / bareEpochSeconds.median,
      evaluateSeconds,
      probeSeconds,
      gradientSeconds,
      tensorsPerEpoch,
      rssPerEpoch,
    };
  } finally {
    data.dispose();
  }
}

export interface HarnessAtScaleOptions {
  model: ModelKind;
  activation: ActivationSpec;
  /** MNIST's defaults: 60,000 / 10,000 / 10,000 / 1,000 and batch 128. */
  trainSamples?: number;
  testSamples?: number;
  probeSamples?: number;
  gradientSamples?: number;
  batchSize?: number;
  /** Timed training steps (default 20) and repeats of each per-epoch call (default 2), after one warm-up each. */
  steps?: number;
  repeats?: number;
  seed?: number;
}

export interface HarnessAtScaleResult {
  model: ModelKind;
  activation: string;
  /** The median training step. */
  stepSeconds: number;
  /** stepSeconds times the steps of one epoch of trainSamples. */
  trainEpochSeconds: number;
  evaluateSeconds: number;
  probeSeconds: number;
  gradientSeconds: number;
  /** (training + evaluate + probeUnits + probeGradients) / training: the harness epoch over a bare one. */
  ratio: number;
  /**
   * The least this ratio could be with the same probes: the unit probe at evaluate()'s cost per image (it needs the
   * same inference pass) and the gradient probe at a training step's cost per image (it needs the same forward and
   * backward pass).
   */
  floor: number;
}

/** The harness's per-epoch overhead at full MNIST size, from its parts (see the file's comment). */
export async function harnessAtScale(options: HarnessAtScaleOptions): Promise<HarnessAtScaleResult> {
  const o = {
    trainSamples: 60000,
    testSamples: 10000,
    probeSamples: 10000,
    gradientSamples: 1000,
    batchSize: 128,
    steps: 20,
    repeats: 2,
    seed: 1,
    ...options,
  };
  const spec = harnessSpec({ ...o, epochs: 2, warmupSteps: 0 });
  await tf.ready();
  const images = Math.max(o.probeSamples, o.gradientSamples, o.batchSize);
  const data = toDeviceData(syntheticDataset(images, o.testSamples, o.seed));
  const runner = new StepRunner(data, o.model, o.activation, o.batchSize, o.seed);
  try {
    for (let i = 0; i < 3; i++) await runner.step();
    const stepSeconds: number[] = [];
    for (let i = 0; i < o.steps; i++) {
      const start = performance.now();
      await runner.step();
      stepSeconds.push((performance.now() - start) / 1000);
    }
    const step = timingStats(stepSeconds).median;
    const trainEpochSeconds = step * Math.ceil(o.trainSamples / o.batchSize);
    const calls = await timeEpochCalls(runner.model, spec, data, o.probeSamples, o.gradientSamples, o.repeats);
    const evaluateSeconds = calls.evaluateSeconds.median;
    const probeSeconds = calls.probeSeconds.median;
    const gradientSeconds = calls.gradientSeconds?.median ?? 0;
    return {
      model: o.model,
      activation: activationLabel(o.activation),
      stepSeconds: step,
      trainEpochSeconds,
      evaluateSeconds,
      probeSeconds,
      gradientSeconds,
      ratio: (trainEpochSeconds + evaluateSeconds + probeSeconds + gradientSeconds) / trainEpochSeconds,
      floor:
        (trainEpochSeconds +
          evaluateSeconds * (1 + o.probeSamples / o.testSamples) +
          (step * o.gradientSamples) / o.batchSize) /
        trainEpochSeconds,
    };
  } finally {
    runner.dispose();
    data.dispose();
  }
}
