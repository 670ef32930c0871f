/**
 * Trains one run of the grid: a seeded custom loop (not model.fit) so that shuffling, noise and
 * sigma schedules are under our control, losses stay on the device between reads, and a stop
 * request takes effect after the current batch.
 */
import { tf } from '../tf.js';
import type { RunSpec } from '../config/types.js';
import type { DeadNeuronReport } from '../metrics/dead-neurons.js';
import { probeUnits, type UnitActivityReport } from '../metrics/unit-activity.js';
import { evaluateUnderNoise, type RobustnessResult } from '../metrics/robustness.js';
import { probeGradients, type GradientReport } from '../metrics/gradient-flow.js';
import { Rng, deriveSeed } from '../rng/index.js';
import { sigmaAt } from './schedule.js';
import { buildRun, runActivationSpec, scheduledLayers } from './setup.js';
import { loadRunModule } from '../activations/module.js';
import type { DeviceData, DeviceSplit } from './device-data.js';
import { assertWebGpuHealthy, clearWebGpuFaults } from '../backend/webgpu-errors.js';

export interface EpochResult {
  epoch: number;
  /** Sigma in force at the end of the epoch (null for activations without one). */
  sigma: number | null;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  /** Null on epochs the probe skips (dead_neurons.every). */
  dead: DeadNeuronReport | null;
  /** Dormant and zero-output units, measured with the dead-neuron probe (null when it skips). */
  activity: UnitActivityReport | null;
  /** Gradient flow through the hidden units (null when the probe skips or dead_neurons.gradient_samples is 0). */
  gradient: GradientReport | null;
  /** Wall time of the whole epoch: training, evaluation and probing. */
  epochSeconds: number;
  /** Training samples per second of training time. */
  samplesPerSecond: number;
}

export type RunStatus = 'completed' | 'diverged' | 'interrupted';

export interface RunResult {
  status: RunStatus;
  epochs: EpochResult[];
  trainSeconds: number;
  message?: string;
  /** Test accuracy under additive input noise, after a completed run (eval.robustness). */
  robustness: RobustnessResult[];
}

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
export async function evaluate(model: tf.LayersModel, split: DeviceSplit, classes: number, batchSize = 1000): Promise<{ loss: number; acc: number }> {
  let lossSum: tf.Tensor = tf.scalar(0);
  let correct: tf.Tensor = tf.scalar(0);
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const [l, c] = tf.tidy(() => {
      const { x, y } = split.slice(start, size);
      const logits = model.predict(x, { batchSize: size }) as tf.Tensor2D;
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), logits, undefined, 0, tf.Reduction.SUM);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
      return [tf.add(lossSum, loss), tf.add(correct, hits)];
    });
    tf.dispose([lossSum, correct]);
    lossSum = l;
    correct = c;
  }
  const [loss, hits] = await Promise.all([lossSum.data(), correct.data()]);
  tf.dispose([lossSum, correct]);
  return { loss: loss[0] / split.count, acc: hits[0] / split.count };
}

