import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { createActivation, type ActivationSpec } from '../../src/activations/registry.js';
import { kernelGradient, probeGradients, type GradientReport } from '../../src/metrics/gradient-flow.js';
import { lazyDense } from '../../src/models/lazy-dense.js';
import { buildModel } from '../../src/models/build.js';
import { fillCounterNormal, streamKey } from '../../src/rng/index.js';
import { trainRun } from '../../src/train/trainer.js';
import { toDeviceData } from '../../src/train/device-data.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { runSpec, syntheticDataset } from '../helpers/synthetic.js';
import { resultOf } from '../../src/metrics/record.js';
import { unitProbe } from '../../src/metrics/unit-probe.js';
import { gradientProbe } from '../../src/metrics/gradient-probe.js';

/**
 * input(2) -> dense(2) -> activation -> dense(2), weights chosen so the gradients come out by hand.
 * For x = [1, 1]: z = [2, -2]; with ReLU a = [2, 0]; logits = a W2 + b2 = [1, -1] + [-1, 1] = [0, 0],
 * so softmax p = [0.5, 0.5] and for label 0, dl/dlogits = p - y = [-0.5, 0.5].
 * dl/da = W2 (p - y) = [0.5 * -0.5 + -0.5 * 0.5, 3 * -0.5 + 7 * 0.5] = [-0.5, 2];
 * dl/dz = dl/da * act'(z) = [-0.5, 0] for ReLU (unit 2 is negative), [-0.5, 0.02] for LeakyReLU 0.01.
 * Kernel gradients are outer products: dW2 = a^T (p - y) = [[-1, 1], [0, 0]] (norm sqrt 2), db2 = [-0.5, 0.5]
 * (norm sqrt 0.5); dW1 = x^T dl/dz = [[-0.5, 0], [-0.5, 0]] (norm sqrt 0.5), db1 = [-0.5, 0] (norm 0.5).
 */
function handModel(activation: ActivationSpec): tf.LayersModel {
  const input = tf.input({ shape: [2] });
  const hidden = tf.layers.dense({ units: 2, name: 'hidden' });
  const act = createActivation(activation, { seed: 5, name: 'act' });
  const out = tf.layers.dense({ units: 2, name: 'out' });
  const model = tf.model({ inputs: input, outputs: out.apply(act.apply(hidden.apply(input))) as tf.SymbolicTensor });
  hidden.setWeights([
    tf.tensor2d([
      [1, -1],
      [1, -1],
    ]),
    tf.zeros([2]),
  ]);
  out.setWeights([
    tf.tensor2d([
      [0.5, -0.5],
      [3, 7],
    ]),
    tf.tensor1d([-1, 1]),
  ]);
  return model;
}

