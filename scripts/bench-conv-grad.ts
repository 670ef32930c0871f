/**
 * Times one training step of the default CNN (conv3x3x32-relu-pool-conv3x3x64-relu-pool-dense128-
 * relu-dense10, Adam, synthetic 28x28x1 data) on the wasm backend, where Conv2DBackpropFilter is
 * nrelu-bench's kernel, and shows where the step's time goes.
 *
 *   npx tsx scripts/bench-conv-grad.ts [--batch 128] [--warmup 3] [--repeats 10]
 *
 * Reports the median (min-max) of timed repeats after warm-up, samples per second, the per-kernel
 * profile of one step, and the filter-gradient kernel against the forward Conv2D of each layer.
 */
import { parseArgs } from 'node:util';
import { tf } from '../src/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { Rng } from '../src/rng/index.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '128' },
    warmup: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '10' },
  },
});
const batch = Number(values.batch),
  warmup = Number(values.warmup),
  repeats = Number(values.repeats);

function stats(ms: number[]): { median: number; min: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

function timeIt(fn: () => void): number[] {
  for (let i = 0; i < warmup; i++) fn();
  return Array.from({ length: repeats }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
}

const fmt = (s: { median: number; min: number; max: number }) =>
  `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}-${s.max.toFixed(1)})`;

function defaultCnn(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, kernelInitializer: init(1) }));
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, kernelInitializer: init(2) }));
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, kernelInitializer: init(3) }));
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: init(4) }));
  return model;
}

async function main(): Promise<void> {
  const selection = await selectBackend('wasm');
  const rng = new Rng(1);
  const xs = tf.tensor4d(rng.fillUniform(new Float32Array(batch * 784)), [batch, 28, 28, 1]);
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const model = defaultCnn();
  const optimizer = tf.train.adam(1e-3);
  const step = () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor) as tf.Scalar,
      true,
    );
    loss?.dataSync();
    loss?.dispose();
  };

  const stepStats = stats(timeIt(step));
  console.log(
    `backend ${selection.name}, TF.js ${tf.version.tfjs}, Node.js ${process.version}, batch ${batch}, ` +
      `${warmup} warm-up + ${repeats} timed steps`,
  );
  console.log(`\ntraining step: ${fmt(stepStats)}, ${((batch / stepStats.median) * 1000).toFixed(0)} samples/s\n`);

  const profile = await tf.profile(step);
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
  }
  const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
  console.log('| kernel (one profiled step) | ms | share |\n|---|---:|---:|');
  for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`| ${name} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(0)}% |`);
  }

  console.log('\n| layer | forward Conv2D | Conv2DBackpropFilter (ours) | ratio |\n|---|---:|---:|---:|');
  const layers: { name: string; x: [number, number, number, number]; f: [number, number, number, number] }[] = [
    { name: 'conv1 28x28x1 -> 32', x: [batch, 28, 28, 1], f: [3, 3, 1, 32] },
    { name: 'conv2 13x13x32 -> 64', x: [batch, 13, 13, 32], f: [3, 3, 32, 64] },
  ];
  for (const layer of layers) {
    const x = tf.randomUniform(layer.x) as tf.Tensor4D;
    const filter = tf.randomUniform(layer.f) as tf.Tensor4D;
    const dy = tf.conv2d(x, filter, 1, 'valid');
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: layer.f };
    // Return nothing from tidy: it would walk a returned typed array element by element.
    const fwd = stats(
      timeIt(() =>
        tf.tidy(() => {
          tf.conv2d(x, filter, 1, 'valid').dataSync();
        }),
      ),
    );
    const grad = stats(
      timeIt(() => {
        const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
        out.dataSync();
        out.dispose();
      }),
    );
    console.log(`| ${layer.name} | ${fmt(fwd)} | ${fmt(grad)} | ${(grad.median / fwd.median).toFixed(2)} |`);
    tf.dispose([x, filter, dy]);
  }
  tf.dispose([xs, ys]);
  model.dispose();
  optimizer.dispose();
}

await main();
