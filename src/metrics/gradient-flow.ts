/**
 * The gradient probe: does gradient reach the hidden units, and their weights? It tests the
 * paper's explanation ("N-ReLU maintains gradient flow in inactive regions") rather than its outcome.
 *
 * On fixed probe samples (x with labels y), in training mode, the probe runs the model forward
 * with a zero tensor added to every hidden linear layer's output z (a Dense unit, or a Conv2D
 * channel over all positions), and takes the gradient of the summed softmax cross-entropy with
 * respect to those zeros (which is dL/dz) and to every Dense/Conv2D kernel and bias. With a summed
 * loss, row i of dL/dz is sample i's own gradient d loss_i / dz_i (samples do not interact in the
 * forward pass). Per hidden unit:
 *
 * - grad_dead: d loss_i / dz is exactly 0 for every probe sample i (and, for a channel, every position);
 * - mean |d loss_i / dz| over samples (and positions);
 * and per hidden layer the fraction of (sample, unit) pairs whose gradient is exactly 0 (for a
 * channel: 0 at every position), plus, per Dense/Conv2D layer, the L2 norm of the gradient of the
 * mean loss over the probe samples with respect to its kernel and its bias.
 *
 * Nothing is updated: no optimizer step, weights untouched. The training-mode passes advance the
 * stochastic layers' step counters (N-ReLU, RReLU, seeded dropout); they are put back afterwards,
 * so probing never changes the noise a run trains with. Batches fold on the device; one read at the end.
 */
import { tf } from '../tf.js';
import { isStochasticLayer } from '../activations/stochastic.js';
import { hiddenLinearLayers, leadingAxes } from './probe.js';

export interface GradientProbeOptions {
  /** Samples per forward/backward pass (default 256). */
  batchSize?: number;
}

export interface LayerGradient {
  name: string;
  units: number;
  /** Units whose dL/dz is exactly 0 on every probe sample. */
  gradDead: number;
  /** Fraction of (sample, unit) pairs whose dL/dz is exactly 0 (a channel: at every position). */
  zeroFraction: number;
  /** Mean over the layer's units of each unit's mean |d loss_i / dz|. */
  meanAbsGrad: number;
  /** L2 norm of d(mean loss)/d kernel and d(mean loss)/d bias (0 without a bias). */
  weightGradNorm: number;
  biasGradNorm: number;
  /** Per unit: gradient-dead (1) or not (0). */
  unitGradDead: Uint8Array;
  /** Per unit: mean |d loss_i / dz| over samples (and positions). */
  unitMeanAbsGrad: Float32Array;
}

export interface GradientReport {
  samples: number;
  units: number;
  gradDead: number;
  /** Over all hidden layers' (sample, unit) pairs. */
  zeroFraction: number;
  /** Mean over all hidden units of each unit's mean |d loss_i / dz|. */
  meanAbsGrad: number;
  /** L2 norm over every Dense/Conv2D kernel's gradient (hidden and output layers together), and over the biases. */
  weightGradNorm: number;
  biasGradNorm: number;
  /** One entry per hidden linear layer. */
  layers: LayerGradient[];
  /** The output layer's kernel and bias gradient norms (it feeds on the last hidden activation). */
  output: { name: string; weightGradNorm: number; biasGradNorm: number };
}

/** The model's layers after its input, checked to form one chain (each fed only by the one before). */
function chainLayers(model: tf.LayersModel): tf.layers.Layer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new Error('the gradient probe needs a model with one input and one output');
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  let previous: tf.layers.Layer | undefined = model.layers.find((l) => l.getClassName() === 'InputLayer');
  for (const layer of layers) {
    const inbound = layer.inboundNodes.flatMap((n) => n.inboundLayers).filter((l) => model.layers.includes(l));
    if (inbound.length !== 1 || inbound[0] !== previous)
      throw new Error(
        `the gradient probe needs a chain of layers; ${layer.name} is not fed only by the layer before it`,
      );
    previous = layer;
  }
  return layers;
}

interface LinearWeights {
  layer: tf.layers.Layer;
  kernel: tf.Variable;
  bias: tf.Variable | null;
}

/** Dense/Conv2D layers in model order: the kernel and (optional) bias variables of each. */
function linearWeights(model: tf.LayersModel): LinearWeights[] {
  return model.layers
    .filter((l) => ['Dense', 'Conv2D'].includes(l.getClassName()))
    .map((layer) => {
      const find = (suffix: string): tf.Variable | null => {
        const w = layer.trainableWeights.find(
          (v) => v.originalName.endsWith(`/${suffix}`) || v.name.endsWith(`/${suffix}`),
        );
        return w ? (w.read() as tf.Variable) : null;
      };
      const kernel = find('kernel');
      if (!kernel) throw new Error(`layer ${layer.name} has no trainable kernel`);
      return { layer, kernel, bias: find('bias') };
    });
}

