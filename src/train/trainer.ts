/**
 * Trains one run of the grid: a seeded custom loop (not model.fit) so that shuffling, noise and
 * sigma schedules are under our control, losses stay on the device between reads, and a stop
 * request takes effect after the current batch.
 */
import { tf } from '../tf.js';
import type { RunSpec } from '../config/types.js';
import { readScore, scoreBatch } from '../metrics/score.js';
import { evaluateUnderNoise, type RobustnessResult } from '../metrics/robustness.js';
import { startProbes, type ProbeSession } from '../metrics/registry.js';
import type { EpochRecord, RunRecord, RunStatus } from '../metrics/record.js';
import { Rng, deriveSeed } from '../rng/index.js';
import { valueAt } from './schedule.js';
import { buildRun, runActivationSpec, scheduledLayers } from './setup.js';
import { loadRunModule } from '../activations/module.js';
import type { DeviceData, DeviceSplit } from './device-data.js';
import { assertWebGpuHealthy, clearWebGpuFaults } from '../backend/webgpu-errors.js';

/** What an epoch and a run measured: the record results/ builds rows from (metrics/record.ts). */
export type EpochResult = EpochRecord;
export type RunResult = RunRecord;
export type { RunStatus };

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  acc: number;
}

export interface TrainHooks {
  onEpoch?: (result: EpochResult) => void | Promise<void>;
  onBatch?: (progress: BatchProgress) => void;
  /** Polled after every batch; true stops the run with status 'interrupted'. */
  shouldStop?: () => boolean;
  /** Read the running loss every N steps (divergence check and progress); default 10. */
  readEvery?: number;
  /** Called with the final model of a completed run, before it is freed (e.g. to save it); it must not train it. */
  onCompleted?: (model: tf.LayersModel) => Promise<void>;
}

/** Mean loss and accuracy over a split in inference mode; sums stay on the device until the end. */
export async function evaluate(
  model: tf.LayersModel,
  split: DeviceSplit,
  classes: number,
  batchSize = 1000,
): Promise<{ loss: number; acc: number }> {
  let lossSum: tf.Tensor = tf.scalar(0);
  let correct: tf.Tensor = tf.scalar(0);
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const [l, c] = tf.tidy(() => {
      const { x, y } = split.slice(start, size);
      const [loss, hits] = scoreBatch(model.predict(x, { batchSize: size }) as tf.Tensor2D, y, classes);
      return [tf.add(lossSum, loss), tf.add(correct, hits)];
    });
    tf.dispose([lossSum, correct]);
    lossSum = l;
    correct = c;
  }
  try {
    return await readScore([lossSum, correct], split.count);
  } finally {
    tf.dispose([lossSum, correct]);
  }
}

/** What one run's training loop carries from batch to batch and epoch to epoch. */
interface TrainLoop {
  spec: RunSpec;
  data: DeviceData;
  hooks: TrainHooks;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  scheduled: ReturnType<typeof scheduledLayers>;
  readEvery: number;
  batches: number;
  totalSteps: number;
  /** Optimiser steps taken so far (the schedule's position). */
  step: number;
  /** The varied parameter's value in force (null for activations without one). */
  variedValue: number | null;
  /** The epoch's running [loss sum, correct count]; empty between epochs (freed if an exception ends the run). */
  sums: tf.Tensor[];
  /** The registered probes and the state each keeps between probes (metrics/registry.ts). */
  probes: ProbeSession;
}

/** How an epoch's training pass ended: its mean loss and accuracy, or the message of a loss that diverged mid-epoch. */
type EpochPass = { trainLoss: number; trainAcc: number; seen: number; stopped: boolean } | { diverged: string };

/**
 * The fixed probe samples: inputs for the unit probes (with their labels when they are training images, for the clean
 * training-set score), and inputs with labels for the gradient probe (if any).
 */
interface ProbeSamples {
  x: tf.Tensor;
  trainY: tf.Tensor1D | null;
  gradX: tf.Tensor | null;
  gradY: tf.Tensor1D | null;
}