const close = (actual: number, expected: number, what: string, tol = 1e-6): void =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] the hand-computed two-layer example: exact gradient norms, grad-dead unit, zero fraction`, async () => {
    await useBackend(backend);
    const x = tf.tensor2d([[1, 1]]);
    const y = tf.tensor1d([0], 'int32');
    const r = await probeGradients(handModel('relu'), x, y);
    const [h] = r.layers;
    assert.equal(r.layers.length, 1);
    assert.equal(h.name, 'hidden');
    assert.deepEqual([...h.unitGradDead], [0, 1]);
    assert.equal(h.gradDead, 1);
    assert.equal(h.zeroFraction, 0.5);
    close(h.meanAbsGrad, 0.25, 'mean |dl/dz| over units: (0.5 + 0) / 2');
    close(h.weightGradNorm, Math.sqrt(0.5), 'hidden kernel');
    close(h.biasGradNorm, 0.5, 'hidden bias');
    close(r.output.weightGradNorm, Math.sqrt(2), 'output kernel');
    close(r.output.biasGradNorm, Math.sqrt(0.5), 'output bias');
    close(r.weightGradNorm, Math.sqrt(2.5), 'all kernels');
    close(r.biasGradNorm, Math.sqrt(0.75), 'all biases');

    // LeakyReLU (0.01): a = [2, -0.02], logits = [-0.06, -0.14], p0 = sigmoid(0.08), p - y = (1 - p0) [-1, 1],
    // dl/da2 = 3 (p0 - 1) + 7 (1 - p0) = 4 (1 - p0), dl/dz2 = 0.01 * 4 (1 - p0): not grad-dead.
    const leaky = await probeGradients(handModel('leaky_relu'), x, y);
    const q = 1 - 1 / (1 + Math.exp(-0.08));
    assert.deepEqual([...leaky.layers[0].unitGradDead], [0, 0]);
    assert.equal(leaky.layers[0].zeroFraction, 0);
    close(leaky.layers[0].unitMeanAbsGrad[1], 0.04 * q, 'leaky unit 2');
    close(leaky.layers[0].unitMeanAbsGrad[0], q, 'leaky unit 1: |0.5 (p0 - 1) - 0.5 (1 - p0)| = 1 - p0');

    // Two samples with opposite labels: per-sample |dl/dz| is 0.5 for unit 1 in both, but the mean-loss
    // gradients cancel, so every norm is 0 while the mean |dl/dz| stays 0.25.
    const x2 = tf.tensor2d([
      [1, 1],
      [1, 1],
    ]);
    const y2 = tf.tensor1d([0, 1], 'int32');
    const both = await probeGradients(handModel('relu'), x2, y2);
    close(both.layers[0].meanAbsGrad, 0.25, 'mean of |per-sample gradient|');
    assert.equal(both.weightGradNorm, 0);
    assert.equal(both.biasGradNorm, 0);
    tf.dispose([x, y, x2, y2]);
  });
}

/** Forces hidden unit `unit` of `layer` negative on every input: zero kernel column, bias -100. */
function forceNegative(model: tf.LayersModel, layer: string, unit: number): void {
  const l = model.getLayer(layer);
  const [kernel, bias] = l.getWeights();
  const units = bias.shape[0];
  const mask = tf.oneHot([unit], units).reshape([units]);
  const newKernel = tf.mul(kernel, tf.sub(1, mask));
  const newBias = tf.add(tf.mul(bias, tf.sub(1, mask)), tf.mul(mask, -100));
  l.setWeights([newKernel, newBias]);
  tf.dispose([mask, newKernel, newBias]);
}

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] a unit forced negative on every sample is gradient-dead for ReLU and N-ReLU, not for LeakyReLU (Dense and Conv2D)`, async () => {
    await useBackend(backend);
    const x = tf.randomUniform([24, 12, 12, 1], 0, 1, 'float32', 7);
    const y = tf.tensor1d(
      Array.from({ length: 24 }, (_, i) => i % 10),
      'int32',
    );
    const cases: [ActivationSpec, boolean][] = [
      ['relu', true],
      [{ name: 'nrelu', sigma: 0.1 }, true],
      ['leaky_relu', false],
    ];
    for (const [activation, dead] of cases) {
      for (const kind of ['mlp', 'cnn'] as const) {
        const model =
          kind === 'mlp'
            ? buildModel({ model: 'mlp', activation, hidden: [16, 8], seed: 3, inputShape: [12, 12, 1] })
            : buildModel({ model: 'cnn', activation, filters: [4], dense: [8], seed: 3, inputShape: [12, 12, 1] });
        const layer = kind === 'mlp' ? 'dense_1' : 'conv_1';
        forceNegative(model, layer, 2);
        const r = await probeGradients(model, x, y, { batchSize: 10 });
        const l = r.layers.find((g) => g.name === layer)!;
        const label = `${JSON.stringify(activation)} ${kind}`;
        assert.equal(l.unitGradDead[2], dead ? 1 : 0, `${label}: unit 2 grad-dead`);
        if (dead) assert.equal(l.unitMeanAbsGrad[2], 0, `${label}: no gradient at all`);
        else assert.ok(l.unitMeanAbsGrad[2] > 0, `${label}: LeakyReLU passes gradient`);
        if (!dead) assert.equal(r.gradDead, 0, `${label}: LeakyReLU has no gradient-dead unit`);
        model.dispose();
      }
    }
    tf.dispose([x, y]);
  });
}