/** What the probe needs to know of the model, worked out once per call. */
interface ProbeLayout {
  chain: tf.layers.Layer[];
  hidden: tf.layers.Layer[];
  weights: LinearWeights[];
  outputLayer: tf.layers.Layer;
  classes: number;
  /** Each hidden layer's output shape without the batch axis. */
  unitShapes: number[][];
  /** Each hidden layer's positions per unit (1 for Dense, height x width for Conv2D). */
  positions: number[];
  /** The weight variables in gradient order: each layer's kernel, then its bias if it has one. */
  vars: tf.Variable[];
}

function probeLayout(model: tf.LayersModel): ProbeLayout {
  const chain = chainLayers(model);
  const hidden = hiddenLinearLayers(model);
  const weights = linearWeights(model);
  const outputLayer = model.outputLayers[0];
  const outputShape = outputLayer.outputShape as number[];
  const unitShapes = hidden.map((l) => (l.outputShape as (number | null)[]).slice(1) as number[]);
  return {
    chain,
    hidden,
    weights,
    outputLayer,
    classes: outputShape[outputShape.length - 1],
    unitShapes,
    positions: unitShapes.map((s) => s.slice(0, -1).reduce((a, b) => a * b, 1)),
    vars: weights.flatMap((w) => (w.bias ? [w.kernel, w.bias] : [w.kernel])),
  };
}

/** Sums over the probe samples, folded batch by batch on the device; per hidden layer, one value per unit. */
type GradientSums = {
  /** Max over samples of the per-sample max |dL/dz| (grad-dead when 0). */
  maxAbs: tf.Tensor[];
  /** Count of (sample, unit) pairs whose gradient is exactly 0 (a channel: at every position). */
  zeros: tf.Tensor[];
  /** Sum of |dL/dz| over samples and positions. */
  sumAbs: tf.Tensor[];
  /** The summed-loss gradient of every weight variable, in ProbeLayout.vars' order. */
  weightGrads: tf.Tensor[];
};

const allSums = (s: GradientSums): tf.Tensor[] => [...s.maxAbs, ...s.zeros, ...s.sumAbs, ...s.weightGrads];

/** One batch's sums: a training-mode forward pass with zero taps after each hidden linear layer, and its gradients. */
function batchSums(layout: ProbeLayout, xb: tf.Tensor, yb: tf.Tensor): GradientSums {
  const { chain, hidden, unitShapes, vars } = layout;
  const taps = unitShapes.map((s) => tf.zeros([xb.shape[0], ...s]));
  const loss = (): tf.Scalar => {
    let out: tf.Tensor = xb;
    for (const layer of chain) {
      out = layer.apply(out, { training: true }) as tf.Tensor;
      const i = hidden.indexOf(layer);
      if (i >= 0) out = tf.add(out, taps[i]);
    }
    return tf.losses.softmaxCrossEntropy(yb, out, undefined, 0, tf.Reduction.SUM) as tf.Scalar;
  };
  const grads = tf.grads(loss)([...taps, ...vars]);
  const perLayer = grads.slice(0, taps.length).map((g) => {
    const abs = tf.abs(g);
    const pair =
      g.rank > 2
        ? tf.max(
            abs,
            Array.from({ length: g.rank - 2 }, (_, k) => k + 1),
          )
        : abs;
    const zeros = tf.sum(tf.cast(tf.equal(pair, 0), 'float32'), 0);
    return { maxAbs: tf.max(pair, 0), zeros, sumAbs: tf.sum(abs, leadingAxes(abs)) };
  });
  return {
    maxAbs: perLayer.map((l) => l.maxAbs),
    zeros: perLayer.map((l) => l.zeros),
    sumAbs: perLayer.map((l) => l.sumAbs),
    weightGrads: grads.slice(taps.length),
  };
}

function foldSums(acc: GradientSums, batch: GradientSums): GradientSums {
  const add = (a: tf.Tensor[], b: tf.Tensor[]): tf.Tensor[] => a.map((t, i) => tf.add(t, b[i]));
  return {
    maxAbs: acc.maxAbs.map((t, i) => tf.maximum(t, batch.maxAbs[i])),
    zeros: add(acc.zeros, batch.zeros),
    sumAbs: add(acc.sumAbs, batch.sumAbs),
    weightGrads: add(acc.weightGrads, batch.weightGrads),
  };
}