function probeSamples(spec: RunSpec, data: DeviceData): ProbeSamples {
  const fromTrain = spec.deadNeurons.probe === 'train';
  const split = fromTrain ? data.train : data.test;
  const probe = split.slice(0, Math.min(spec.deadNeurons.samples, split.count));
  if (!fromTrain) probe.y.dispose();
  const gradientCount = Math.min(spec.deadNeurons.gradientSamples, split.count);
  const grad = gradientCount > 0 ? split.slice(0, gradientCount) : null;
  return { x: probe.x, trainY: fromTrain ? probe.y : null, gradX: grad ? grad.x : null, gradY: grad ? grad.y : null };
}

function disposeProbeSamples({ x, trainY, gradX, gradY }: ProbeSamples): void {
  tf.dispose([x, ...(trainY ? [trainY] : []), ...(gradX && gradY ? [gradX, gradY] : [])]);
}

/** Sets the varied parameter's scheduled value for the coming step on every schedulable layer. */
function advanceSchedule(loop: TrainLoop): void {
  const { spec, scheduled } = loop;
  if (!spec.varied) return;
  loop.variedValue = valueAt(spec.varied, loop.step, loop.totalSteps);
  if (scheduled) for (const layer of scheduled.layers) layer.setScheduled(scheduled.param, loop.variedValue);
}

/** One optimiser step on the training samples `idx`; returns the running sums with the batch's loss and hits added. */
function trainBatch(loop: TrainLoop, idx: Int32Array): tf.Tensor[] {
  const { model, optimizer, data } = loop;
  const [lossSum, correct] = loop.sums;
  const size = idx.length;
  return tf.tidy(() => {
    const { x: xb, y: yb } = data.train.gather(idx);
    // Tensors made inside variableGrads' function are freed when it returns, except kept ones.
    const kept: { hits?: tf.Tensor } = {};
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(xb, { training: true }) as tf.Tensor2D;
      kept.hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), yb), 'float32')));
      return tf.losses.softmaxCrossEntropy(tf.oneHot(yb, data.classes), logits) as tf.Scalar;
    });
    optimizer.applyGradients(grads);
    const hits = kept.hits as tf.Tensor;
    const sums = [tf.add(lossSum, tf.mul(value, size)), tf.add(correct, hits)];
    hits.dispose(); // kept tensors escape every tidy, so free it by hand
    return sums;
  });
}

/** Reads the running loss and accuracy for progress; returns the message when the loss is no longer finite. */
async function readRunning(loop: TrainLoop, epoch: number, batch: number, seen: number): Promise<string | null> {
  const [lossSum, correct] = loop.sums;
  // Asynchronous reads: WebGPU under Node.js has no synchronous read (it needs OffscreenCanvas).
  const [ls, cs] = [(await lossSum.data())[0], (await correct.data())[0]];
  // A device error ends the run as failed, naming it: its NaN or zeros are no divergence.
  await assertWebGpuHealthy(!Number.isFinite(ls));
  if (!Number.isFinite(ls)) {
    tf.dispose(loop.sums);
    loop.sums = [];
    return `training loss became ${ls} in epoch ${epoch}, batch ${batch}`;
  }
  loop.hooks.onBatch?.({ epoch, batch, batches: loop.batches, loss: ls / seen, acc: cs / seen });
  return null;
}

/** Trains one epoch on freshly shuffled batches, stopping after a batch when hooks.shouldStop says so. */
async function trainEpoch(loop: TrainLoop, epoch: number): Promise<EpochPass> {
  const { spec, data, hooks, batches } = loop;
  const n = data.train.count;
  const batchSize = spec.train.batchSize;
  const order = new Rng(deriveSeed(spec.seed, 'shuffle', epoch)).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  loop.sums = [tf.scalar(0), tf.scalar(0)];
  let seen = 0;
  let stopped = false;
  for (let b = 0; b < batches; b++) {
    advanceSchedule(loop);
    const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
    const sums = trainBatch(loop, idx);
    tf.dispose(loop.sums);
    loop.sums = sums;
    seen += idx.length;
    loop.step += 1;
    if ((b + 1) % loop.readEvery === 0 || b === batches - 1) {
      const diverged = await readRunning(loop, epoch, b + 1, seen);
      if (diverged) return { diverged };
    }
    // Let signal handlers (Ctrl-C) run: on cpu/wasm the batch loop would otherwise never yield.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (hooks.shouldStop?.()) {
      stopped = true;
      break;
    }
  }
  const [lossSum, correct] = loop.sums;
  const trainLoss = (await lossSum.data())[0] / seen;
  const trainAcc = (await correct.data())[0] / seen;
  tf.dispose(loop.sums);
  loop.sums = [];
  return { trainLoss, trainAcc, seen, stopped };
}