const allWeights = (model: tf.LayersModel): Float32Array[] =>
  model.getWeights().map((w) => w.dataSync() as Float32Array);

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] probing changes neither weights nor noise counters, and leaks no tensors`, async () => {
    await useBackend(backend);
    const x = tf.randomUniform([40, 28, 28, 1], 0, 1, 'float32', 11);
    const y = tf.tensor1d(
      Array.from({ length: 40 }, (_, i) => (3 * i) % 10),
      'int32',
    );
    const spec: ActivationSpec = { name: 'nrelu', sigma: 0.2 };
    const probed = buildModel({ model: 'mlp', activation: spec, hidden: [32, 16], seed: 9, dropout: 0.25 });
    const twin = buildModel({ model: 'mlp', activation: spec, hidden: [32, 16], seed: 9, dropout: 0.25 });
    const stepped = probed.layers.filter((l) => 'getStep' in l) as unknown as { getStep(): number }[];
    assert.equal(stepped.length, 4, 'two N-ReLU and two dropout layers');
    // Advance the counters first, so a restore to 0 would not pass by accident.
    tf.dispose([
      probed.apply(tf.slice(x, 0, 4), { training: true }) as tf.Tensor,
      twin.apply(tf.slice(x, 0, 4), { training: true }) as tf.Tensor,
    ]);
    const steps = stepped.map((l) => l.getStep());
    const weights = allWeights(probed);
    await probeGradients(probed, x, y, { batchSize: 16 }); // warm-up (kernels, caches)
    const before = tf.memory().numTensors;
    await probeGradients(probed, x, y, { batchSize: 16 });
    assert.equal(tf.memory().numTensors, before, 'no tensor growth');
    assert.deepEqual(
      stepped.map((l) => l.getStep()),
      steps,
      'noise and dropout step counters restored',
    );
    assert.deepEqual(allWeights(probed), weights, 'weights bit-identical');
    // The next training-mode pass draws the same noise as on a model that was never probed.
    const batch = tf.slice(x, 0, 8);
    const [a, b] = [
      probed.apply(batch, { training: true }) as tf.Tensor,
      twin.apply(batch, { training: true }) as tf.Tensor,
    ];
    assert.deepEqual(a.dataSync(), b.dataSync());
    tf.dispose([a, b, batch, x, y]);
    probed.dispose();
    twin.dispose();
  });
}

// ---- brute force: the MLP's per-sample gradients by hand in float64, noise drawn from the layers' own streams ----

interface Dense {
  kernel: number[][];
  bias: number[];
}

function denseLayers(model: tf.LayersModel): Dense[] {
  return model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .map((l) => {
      const [k, b] = l.getWeights();
      return { kernel: k.arraySync() as number[][], bias: b.arraySync() as number[] };
    });
}

type Act =
  | { kind: 'relu' }
  | { kind: 'leaky'; alpha: number }
  | { kind: 'nrelu'; sigma: number; seeds: number[]; step0: number[] };

/**
 * Per-sample dl/dz of every hidden layer, the mean-loss gradient of every kernel and bias, and each hidden layer's
 * outgoing-gradient share from its definition: G_in = x_in^T delta of the next layer (x_in: the layer's outputs
 * where its pre-activation is <= 0, 0 elsewhere), G = x^T delta, share = |G_in|^2 / (|G - G_in|^2 + |G_in|^2).
 */
function bruteForce(layers: Dense[], act: Act, xs: number[][], labels: number[], batchSize: number) {
  const hiddenCount = layers.length - 1;
  const perSample: number[][][] = Array.from({ length: hiddenCount }, () => []);
  const gk = layers.map((l) => l.kernel.map((row) => row.map(() => 0)));
  const gIn = layers.map((l) => l.kernel.map((row) => row.map(() => 0)));
  const gb = layers.map((l) => l.bias.map(() => 0));
  // N-ReLU noise: batch k of the probe is training pass step0 + k of each layer; element (row, unit) is
  // value row * units + unit of that pass's stream.
  const noise = new Map<string, Float32Array>();
  const eps = (layer: number, sample: number, unit: number, units: number): number => {
    if (act.kind !== 'nrelu') return 0;
    const batch = Math.floor(sample / batchSize);
    const key = `${layer}:${batch}`;
    if (!noise.has(key)) {
      const rows = Math.min(batchSize, xs.length - batch * batchSize);
      noise.set(
        key,
        fillCounterNormal(new Float32Array(rows * units), streamKey(act.seeds[layer], act.step0[layer] + batch)),
      );
    }
    return noise.get(key)![(sample - batch * batchSize) * units + unit];
  };
  xs.forEach((x, s) => {
    const inputs: number[][] = [x];
    const zs: number[][] = [];
    let a = x;
    layers.forEach((l, li) => {
      const z = l.bias.map((b, j) => b + a.reduce((sum, v, i) => sum + v * l.kernel[i][j], 0));
      zs.push(z);
      if (li === hiddenCount) return;
      a = z.map((v, j) =>
        v > 0
          ? v
          : act.kind === 'relu'
            ? 0
            : act.kind === 'leaky'
              ? act.alpha * v
              : Math.fround(Math.fround(act.sigma) * eps(li, s, j, z.length)),
      );
      inputs.push(a);
    });
    const logits = zs[hiddenCount];
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const total = e.reduce((p, q) => p + q, 0);
    let delta = e.map((v, j) => v / total - (j === labels[s] ? 1 : 0));
    for (let li = hiddenCount; li >= 0; li--) {
      layers[li].kernel.forEach((row, i) =>
        row.forEach((_, j) => {
          gk[li][i][j] += (inputs[li][i] * delta[j]) / xs.length;
          if (li > 0 && zs[li - 1][i] <= 0) gIn[li][i][j] += inputs[li][i] * delta[j];
        }),
      );
      delta.forEach((d, j) => {
        gb[li][j] += d / xs.length;
      });
      if (li === 0) break;
      const da = layers[li].kernel.map((row) => row.reduce((sum, w, j) => sum + w * delta[j], 0));
      const z = zs[li - 1];
      delta = da.map((g, i) => g * (z[i] > 0 ? 1 : act.kind === 'leaky' ? act.alpha : 0));
      perSample[li - 1].push(delta);
    }
  });
  const norm = (values: number[]): number => Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  const shares = gIn.slice(1).map((g, k) => {
    const inactive = norm(g.flat()) ** 2;
    const active = norm(gk[k + 1].flat().map((v, e) => v * xs.length - g.flat()[e])) ** 2;
    return inactive + active === 0 ? 0 : inactive / (inactive + active);
  });
  return { perSample, kernelNorms: gk.map((k) => norm(k.flat())), biasNorms: gb.map(norm), shares };
}

function checkAgainst(r: GradientReport, brute: ReturnType<typeof bruteForce>, label: string): void {
  r.layers.forEach((l, li) => {
    const g = brute.perSample[li];
    const n = g.length;
    let zeros = 0;
    for (let u = 0; u < l.units; u++) {
      const column = g.map((row) => row[u]);
      zeros += column.filter((v) => v === 0).length;
      assert.equal(l.unitGradDead[u], column.every((v) => v === 0) ? 1 : 0, `${label} ${l.name} unit ${u} grad-dead`);
      close(
        l.unitMeanAbsGrad[u],
        column.reduce((s, v) => s + Math.abs(v), 0) / n,
        `${label} ${l.name} unit ${u} mean |g|`,
        1e-4,
      );
    }
    assert.equal(l.zeroFraction, zeros / (n * l.units), `${label} ${l.name} zero fraction`);
    close(l.weightGradNorm, brute.kernelNorms[li], `${label} ${l.name} kernel norm`, 1e-4);
    close(l.biasGradNorm, brute.biasNorms[li], `${label} ${l.name} bias norm`, 1e-4);
    // float32 sums against float64 ones: 1e-4 absolute on a share in [0, 1].
    close(l.outgoingGradShare, brute.shares[li], `${label} ${l.name} outgoing-gradient share`, 1e-4);
  });
  close(r.output.weightGradNorm, brute.kernelNorms[r.layers.length], `${label} output kernel norm`, 1e-4);
}

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] probe numbers equal a brute-force per-sample computation (MLP; ReLU, LeakyReLU, N-ReLU)`, async () => {
    await useBackend(backend);
    const n = 37;
    const batchSize = 16; // three batches, the last one short
    const xt = tf.randomUniform([n, 6, 6, 1], 0, 1, 'float32', 21);
    const xs = xt.reshape([n, 36]).arraySync() as number[][];
    const labels = Array.from({ length: n }, (_, i) => (7 * i) % 10);
    const yt = tf.tensor1d(labels, 'int32');
    const cases: [ActivationSpec, (m: tf.LayersModel) => Act][] = [
      ['relu', () => ({ kind: 'relu' })],
      ['leaky_relu', () => ({ kind: 'leaky', alpha: 0.01 })],
      [
        { name: 'nrelu', sigma: 0.5 },
        (m) => {
          const acts = m.layers.filter((l) => l.getClassName() === 'NReLU') as unknown as {
            seed: number;
            getStep(): number;
          }[];
          return { kind: 'nrelu', sigma: 0.5, seeds: acts.map((l) => l.seed), step0: acts.map((l) => l.getStep()) };
        },
      ],
    ];
    for (const [activation, act] of cases) {
      const model = buildModel({ model: 'mlp', activation, hidden: [12, 8], seed: 4, inputShape: [6, 6, 1] });
      const brute = bruteForce(denseLayers(model), act(model), xs, labels, batchSize);
      const r = await probeGradients(model, xt, yt, { batchSize });
      checkAgainst(r, brute, JSON.stringify(activation));
      assert.ok(
        brute.perSample.flat(2).some((v) => v !== 0),
        'a non-trivial example',
      );
      if (activation === 'relu') {
        assert.ok(
          r.layers.some((l) => l.zeroFraction > 0),
          'ReLU has zero-gradient pairs here',
        );
        assert.deepEqual(
          [r.outgoingGradShare, ...r.layers.map((l) => l.outgoingGradShare)],
          [0, 0, 0],
          'ReLU: exactly 0',
        );
      } else if (activation !== 'leaky_relu')
        assert.ok(Math.min(...brute.shares) > 0.01, 'N-ReLU: a non-trivial share');
      model.dispose();
    }
    tf.dispose([xt, yt]);
  });
}

