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
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('the gradient probe needs a model with one input and one output');
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  let previous: tf.layers.Layer | undefined = model.layers.find((l) => l.getClassName() === 'InputLayer');
  for (const layer of layers) {
    const inbound = layer.inboundNodes.flatMap((n) => n.inboundLayers).filter((l) => model.layers.includes(l));
    if (inbound.length !== 1 || inbound[0] !== previous) throw new Error(`the gradient probe needs a chain of layers; ${layer.name} is not fed only by the layer before it`);
    previous = layer;
  }
  return layers;
}

/** Dense/Conv2D layers in model order: the kernel and (optional) bias variables of each. */
function linearWeights(model: tf.LayersModel): { layer: tf.layers.Layer; kernel: tf.Variable; bias: tf.Variable | null }[] {
  return model.layers.filter((l) => ['Dense', 'Conv2D'].includes(l.getClassName())).map((layer) => {
    const find = (suffix: string): tf.Variable | null => {
      const w = layer.trainableWeights.find((v) => v.originalName.endsWith(`/${suffix}`) || v.name.endsWith(`/${suffix}`));
      return w ? (w.read() as tf.Variable) : null;
    };
    const kernel = find('kernel');
    if (!kernel) throw new Error(`layer ${layer.name} has no trainable kernel`);
    return { layer, kernel, bias: find('bias') };
  });
}

/** Gradient flow through `model`'s hidden units on the probe samples x (labels y, class indices). */
export async function probeGradients(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor1D, options: GradientProbeOptions = {}): Promise<GradientReport> {
  const batchSize = options.batchSize ?? 256;
  const n = x.shape[0];
  if (n === 0) throw new Error('the gradient probe needs at least one sample');
  if (y.shape[0] !== n) throw new Error(`the gradient probe got ${n} samples and ${y.shape[0]} labels`);
  const chain = chainLayers(model);
  const hidden = hiddenLinearLayers(model);
  const weights = linearWeights(model);
  const outputLayer = model.outputLayers[0];
  const classes = (outputLayer.outputShape as number[])[(outputLayer.outputShape as number[]).length - 1];
  const unitShapes = hidden.map((l) => (l.outputShape as (number | null)[]).slice(1) as number[]);
  const positions = unitShapes.map((s) => s.slice(0, -1).reduce((a, b) => a * b, 1));
  const vars = weights.flatMap((w) => (w.bias ? [w.kernel, w.bias] : [w.kernel]));
  const stepped = model.layers.filter(isStochasticLayer);
  const steps = stepped.map((l) => l.getStep());

  // Per hidden layer: max over samples of the per-sample max |g| (grad-dead when 0), count of zero
  // (sample, unit) pairs and sum |g| per unit; then the summed gradient of every weight variable.
  let acc: tf.Tensor[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const next = tf.tidy(() => {
        const xb = tf.slice(x, start, size);
        const yb = tf.oneHot(tf.slice(y, start, size), classes);
        const taps = unitShapes.map((s) => tf.zeros([size, ...s]));
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
        const perLayer = grads.slice(0, taps.length).flatMap((g) => {
          const abs = tf.abs(g);
          const pair = g.rank > 2 ? tf.max(abs, Array.from({ length: g.rank - 2 }, (_, k) => k + 1)) : abs;
          return [tf.max(pair, 0), tf.sum(tf.cast(tf.equal(pair, 0), 'float32'), 0), tf.sum(abs, leadingAxes(abs))];
        });
        const batch = [...perLayer, ...grads.slice(taps.length)];
        return acc.length ? batch.map((t, i) => (i % 3 === 0 && i < perLayer.length ? tf.maximum(acc[i], t) : tf.add(acc[i], t))) : batch;
      });
      tf.dispose(acc);
      acc = next;
    }
  } finally {
    stepped.forEach((l, i) => l.setStep(steps[i]));
  }

  // One read: per-unit vectors, then the squared norms of the mean-loss gradients.
  const all = tf.tidy(() => tf.concat([
    ...acc.slice(0, 3 * hidden.length),
    tf.stack(acc.slice(3 * hidden.length).map((g) => tf.sum(tf.square(tf.div(g, n))))),
  ]));
  const values = (await all.data()) as Float32Array;
  tf.dispose([all, ...acc]);

  let offset = 0;
  const layers: LayerGradient[] = hidden.map((layer, i) => {
    const units = unitShapes[i][unitShapes[i].length - 1];
    const maxAbs = values.subarray(offset, offset + units);
    const zeros = values.subarray(offset + units, offset + 2 * units);
    const sums = values.subarray(offset + 2 * units, offset + 3 * units);
    offset += 3 * units;
    const unitGradDead = Uint8Array.from(maxAbs, (m) => (m === 0 ? 1 : 0));
    const unitMeanAbsGrad = Float32Array.from(sums, (s) => s / (n * positions[i]));
    return {
      name: layer.name, units, gradDead: unitGradDead.reduce((s, d) => s + d, 0),
      zeroFraction: zeros.reduce((s, z) => s + z, 0) / (n * units),
      meanAbsGrad: unitMeanAbsGrad.reduce((s, v) => s + v, 0) / units,
      weightGradNorm: 0, biasGradNorm: 0, unitGradDead, unitMeanAbsGrad,
    };
  });
  const norms = weights.map((w) => {
    const kernel = values[offset++];
    const bias = w.bias ? values[offset++] : 0;
    return { name: w.layer.name, kernel, bias };
  });
  for (const l of layers) {
    const norm = norms.find((m) => m.name === l.name);
    if (norm) [l.weightGradNorm, l.biasGradNorm] = [Math.sqrt(norm.kernel), Math.sqrt(norm.bias)];
  }
  const out = norms.find((m) => m.name === outputLayer.name);
  const units = layers.reduce((s, l) => s + l.units, 0);
  return {
    samples: n, units,
    gradDead: layers.reduce((s, l) => s + l.gradDead, 0),
    zeroFraction: units ? layers.reduce((s, l) => s + l.zeroFraction * l.units, 0) / units : 0,
    meanAbsGrad: units ? layers.reduce((s, l) => s + l.meanAbsGrad * l.units, 0) / units : 0,
    weightGradNorm: Math.sqrt(norms.reduce((s, m) => s + m.kernel, 0)),
    biasGradNorm: Math.sqrt(norms.reduce((s, m) => s + m.bias, 0)),
    layers,
    output: { name: outputLayer.name, weightGradNorm: out ? Math.sqrt(out.kernel) : 0, biasGradNorm: out ? Math.sqrt(out.bias) : 0 },
  };
}
