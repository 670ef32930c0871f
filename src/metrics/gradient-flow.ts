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
 * The outgoing-gradient share (issue 21, part 3): N-ReLU's gradient is 1[u > 0], so an inactive unit gets no
 * gradient into its own weights; what its noise adds is gradient on its outgoing weights. For hidden layer l, let u
 * and a be its activation layer's input and output (training mode, in the same pass), a_act = where(u > 0, a, 0)
 * (what the units pass while active), f the layers between the activation and the next linear layer (pooling,
 * dropout, flatten; a stochastic one replays its mask), x = f(a) the next layer's input as trained and
 * x_in = x - f(a_act) (what inactive units put there). The next layer's summed-loss kernel gradient G splits into
 * G_in (the next layer's own kernel gradient with input x_in and the same delta = dL/d(its output)) and
 * G_act = G - G_in; the share is ||G_in||^2 / (||G_act||^2 + ||G_in||^2) (0 when both are 0), with G_in and G
 * summed over the probe samples. It is 0 for ReLU (a_act = a); for the MLP, x_in is the rows of units with u <= 0;
 * a max-pool window whose max is a noise value passes that noise on. The total over all hidden layers is
 * sum ||G_in||^2 / sum (||G_act||^2 + ||G_in||^2). Zero-mean noise terms partly cancel in the sum over samples,
 * so the share falls as the probe grows: compare it at the same sample count. The extra work runs beside the main
 * pass: its tensors are the main pass's own (kept), and the main pass gains only a zero tap on the logits (for the
 * last hidden layer's delta), which changes no value.
 *
 * The pooling offset and the shift (issue 21, part 2), in the same pass: per hidden layer followed by one pooling
 * layer, the mean of what the pooled windows whose pre-activations are all <= 0 pass on (for N-ReLU before a 2x2
 * max-pool the max of four noise values, E = 1.03 sigma, which inference mode lacks); and per hidden layer the mean of
 * the next linear layer's output in training mode minus inference mode (a second, inference-mode pass on the same
 * batch, only for models with stochastic layers: otherwise the two modes are one and the shift is 0).
 *
 * Nothing is updated: no optimizer step, weights untouched. The training-mode passes advance the
 * stochastic layers' step counters (N-ReLU, RReLU, seeded dropout); they are put back afterwards,
 * so probing never changes the noise a run trains with. Batches fold on the device; one read at the end.
 */
import { tf } from '../tf.js';
import { isStochasticLayer } from '../activations/stochastic.js';
import { hiddenLinearLayers, leadingAxes, passesOn } from './probe.js';

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
  /** ||G_in||^2 and ||G_act||^2 of the next linear layer's summed-loss kernel gradient (module doc). */
  outgoingInactiveSq: number;
  outgoingActiveSq: number;
  /** The outgoing-gradient share: ||G_in||^2 / (||G_act||^2 + ||G_in||^2), 0 when both are 0. */
  outgoingGradShare: number;
  /**
   * Mean of what the pooled windows whose pre-activations are all <= 0 pass on, in training mode (null: no pool
   * after this layer, or no such window). N-ReLU before a 2x2 max-pool: E[max of 4 N(0, sigma^2)] = 1.03 sigma.
   */
  inactivePoolMean: number | null;
  /** Such windows over the probe samples (0 without a pool). */
  inactiveWindows: number;
  /** Mean of the next linear layer's output in training mode minus inference mode (0 without stochastic layers). */
  preactShift: number;
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
  /** The outgoing-gradient share over all hidden layers: sum ||G_in||^2 / sum (||G_act||^2 + ||G_in||^2). */
  outgoingGradShare: number;
  /** inactivePoolMean over every pooled layer's inactive windows together (null: none). */
  inactivePoolMean: number | null;
  /** The mean of the hidden layers' preactShift. */
  preactShift: number;
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