test('Conv2D units are channels over all positions: batched numbers equal one sample at a time', async () => {
  await useBackend('cpu');
  const x = tf.randomUniform([9, 10, 10, 1], 0, 1, 'float32', 5);
  const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8], 'int32');
  const model = buildModel({
    model: 'cnn',
    activation: 'relu',
    filters: [3],
    dense: [5],
    seed: 2,
    inputShape: [10, 10, 1],
  });
  const all = await probeGradients(model, x, y, { batchSize: 4 });
  const single = await Promise.all(
    Array.from({ length: 9 }, (_, i) => tf.tidy(() => [tf.slice(x, i, 1), tf.slice(y, i, 1)])).map(async ([xi, yi]) => {
      const r = await probeGradients(model, xi, yi as tf.Tensor1D);
      tf.dispose([xi, yi]);
      return r;
    }),
  );
  all.layers.forEach((l, li) => {
    for (let u = 0; u < l.units; u++) {
      const dead = single.every((s) => s.layers[li].unitGradDead[u] === 1);
      assert.equal(l.unitGradDead[u], dead ? 1 : 0, `${l.name} unit ${u}`);
      close(
        l.unitMeanAbsGrad[u],
        single.reduce((s, r) => s + r.layers[li].unitMeanAbsGrad[u], 0) / 9,
        `${l.name} unit ${u} mean |g|`,
        1e-5,
      );
    }
    // A (sample, channel) pair is zero when the channel's gradient is 0 at every position for that sample.
    close(
      l.zeroFraction,
      single.reduce((s, r) => s + r.layers[li].zeroFraction, 0) / 9,
      `${l.name} zero fraction`,
      1e-9,
    );
  });
  assert.equal(all.layers[0].units, 3, 'conv_1 has 3 channel units');
  tf.dispose([x, y]);
  model.dispose();
});

