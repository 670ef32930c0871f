/**
 * N-ReLU's generic noise path (what the native backend and every backend without the fused
 * kernel run) against ReLU, on the cpu backend with every fused kernel of nrelu-bench off (noise,
 * activation gradients, Adam): the step time ratio, with the worker drawing the next pass's normals
 * ahead and without it. Timed round-robin in one process.
 *
 *   npx tsx scripts/bench-generic-noise.ts [--model mlp|cnn] [--backend cpu] [--steps 15]
 */
import { parseArgs } from 'node:util';
import { tf } from '../src/tf.js';
import { selectBackend, type BackendRequest } from '../src/backend/select.js';
import { benchSteps, type StepBenchEntry } from '../src/bench/step.js';
import { useNoiseKernels } from '../src/activations/noise-kernels.js';
import { prefetchStats, useNoisePrefetch } from '../src/activations/noise-prefetch.js';
import { useFusedActivationGradients } from '../src/activations/fused-gradients.js';
import { useFusedAdam } from '../src/train/fused-adam.js';
import type { ModelKind } from '../src/models/build.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'mlp' },
    backend: { type: 'string', default: 'cpu' },
    steps: { type: 'string', default: '15' },
  },
});

/** Every fused kernel off around a step (and back on after), optionally the prefetch worker too. */
function genericOnly(label: string, activation: StepBenchEntry['activation'], prefetch: boolean): StepBenchEntry {
  let saved: boolean[] = [];
  return {
    activation,
    label,
    before: () => {
      saved = [
        useNoiseKernels(false),
        useFusedActivationGradients(false),
        useFusedAdam(false),
        useNoisePrefetch(prefetch),
      ];
    },
    after: () => {
      useNoiseKernels(saved[0]);
      useFusedActivationGradients(saved[1]);
      useFusedAdam(saved[2]);
      useNoisePrefetch(saved[3]);
    },
  };
}

async function main(): Promise<void> {
  await selectBackend(values.backend as BackendRequest);
  tf.env().set('PROD', true);
  const nrelu = { name: 'nrelu', sigma: 0.1 } as const;
  const report = await benchSteps({
    model: values.model as ModelKind,
    steps: Number(values.steps),
    activations: [
      genericOnly('relu', 'relu', true),
      genericOnly('nrelu sigma=0.1, generic, drawn ahead', nrelu, true),
      genericOnly('nrelu sigma=0.1, generic, drawn in place', nrelu, false),
    ],
  });
  const [base] = report.results;
  console.log(`${values.model} on ${report.backend}, fused kernels off, ${values.steps} rounds`);
  console.log('| activation | step ms (median) | fastest | × ReLU | × ReLU (fastest) |\n|---|---:|---:|---:|---:|');
  for (const r of report.results) {
    console.log(
      `| ${r.activation} | ${r.stepMs.median.toFixed(2)} | ${r.stepMs.min.toFixed(2)} | ` +
        `${(r.stepMs.median / base.stepMs.median).toFixed(3)} | ${(r.stepMs.min / base.stepMs.min).toFixed(3)} |`,
    );
  }
  console.log(`passes drawn ahead by the worker: ${prefetchStats.used} of ${prefetchStats.requested} requested`);
}

await main();