/** Per hidden layer, where its outgoing-gradient share is measured (module doc). */
interface Outgoing {
  /** The activation layer between the hidden layer and the next linear layer (before or after a pool). */
  activation: tf.layers.Layer;
  /** f: the layers from the activation to the next linear layer. */
  passOn: tf.layers.Layer[];
  /** The next linear layer (the output layer after the last hidden one), and its kernel's index in `vars`. */
  next: tf.layers.Layer;
  kernelAt: number;
  /** The one pooling layer between the hidden layer and the next linear layer (null: none, or more than one). */
  pool: tf.layers.Layer | null;
  /** The later of the activation and the pool: its output is what the pooled windows pass on. */
  pooled: tf.layers.Layer | null;
}

const isPool = (l: tf.layers.Layer): boolean => ['MaxPooling2D', 'AveragePooling2D'].includes(l.getClassName());

function outgoingOf(
  chain: tf.layers.Layer[],
  hidden: tf.layers.Layer[],
  weights: LinearWeights[],
  vars: tf.Variable[],
): Outgoing[] {
  return hidden.map((layer) => {
    const next = weights[weights.findIndex((w) => w.layer === layer) + 1];
    const between = next ? chain.slice(chain.indexOf(layer) + 1, chain.indexOf(next.layer)) : [];
    const acts = between.filter((l) => !passesOn(l));
    if (!next || acts.length !== 1)
      throw new Error(
        `the gradient probe needs one activation layer (besides pooling, dropout, flatten) between ${layer.name} ` +
          `and the next linear layer, found ${acts.length}`,
      );
    const passOn = between.slice(between.indexOf(acts[0]) + 1);
    const pools = between.filter(isPool);
    const pool = pools.length === 1 ? pools[0] : null;
    const pooled = pool && between.indexOf(pool) > between.indexOf(acts[0]) ? pool : pool && acts[0];
    return { activation: acts[0], passOn, next: next.layer, kernelAt: vars.indexOf(next.kernel), pool, pooled };
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
  /** Per hidden layer: its activation, f and next linear layer. */
  outgoing: Outgoing[];
}

function probeLayout(model: tf.LayersModel): ProbeLayout {
  const chain = chainLayers(model);
  const hidden = hiddenLinearLayers(model);
  const weights = linearWeights(model);
  const outputLayer = model.outputLayers[0];
  const outputShape = outputLayer.outputShape as number[];
  const unitShapes = hidden.map((l) => (l.outputShape as (number | null)[]).slice(1) as number[]);
  const vars = weights.flatMap((w) => (w.bias ? [w.kernel, w.bias] : [w.kernel]));
  return {
    chain,
    hidden,
    weights,
    outputLayer,
    classes: outputShape[outputShape.length - 1],
    unitShapes,
    positions: unitShapes.map((s) => s.slice(0, -1).reduce((a, b) => a * b, 1)),
    vars,
    outgoing: outgoingOf(chain, hidden, weights, vars),
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
  /** Per hidden layer: G_in, the part of the next layer's summed-loss kernel gradient from inactive units. */
  inactiveGrads: tf.Tensor[];
  /** Per hidden layer: [sum of the pooled output over inactive windows, their count] ([0, 0] without a pool). */
  poolSums: tf.Tensor[];
  /** Per hidden layer: sum over samples and elements of the next layer's output, training minus inference mode. */
  shiftSums: tf.Tensor[];
};

const allSums = (s: GradientSums): tf.Tensor[] => [
  ...s.maxAbs,
  ...s.zeros,
  ...s.sumAbs,
  ...s.weightGrads,
  ...s.inactiveGrads,
  ...s.poolSums,
  ...s.shiftSums,
];

/** Tensors of the main pass kept for the outgoing-gradient share: layer inputs and outputs, step counters. */
interface Seen {
  inputs: Map<tf.layers.Layer, tf.Tensor>;
  outputs: Map<tf.layers.Layer, tf.Tensor>;
  steps: Map<tf.layers.Layer, number>;
}

/**
 * G_in per hidden layer (module doc), from the main pass's own tensors: x_in = x - f(a_act), each stochastic layer
 * of f replaying the mask it drew in the main pass, then the next layer's kernel gradient for input x_in and delta.
 */
function inactiveGrads(layout: ProbeLayout, seen: Seen, deltas: tf.Tensor[]): tf.Tensor[] {
  return layout.outgoing.map(({ activation, passOn, next, kernelAt }) => {
    const u = seen.inputs.get(activation) as tf.Tensor;
    const a = seen.outputs.get(activation) as tf.Tensor;
    let xAct = tf.where(tf.greater(u, 0), a, tf.zerosLike(a));
    for (const layer of passOn) {
      const now = isStochasticLayer(layer) ? layer.getStep() : 0;
      if (isStochasticLayer(layer)) layer.setStep(seen.steps.get(layer) as number);
      xAct = layer.apply(xAct, { training: true }) as tf.Tensor;
      if (isStochasticLayer(layer)) layer.setStep(now);
    }
    const xIn = tf.sub(seen.inputs.get(next) as tf.Tensor, xAct);
    const i = layout.hidden.indexOf(next);
    const delta = deltas[i >= 0 ? i : layout.hidden.length];
    return kernelGradient(next, layout.vars[kernelAt], xIn, delta);
  });
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number]);

/**
 * The summed-loss gradient of a linear layer's kernel for input x and dy = dL/d(its output): what the tape gives for
 * sum(layer(x) * dy), from the same kernel on the same shapes (so the same bits), without the forward pass and the
 * input gradient the tape would run too. Dense: x^T dy as tf.fused.matMul's gradient forms it; Conv2D (NHWC, no
 * dilation): Conv2DBackpropFilter. Any other layer or configuration goes through the tape.
 */
export function kernelGradient(layer: tf.layers.Layer, kernel: tf.Variable, x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const config = layer.getConfig();
  const linear = config.activation === 'linear';
  if (layer.getClassName() === 'Dense' && linear && x.rank === 2 && dy.rank === 2) {
    const [m, k] = x.shape;
    const product = tf.matMul(tf.reshape(x, [1, m, k]), tf.reshape(dy, [1, m, dy.shape[1] as number]), true, false);
    return tf.reshape(product, kernel.shape);
  }
  const dilations = pair(config.dilationRate ?? 1);
  const plainConv =
    layer.getClassName() === 'Conv2D' &&
    linear &&
    config.dataFormat === 'channelsLast' &&
    dilations[0] === 1 &&
    dilations[1] === 1 &&
    (config.padding === 'valid' || config.padding === 'same') &&
    x.rank === 4;
  if (plainConv) {
    const attrs = {
      strides: pair(config.strides),
      pad: config.padding as 'valid' | 'same',
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
      filterShape: kernel.shape,
    };
    return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.grads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, dy)))([kernel])[0];
}