/** Test loss and accuracy, and the registered probes when due, of the epoch just trained. */
async function measureEpoch(
  loop: TrainLoop,
  probes: ProbeSamples,
  epoch: number,
  pass: { trainLoss: number; trainAcc: number; seen: number },
  timing: { epochStart: number; trainTime: number },
): Promise<EpochResult> {
  const { spec, model, data } = loop;
  const test = await evaluate(model, data.test, data.classes);
  const probeThisEpoch = epoch % spec.deadNeurons.every === 0 || epoch === spec.train.epochs;
  const labels = probes.trainY ? { y: probes.trainY, classes: data.classes } : undefined;
  const { x, gradX, gradY } = probes;
  const probe = probeThisEpoch
    ? await loop.probes.measure(model, { x, labels, gradX, gradY, settings: spec.deadNeurons })
    : null;
  await assertWebGpuHealthy(true); // before the epoch is recorded
  return {
    epoch,
    varied: spec.varied && loop.variedValue !== null ? { param: spec.varied.param, value: loop.variedValue } : null,
    trainLoss: pass.trainLoss,
    trainAcc: pass.trainAcc,
    testLoss: test.loss,
    testAcc: test.acc,
    probe,
    epochSeconds: (performance.now() - timing.epochStart) / 1000,
    samplesPerSecond: pass.seen / timing.trainTime,
  };
}

export async function trainRun(spec: RunSpec, data: DeviceData, hooks: TrainHooks = {}): Promise<RunResult> {
  await loadRunModule(spec.activation);
  clearWebGpuFaults(); // an earlier run's errors are its own
  const { model, optimizer } = buildRun(
    { ...spec, activation: runActivationSpec(spec) },
    data.train.shape,
    data.classes,
  );
  const batches = Math.ceil(data.train.count / spec.train.batchSize);
  const loop: TrainLoop = {
    spec,
    data,
    hooks,
    model,
    optimizer,
    scheduled: scheduledLayers(model, spec),
    readEvery: hooks.readEvery ?? 10,
    batches,
    totalSteps: batches * spec.train.epochs,
    step: 0,
    variedValue: spec.varied ? spec.varied.start : null,
    sums: [],
    probes: startProbes(),
  };
  const probes = probeSamples(spec, data);
  const epochs: EpochResult[] = [];
  let trainSeconds = 0;
  const finish = (status: RunStatus, message?: string, robustness: RobustnessResult[] = []): RunResult => {
    disposeProbeSamples(probes);
    optimizer.dispose();
    model.dispose();
    return { status, epochs, trainSeconds, message, robustness };
  };
  try {
    for (let epoch = 1; epoch <= spec.train.epochs; epoch++) {
      const epochStart = performance.now();
      const pass = await trainEpoch(loop, epoch);
      if ('diverged' in pass) return finish('diverged', pass.diverged);
      const trainTime = (performance.now() - epochStart) / 1000;
      trainSeconds += trainTime;
      if (pass.stopped) return finish('interrupted', `stopped in epoch ${epoch}`);
      if (!Number.isFinite(pass.trainLoss)) {
        return finish('diverged', `training loss became ${pass.trainLoss} in epoch ${epoch}`);
      }
      const result = await measureEpoch(loop, probes, epoch, pass, { epochStart, trainTime });
      epochs.push(result);
      await hooks.onEpoch?.(result);
      if (!Number.isFinite(result.testLoss)) {
        return finish('diverged', `test loss became ${result.testLoss} in epoch ${epoch}`);
      }
      if (hooks.shouldStop?.() && epoch < spec.train.epochs)
        return finish('interrupted', `stopped after epoch ${epoch}`);
    }
    const robustness = await evaluateUnderNoise(
      model,
      data.test,
      spec.eval.robustness.gaussian,
      deriveSeed(spec.seed, 'eval'),
    );
    await assertWebGpuHealthy(true);
    await hooks.onCompleted?.(model);
    return finish('completed', undefined, robustness);
  } catch (err) {
    // The caller (the worker) records the run as failed with this error's message.
    tf.dispose(loop.sums);
    finish('interrupted'); // frees the model; the status is not reported (the error is)
    throw err;
  }
}