test('in trainRun: gradient columns on probed epochs only, and training is the same with the probe on or off', async () => {
  await useBackend('wasm');
  const data = toDeviceData(syntheticDataset());
  const spec = runSpec({
    activation: { name: 'nrelu', params: {} },
    varied: { param: 'sigma', schedule: 'constant', start: 0.2, end: 0.2 },
    train: { epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.003 },
    deadNeurons: { probe: 'train', samples: 128, threshold: 0, every: 2, dormantTau: 0.1, gradientSamples: 100 },
  });
  const on = await trainRun(spec, data);
  const off = await trainRun({ ...spec, deadNeurons: { ...spec.deadNeurons, gradientSamples: 0 } }, data);
  assert.deepEqual(
    on.epochs.map((e) => resultOf(e, gradientProbe) !== null),
    [false, true, true],
  );
  assert.deepEqual(
    off.epochs.map((e) => resultOf(e, gradientProbe)),
    [null, null, null],
  );
  const g = resultOf(on.epochs[2], gradientProbe)!;
  assert.equal(g.samples, 100);
  assert.equal(g.units, 32);
  assert.ok(g.outgoingGradShare > 0 && g.outgoingGradShare <= 1, `N-ReLU's outgoing share ${g.outgoingGradShare}`);
  const strip = (r: typeof on) =>
    r.epochs.map((e) => [
      e.trainLoss,
      e.trainAcc,
      e.testLoss,
      e.testAcc,
      resultOf(e, unitProbe)?.dead.dead,
      resultOf(e, unitProbe)?.activity.zeroOutput,
    ]);
  assert.deepEqual(strip(on), strip(off), 'probing gradients changes nothing the run trains or measures');
  data.dispose();
});

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] outgoing-gradient share through pooling, dropout: 0 for ReLU, in (0, 1] for N-ReLU`, async () => {
    await useBackend(backend);
    const x = tf.randomUniform([30, 12, 12, 1], 0, 1, 'float32', 17);
    const y = tf.tensor1d(
      Array.from({ length: 30 }, (_, i) => (3 * i) % 10),
      'int32',
    );
    const shapes = [
      { pool: 'max' as const },
      { pool: 'avg' as const },
      { pool: 'max' as const, activationAfterPool: true },
      // Dropout between the dense activation and the output layer: f must replay the pass's own mask, or ReLU's
      // x - f(a_act) is not 0.
      { pool: 'max' as const, dropout: 0.4 },
    ];
    for (const shape of shapes) {
      for (const activation of ['relu', { name: 'nrelu', sigma: 0.1 }] as ActivationSpec[]) {
        const model = buildModel({
          model: 'cnn',
          activation,
          filters: [4, 6],
          dense: [8],
          seed: 5,
          inputShape: [12, 12, 1],
          ...shape,
        });
        const r = await probeGradients(model, x, y, { batchSize: 12 });
        const label = `${JSON.stringify(activation)} ${JSON.stringify(shape)}`;
        const shares = [r.outgoingGradShare, ...r.layers.map((l) => l.outgoingGradShare)];
        if (activation === 'relu') assert.deepEqual(shares, [0, 0, 0, 0], `${label}: exactly 0`);
        else for (const v of shares) assert.ok(v > 0 && v <= 1, `${label}: ${shares.join(', ')} in (0, 1]`);
        model.dispose();
      }
    }
    tf.dispose([x, y]);
  });
}

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] kernelGradient equals the tape's kernel gradient bit for bit (Dense, lazy Dense, Conv2D)`, async () => {
    await useBackend(backend);
    const cases: { layer: tf.layers.Layer; input: number[]; direct: boolean }[] = [
      { layer: tf.layers.dense({ units: 6 }), input: [9, 7], direct: true },
      { layer: lazyDense({ units: 5 }), input: [13, 8], direct: true },
      { layer: tf.layers.conv2d({ filters: 4, kernelSize: 3 }), input: [5, 9, 9, 3], direct: true },
      {
        layer: tf.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same' }),
        input: [4, 7, 7, 2],
        direct: true,
      },
      { layer: tf.layers.conv2d({ filters: 2, kernelSize: 3, useBias: false }), input: [3, 6, 6, 1], direct: true },
      // A fused activation changes dy, so the tape computes these.
      { layer: tf.layers.dense({ units: 3, activation: 'relu' }), input: [6, 4], direct: false },
    ];
    let seed = 11;
    for (const { layer, input, direct } of cases) {
      const x = tf.randomNormal(input, 0, 1, 'float32', seed++);
      const outShape = layer.computeOutputShape(input) as number[];
      const dy = tf.randomNormal(outShape, 0, 1, 'float32', seed++);
      layer.apply(x); // builds the weights
      const kernel = layer.trainableWeights[0].read() as tf.Variable;
      const tape = tf.grads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, dy)))([kernel])[0];
      const ours = kernelGradient(layer, kernel, x, dy);
      const label = `${layer.getClassName()} ${JSON.stringify(layer.getConfig().strides ?? '')} [${input}]`;
      assert.deepEqual(ours.shape, tape.shape, label);
      assert.deepEqual(Array.from(ours.dataSync()), Array.from(tape.dataSync()), label);
      if (direct) {
        // The direct path runs no forward pass: the layer's call is never reached.
        const call = layer.call.bind(layer);
        layer.call = () => {
          throw new Error('forward pass');
        };
        tf.dispose(kernelGradient(layer, kernel, x, dy));
        layer.call = call;
      }
      tf.dispose([x, dy, tape, ours]);
      layer.dispose();
    }
  });
}