export async function trainRun(spec: RunSpec, data: DeviceData, hooks: TrainHooks = {}): Promise<RunResult> {
  const readEvery = hooks.readEvery ?? 10;
  await loadRunModule(spec.activation);
  clearWebGpuFaults(); // an earlier run's errors are its own
  const { model, optimizer } = buildRun({ ...spec, activation: runActivationSpec(spec) }, data.train.shape, data.classes);
  const scheduled = scheduledLayers(model, spec);
  const batchSize = spec.train.batchSize;
  const n = data.train.count;
  const batches = Math.ceil(n / batchSize);
  const totalSteps = batches * spec.train.epochs;
  const probeSplit = spec.deadNeurons.probe === 'train' ? data.train : data.test;
  const probeCount = Math.min(spec.deadNeurons.samples, probeSplit.count);
  const probe = probeSplit.slice(0, probeCount);
  probe.y.dispose();
  const probeX = probe.x;
  const gradientCount = Math.min(spec.deadNeurons.gradientSamples, probeSplit.count);
  const grad = gradientCount > 0 ? probeSplit.slice(0, gradientCount) : null;
  const [gradX, gradY] = grad ? [grad.x, grad.y] : [null, null];
  const epochs: EpochResult[] = [];
  let trainSeconds = 0;
  let step = 0;
  let sigma: number | null = spec.sigma ? spec.sigma.start : null;

  const finish = (status: RunStatus, message?: string, robustness: RobustnessResult[] = []): RunResult => {
    tf.dispose([probeX, ...(gradX && gradY ? [gradX, gradY] : [])]);
    optimizer.dispose();
    model.dispose();
    return { status, epochs, trainSeconds, message, robustness };
  };

  // The current epoch's accumulators, disposed if an exception ends the run mid-epoch.
  let accumulators: tf.Tensor[] = [];
  try {
    for (let epoch = 1; epoch <= spec.train.epochs; epoch++) {
      const epochStart = performance.now();
      const order = new Rng(deriveSeed(spec.seed, 'shuffle', epoch)).shuffle(Int32Array.from({ length: n }, (_, i) => i));
      let lossSum: tf.Tensor = tf.scalar(0);
      let correct: tf.Tensor = tf.scalar(0);
      accumulators = [lossSum, correct];
      let seen = 0;
      let stopped = false;
      for (let b = 0; b < batches; b++) {
        if (spec.sigma) {
          sigma = sigmaAt(spec.sigma, step, totalSteps);
          if (scheduled) for (const layer of scheduled.layers) layer.setScheduled(scheduled.param, sigma);
        }
        const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const size = idx.length;
        const [l, c] = tf.tidy(() => {
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
        tf.dispose([lossSum, correct]);
        lossSum = l;
        correct = c;
        accumulators = [l, c];
        seen += size;
        step += 1;
        if ((b + 1) % readEvery === 0 || b === batches - 1) {
          // Asynchronous reads: WebGPU under Node.js has no synchronous read (it needs OffscreenCanvas).
          const [ls, cs] = [(await lossSum.data())[0], (await correct.data())[0]];
          // A device error ends the run as failed, naming it: its NaN or zeros are no divergence.
          await assertWebGpuHealthy(!Number.isFinite(ls));
          if (!Number.isFinite(ls)) {
            tf.dispose([lossSum, correct]);
            return finish('diverged', `training loss became ${ls} in epoch ${epoch}, batch ${b + 1}`);
          }
          hooks.onBatch?.({ epoch, batch: b + 1, batches, loss: ls / seen, acc: cs / seen });
        }
        // Let signal handlers (Ctrl-C) run: on cpu/wasm the batch loop would otherwise never yield.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (hooks.shouldStop?.()) {
          stopped = true;
          break;
        }
      }
      const trainLoss = (await lossSum.data())[0] / seen;
      const trainAcc = (await correct.data())[0] / seen;
      tf.dispose([lossSum, correct]);
      accumulators = [];
      const trainTime = (performance.now() - epochStart) / 1000;
      trainSeconds += trainTime;
      if (stopped) return finish('interrupted', `stopped in epoch ${epoch}`);
      if (!Number.isFinite(trainLoss)) return finish('diverged', `training loss became ${trainLoss} in epoch ${epoch}`);

      const test = await evaluate(model, data.test, data.classes);
      const probeThisEpoch = epoch % spec.deadNeurons.every === 0 || epoch === spec.train.epochs;
      const { dead, activity } = probeThisEpoch
        ? await probeUnits(model, probeX, { threshold: spec.deadNeurons.threshold, tau: spec.deadNeurons.dormantTau })
        : { dead: null, activity: null };
      const gradient = probeThisEpoch && gradX && gradY ? await probeGradients(model, gradX, gradY) : null;
      await assertWebGpuHealthy(true); // before the epoch is recorded
      const result: EpochResult = {
        epoch, sigma, trainLoss, trainAcc, testLoss: test.loss, testAcc: test.acc, dead, activity, gradient,
        epochSeconds: (performance.now() - epochStart) / 1000,
        samplesPerSecond: seen / trainTime,
      };
      epochs.push(result);
      await hooks.onEpoch?.(result);
      if (!Number.isFinite(test.loss)) return finish('diverged', `test loss became ${test.loss} in epoch ${epoch}`);
      if (hooks.shouldStop?.() && epoch < spec.train.epochs) return finish('interrupted', `stopped after epoch ${epoch}`);
    }
    const robustness = await evaluateUnderNoise(model, data.test, spec.eval.robustness.gaussian, deriveSeed(spec.seed, 'eval'));
    await assertWebGpuHealthy(true);
    await hooks.onCompleted?.(model);
    return finish('completed', undefined, robustness);
  } catch (err) {
    // The caller (the worker) records the run as failed with this error's message.
    tf.dispose(accumulators);
    finish('interrupted'); // frees the model; the status is not reported (the error is)
    throw err;
  }
}
