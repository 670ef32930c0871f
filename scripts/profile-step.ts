/**
 * Per-kernel profile of one training step of the benchmark's MLP or CNN (the trainer's step:
 * gather, forward in training mode, softmax cross-entropy, variableGrads, Adam, read the loss).
 *
 *   npx tsx scripts/profile-step.ts [--model mlp|cnn] [--activation relu] [--backend wasm] [--steps 10]
 */
import { parseArgs } from 'node:util';
import { tf } from '../src/tf.js';
import { selectBackend, type BackendRequest } from '../src/backend/select.js';
import { StepRunner, benchData } from '../src/bench/step.js';
import type { ModelKind } from '../src/models/build.js';
import { parseActivationSpec } from '../src/cli/bench.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'mlp' },
    activation: { type: 'string', default: 'relu' },
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '10' },
    top: { type: 'string', default: '14' },
  },
});

async function main(): Promise<void> {
  await selectBackend(values.backend as BackendRequest);
  const data = benchData(128, 16, 1);
  const runner = new StepRunner(
    data,
    values.model as ModelKind,
    parseActivationSpec(values.activation ?? 'relu'),
    128,
    1,
  );
  for (let i = 0; i < 3; i++) runner.step();
  const times: number[] = [];
  for (let i = 0; i < Number(values.steps); i++) {
    const t = performance.now();
    runner.step();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${values.model} ${values.activation} on ${tf.getBackend()}: step median ${times[times.length >> 1].toFixed(2)} ms, min ${times[0].toFixed(2)}`,
  );
  const profile = await tf.profile(() => {
    runner.step();
  });
  const byKernel = new Map<string, { ms: number; n: number }>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n += 1;
    byKernel.set(k.name, e);
  }
  const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
  console.log(`${profile.kernels.length} kernels, ${total.toFixed(2)} ms in kernels`);
  console.log('| kernel | calls | ms | share |\n|---|---:|---:|---:|');
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.top))) {
    console.log(`| ${name} | ${e.n} | ${e.ms.toFixed(2)} | ${((100 * e.ms) / total).toFixed(0)}% |`);
  }
  runner.dispose();
  data.dispose();
}
await main();