/**
 * The pooling offset (issue 21, part 2): with conv_1's pre-activations forced <= 0 (bias -100), every window of its
 * pool is inactive. N-ReLU then passes on, per window and channel, the max of four N(0, sigma^2) values before a max-pool
 * (E = 1.0294 sigma, SD 0.7012 sigma), their mean before an average pool (E 0, SD sigma / 2), or one value when the
 * pool comes first (E 0, SD sigma). 200 samples give 200 x 5 x 5 x 4 = 20,000 windows: tolerance 4 standard errors.
 * conv_2's pre-activation in inference is then its bias alone; with its kernel all ones, each output adds 36 window
 * values, so the mean training-minus-inference shift has expectation 36 E[window] and, taking all outputs of a sample as
 * fully correlated, a standard error of at most 6 SD[window] / sqrt(200): tolerance 4 of those.
 */
test('inactive pooling windows: N-ReLU passes on E[max of 4 noise values] through a max-pool, 0 otherwise', async () => {
  await useBackend('wasm');
  const n = 200;
  const sigma = 0.5;
  const x = tf.randomUniform([n, 12, 12, 1], 0, 1, 'float32', 23);
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  const cases = [
    { shape: { pool: 'max' as const }, window: { mean: 1.0294, sd: 0.7012 } },
    { shape: { pool: 'avg' as const }, window: { mean: 0, sd: 0.5 } },
    { shape: { pool: 'max' as const, activationAfterPool: true }, window: { mean: 0, sd: 1 } },
  ];
  for (const { shape, window } of cases) {
    for (const activation of [{ name: 'nrelu', sigma }, 'relu'] as ActivationSpec[]) {
      const model = buildModel({
        model: 'cnn',
        activation,
        filters: [4, 6],
        dense: [8],
        seed: 9,
        inputShape: [12, 12, 1],
        ...shape,
      });
      const conv1 = model.getLayer('conv_1');
      const [kernel, bias] = conv1.getWeights();
      conv1.setWeights([kernel, tf.fill(bias.shape, -100)]);
      const r = await probeGradients(model, x, y, { batchSize: 64 });
      const first = r.layers[0];
      const label = `${JSON.stringify(activation)} ${JSON.stringify(shape)}`;
      assert.equal(first.inactiveWindows, n * 5 * 5 * 4, `${label}: every window of conv_1 is inactive`);
      const mean = first.inactivePoolMean as number;
      if (activation === 'relu') {
        assert.deepEqual([mean, first.preactShift, r.preactShift], [0, 0, 0], `${label}: ReLU passes on nothing`);
      } else {
        const se = (window.sd * sigma) / Math.sqrt(first.inactiveWindows);
        assert.ok(
          Math.abs(mean - window.mean * sigma) <= 4 * se,
          `${label}: ${mean} vs ${window.mean * sigma} ± ${4 * se}`,
        );
        // conv_2's kernel set to ones: each output sums 3 x 3 x 4 = 36 window values.
        const conv2 = model.getLayer('conv_2');
        const [k2, b2] = conv2.getWeights();
        conv2.setWeights([tf.onesLike(k2), b2]);
        const r2 = await probeGradients(model, x, y, { batchSize: 64 });
        const shift = r2.layers[0].preactShift;
        const expected = 36 * window.mean * sigma;
        const tolerance = (4 * 6 * window.sd * sigma) / Math.sqrt(n);
        assert.ok(
          Math.abs(shift - expected) <= tolerance,
          `${label}: conv_2 shift ${shift} vs ${expected} ± ${tolerance}`,
        );
      }
      model.dispose();
    }
  }
  const mlp = buildModel({
    model: 'mlp',
    activation: { name: 'nrelu', sigma },
    hidden: [8],
    seed: 9,
    inputShape: [12, 12, 1],
  });
  const r = await probeGradients(mlp, x, y);
  assert.deepEqual([r.inactivePoolMean, r.layers[0].inactivePoolMean, r.layers[0].inactiveWindows], [null, null, 0]);
  mlp.dispose();
  tf.dispose([x, y]);
});