/** The sums over all n samples, in batches; the stochastic layers' step counters are put back afterwards. */
function scanGradients(
  model: tf.LayersModel,
  layout: ProbeLayout,
  x: tf.Tensor,
  y: tf.Tensor1D,
  batchSize: number,
): GradientSums {
  const n = x.shape[0];
  const stepped = model.layers.filter(isStochasticLayer);
  const steps = stepped.map((l) => l.getStep());
  let acc: GradientSums | null = null;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const next: GradientSums = tf.tidy(() => {
        const batch = batchSums(layout, tf.slice(x, start, size), tf.oneHot(tf.slice(y, start, size), layout.classes));
        return acc ? foldSums(acc, batch) : batch;
      });
      if (acc) tf.dispose(allSums(acc));
      acc = next;
    }
  } catch (err) {
    if (acc) tf.dispose(allSums(acc));
    throw err;
  } finally {
    stepped.forEach((l, i) => l.setStep(steps[i]));
  }
  return acc as GradientSums;
}

type ReadSums = Record<'maxAbs' | 'zeros' | 'sumAbs', Float32Array[]> & { squaredNorms: Float32Array };

/** The sums on the host, in one read: per-unit vectors, and the squared norms of the mean-loss weight gradients. */
async function readSums(sums: GradientSums, n: number): Promise<ReadSums> {
  const all = tf.tidy(() =>
    tf.concat([
      ...sums.maxAbs,
      ...sums.zeros,
      ...sums.sumAbs,
      tf.stack(sums.weightGrads.map((g) => tf.sum(tf.square(tf.div(g, n))))),
    ]),
  );
  const values = (await all.data()) as Float32Array;
  tf.dispose(all);
  let at = 0;
  const take = (size: number): Float32Array => values.subarray(at, (at += size));
  const perLayer = (tensors: tf.Tensor[]): Float32Array[] => tensors.map((t) => take(t.size));
  return {
    maxAbs: perLayer(sums.maxAbs),
    zeros: perLayer(sums.zeros),
    sumAbs: perLayer(sums.sumAbs),
    squaredNorms: take(sums.weightGrads.length),
  };
}

/** The report's totals over the hidden layers, and the weight-gradient norms. */
function gradientReport(
  layout: ProbeLayout,
  n: number,
  layers: LayerGradient[],
  norms: { name: string; kernel: number; bias: number }[],
): GradientReport {
  for (const l of layers) {
    const norm = norms.find((m) => m.name === l.name);
    if (norm) [l.weightGradNorm, l.biasGradNorm] = [Math.sqrt(norm.kernel), Math.sqrt(norm.bias)];
  }
  const { outputLayer } = layout;
  const out = norms.find((m) => m.name === outputLayer.name);
  const units = layers.reduce((s, l) => s + l.units, 0);
  return {
    samples: n,
    units,
    gradDead: layers.reduce((s, l) => s + l.gradDead, 0),
    zeroFraction: units ? layers.reduce((s, l) => s + l.zeroFraction * l.units, 0) / units : 0,
    meanAbsGrad: units ? layers.reduce((s, l) => s + l.meanAbsGrad * l.units, 0) / units : 0,
    weightGradNorm: Math.sqrt(norms.reduce((s, m) => s + m.kernel, 0)),
    biasGradNorm: Math.sqrt(norms.reduce((s, m) => s + m.bias, 0)),
    layers,
    output: {
      name: outputLayer.name,
      weightGradNorm: out ? Math.sqrt(out.kernel) : 0,
      biasGradNorm: out ? Math.sqrt(out.bias) : 0,
    },
  };
}

/** Gradient flow through `model`'s hidden units on the probe samples x (labels y, class indices). */
export async function probeGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor1D,
  options: GradientProbeOptions = {},
): Promise<GradientReport> {
  const n = x.shape[0];
  if (n === 0) throw new Error('the gradient probe needs at least one sample');
  if (y.shape[0] !== n) throw new Error(`the gradient probe got ${n} samples and ${y.shape[0]} labels`);
  const layout = probeLayout(model);
  const sums = scanGradients(model, layout, x, y, options.batchSize ?? 256);
  const read = await readSums(sums, n);
  tf.dispose(allSums(sums));
  const layers: LayerGradient[] = layout.hidden.map((layer, i) => {
    const units = layout.unitShapes[i][layout.unitShapes[i].length - 1];
    const unitGradDead = Uint8Array.from(read.maxAbs[i], (m) => (m === 0 ? 1 : 0));
    const unitMeanAbsGrad = Float32Array.from(read.sumAbs[i], (s) => s / (n * layout.positions[i]));
    return {
      name: layer.name,
      units,
      gradDead: unitGradDead.reduce((s, d) => s + d, 0),
      zeroFraction: read.zeros[i].reduce((s, z) => s + z, 0) / (n * units),
      meanAbsGrad: unitMeanAbsGrad.reduce((s, v) => s + v, 0) / units,
      weightGradNorm: 0,
      biasGradNorm: 0,
      unitGradDead,
      unitMeanAbsGrad,
    };
  });
  let at = 0;
  const norms = layout.weights.map((w) => ({
    name: w.layer.name,
    kernel: read.squaredNorms[at++],
    bias: w.bias ? read.squaredNorms[at++] : 0,
  }));
  return gradientReport(layout, n, layers, norms);
}