/**
 * One batch's sums: a training-mode forward pass with zero taps after each hidden linear layer and on the logits,
 * and its gradients; then, beside it, G_in from the pass's kept tensors.
 */
function batchSums(layout: ProbeLayout, xb: tf.Tensor, yb: tf.Tensor): GradientSums {
  const { chain, hidden, unitShapes, vars, outputLayer, outgoing } = layout;
  const taps = [...unitShapes, [layout.classes]].map((s) => tf.zeros([xb.shape[0], ...s]));
  const inputsOf = new Set(outgoing.flatMap((o) => [o.activation, o.next]));
  const outputsOf = new Set(
    outgoing.flatMap((o, i) => [o.activation, o.next, ...(o.pooled ? [o.pooled, hidden[i]] : [])]),
  );
  const seen: Seen = { inputs: new Map(), outputs: new Map(), steps: new Map() };
  const loss = (): tf.Scalar => {
    let out: tf.Tensor = xb;
    for (const layer of chain) {
      if (inputsOf.has(layer)) seen.inputs.set(layer, tf.keep(out));
      if (isStochasticLayer(layer)) seen.steps.set(layer, layer.getStep());
      out = layer.apply(out, { training: true }) as tf.Tensor;
      if (outputsOf.has(layer)) seen.outputs.set(layer, tf.keep(out));
      const i = hidden.indexOf(layer);
      if (i >= 0) out = tf.add(out, taps[i]);
      else if (layer === outputLayer) out = tf.add(out, taps[hidden.length]);
    }
    return tf.losses.softmaxCrossEntropy(yb, out, undefined, 0, tf.Reduction.SUM) as tf.Scalar;
  };
  let grads: tf.Tensor[];
  let inactive: tf.Tensor[];
  let poolSums: tf.Tensor[];
  let shiftSums: tf.Tensor[];
  try {
    grads = tf.grads(loss)([...taps, ...vars]);
    inactive = inactiveGrads(layout, seen, grads.slice(0, taps.length));
    poolSums = inactivePoolSums(layout, seen);
    shiftSums = preactShiftSums(layout, seen, xb);
  } finally {
    tf.dispose([...seen.inputs.values(), ...seen.outputs.values()]);
  }
  const perLayer = grads.slice(0, hidden.length).map((g) => {
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
    inactiveGrads: inactive,
    poolSums,
    shiftSums,
  };
}

/**
 * Per hidden layer with one pool before the next linear layer: [sum, count] of what the pooled windows whose
 * pre-activations are all <= 0 pass on in training mode (max-pool over z <= 0, z the linear layer's output); for
 * N-ReLU before a max-pool, the maximum of the window's noise values. [0, 0] for a layer without a pool.
 */
function inactivePoolSums(layout: ProbeLayout, seen: Seen): tf.Tensor[] {
  return layout.outgoing.map(({ pool, pooled }, i) => {
    if (!pool || !pooled) return tf.zeros([2]);
    const z = seen.outputs.get(layout.hidden[i]) as tf.Tensor4D;
    const config = pool.getConfig();
    const padding = config.padding === 'same' ? 'same' : 'valid';
    const inactive = tf.lessEqual(tf.maxPool(z, pair(config.poolSize), pair(config.strides), padding), 0);
    const y = seen.outputs.get(pooled) as tf.Tensor;
    return tf.stack([tf.sum(tf.where(inactive, y, tf.zerosLike(y))), tf.sum(tf.cast(inactive, 'float32'))]);
  });
}

/**
 * Per hidden layer: the sum of (training-mode minus inference-mode output) of the next linear layer, on the same
 * samples and weights: what the stochastic layers before it shift its pre-activation by. 0 for a model without
 * stochastic layers (its two modes are one). The inference pass draws nothing, so no step counter moves.
 */
function preactShiftSums(layout: ProbeLayout, seen: Seen, xb: tf.Tensor): tf.Tensor[] {
  if (!layout.chain.some(isStochasticLayer)) return layout.outgoing.map(() => tf.scalar(0));
  const nexts = new Set(layout.outgoing.map((o) => o.next));
  const inference = new Map<tf.layers.Layer, tf.Tensor>();
  let out: tf.Tensor = xb;
  for (const layer of layout.chain) {
    out = layer.apply(out, { training: false }) as tf.Tensor;
    if (nexts.has(layer)) inference.set(layer, out);
  }
  return layout.outgoing.map(({ next }) =>
    tf.sum(tf.sub(seen.outputs.get(next) as tf.Tensor, inference.get(next) as tf.Tensor)),
  );
}

function foldSums(acc: GradientSums, batch: GradientSums): GradientSums {
  const add = (a: tf.Tensor[], b: tf.Tensor[]): tf.Tensor[] => a.map((t, i) => tf.add(t, b[i]));
  return {
    maxAbs: acc.maxAbs.map((t, i) => tf.maximum(t, batch.maxAbs[i])),
    zeros: add(acc.zeros, batch.zeros),
    sumAbs: add(acc.sumAbs, batch.sumAbs),
    weightGrads: add(acc.weightGrads, batch.weightGrads),
    inactiveGrads: add(acc.inactiveGrads, batch.inactiveGrads),
    poolSums: add(acc.poolSums, batch.poolSums),
    shiftSums: add(acc.shiftSums, batch.shiftSums),
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

type ReadSums = Record<'maxAbs' | 'zeros' | 'sumAbs', Float32Array[]> & {
  squaredNorms: Float32Array;
  /** Per hidden layer: ||G_in||^2, then ||G - G_in||^2. */
  outgoing: Float32Array;
  /** Per hidden layer: the inactive windows' pooled sum, then their count. */
  pools: Float32Array;
  /** Per hidden layer: the next layer's summed training-minus-inference output. */
  shifts: Float32Array;
};

/**
 * The sums on the host, in one read: per-unit vectors, the squared norms of the mean-loss weight gradients, and
 * per hidden layer ||G_in||^2 and ||G_act||^2 (summed loss: the share does not depend on the scale).
 */
async function readSums(layout: ProbeLayout, sums: GradientSums, n: number): Promise<ReadSums> {
  const all = tf.tidy(() => {
    const outgoing = layout.outgoing.flatMap((o, i) => {
      const inactive = sums.inactiveGrads[i];
      const active = tf.sub(sums.weightGrads[o.kernelAt], inactive);
      return [tf.sum(tf.square(inactive)), tf.sum(tf.square(active))];
    });
    return tf.concat([
      ...sums.maxAbs,
      ...sums.zeros,
      ...sums.sumAbs,
      tf.stack(sums.weightGrads.map((g) => tf.sum(tf.square(tf.div(g, n))))),
      ...(outgoing.length ? [tf.stack(outgoing)] : []),
      ...sums.poolSums,
      ...(sums.shiftSums.length ? [tf.stack(sums.shiftSums)] : []),
    ]);
  });
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
    outgoing: take(2 * sums.inactiveGrads.length),
    pools: take(2 * sums.poolSums.length),
    shifts: take(sums.shiftSums.length),
  };
}

const share = (inactive: number, active: number): number =>
  inactive + active === 0 ? 0 : inactive / (active + inactive);

function outgoingOfLayer(
  inactive: number,
  active: number,
): Pick<LayerGradient, 'outgoingInactiveSq' | 'outgoingActiveSq' | 'outgoingGradShare'> {
  return { outgoingInactiveSq: inactive, outgoingActiveSq: active, outgoingGradShare: share(inactive, active) };
}

function poolAndShift(
  next: tf.layers.Layer,
  n: number,
  [poolSum, windows]: Float32Array,
  shiftSum: number,
): Pick<LayerGradient, 'inactivePoolMean' | 'inactiveWindows' | 'preactShift'> {
  const perSample = (next.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1);
  return {
    inactivePoolMean: windows > 0 ? poolSum / windows : null,
    inactiveWindows: windows,
    preactShift: shiftSum / (n * perSample),
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
  const windows = layers.reduce((s, l) => s + l.inactiveWindows, 0);
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
    outgoingGradShare: share(
      layers.reduce((s, l) => s + l.outgoingInactiveSq, 0),
      layers.reduce((s, l) => s + l.outgoingActiveSq, 0),
    ),
    inactivePoolMean:
      windows > 0 ? layers.reduce((s, l) => s + (l.inactivePoolMean ?? 0) * l.inactiveWindows, 0) / windows : null,
    preactShift: layers.length ? layers.reduce((s, l) => s + l.preactShift, 0) / layers.length : 0,
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
  const read = await readSums(layout, sums, n);
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
      ...outgoingOfLayer(read.outgoing[2 * i], read.outgoing[2 * i + 1]),
      ...poolAndShift(layout.outgoing[i].next, n, read.pools.subarray(2 * i, 2 * i + 2), read.shifts[i]),
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
