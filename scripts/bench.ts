/**
 * `npm run bench`: the performance table of the README, written to results/bench/<backend>.md.
 *
 *   npm run bench [-- --backend auto|wasm|cpu|tensorflow|webgpu] [--steps-mlp 40] [--steps-cnn 15] [--quick]
 *
 * On webgpu the file is results/bench/webgpu-software.md on a software renderer (headed as a
 * correctness run: llvmpipe's times say nothing about a GPU), else webgpu-<adapter>.md.
 *
 * For the MLP and the CNN: every activation's training-step time and its ratio to ReLU (timed
 * round-robin in this one process, so the ratios are side by side), the N-ReLU generic path
 * next to its fused kernel, on wasm the step with TF.js 4.22's own kernels next to ours, and
 * the harness's epoch time (trainRun with evaluation and dead-neuron probe every epoch)
 * against a bare TF.js loop on the same data. About two to three minutes on 2 CPU cores.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { tf } from '../src/tf.js';
import { selectBackend, type BackendRequest } from '../src/backend/select.js';
import { registerWasmKernels, restoreTfjsWasmKernels } from '../src/backend/wasm-kernels/index.js';
import { useNoiseKernels } from '../src/activations/noise-kernels.js';
import { benchSteps, type StepBenchEntry, type StepBenchReport } from '../src/bench/step.js';
import { benchHarness, type HarnessBenchResult } from '../src/bench/harness.js';
import type { ModelKind } from '../src/models/build.js';
import type { ActivationSpec } from '../src/activations/registry.js';
import { describeAdapter } from '../src/backend/webgpu.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    'steps-mlp': { type: 'string', default: '40' },
    'steps-cnn': { type: 'string', default: '15' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'results/bench' },
  },
});

const quick = values.quick === true;
const STEPS: Record<ModelKind, number> = {
  mlp: quick ? 5 : Number(values['steps-mlp']),
  cnn: quick ? 3 : Number(values['steps-cnn']),
};
/** MNIST's proportions (60,000 train : 10,000 test : 10,000 probe), scaled to fit the time budget. */
const HARNESS_DATA: Record<ModelKind, { trainSamples: number; testSamples: number; probeSamples: number }> = {
  mlp: quick ? { trainSamples: 1200, testSamples: 200, probeSamples: 200 } : { trainSamples: 12000, testSamples: 2000, probeSamples: 2000 },
  cnn: quick ? { trainSamples: 600, testSamples: 100, probeSamples: 100 } : { trainSamples: 3000, testSamples: 500, probeSamples: 500 },
};
const NRELU: ActivationSpec = { name: 'nrelu', sigma: 0.1 };
const ACTIVATIONS: ActivationSpec[] = ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu', NRELU];
const ISSUE_BASELINE_SAMPLES_PER_SECOND = 150;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const f2 = (v: number): string => v.toFixed(2);
const f3 = (v: number): string => v.toFixed(3);

function stepRows(report: StepBenchReport, model: ModelKind): string[] {
  const base = report.results.find((r) => r.activation === 'relu');
  return report.results.map((r) => `| ${model.toUpperCase()} | ${r.activation} | ${f2(r.stepMs.median)} | ${f2(r.stepMs.min)}–${f2(r.stepMs.max)} | `
    + `${r.samplesPerSecond.toFixed(0)} | ${base ? f3(r.stepMs.median / base.stepMs.median) : ''} | ${base ? f3(r.stepMs.min / base.stepMs.min) : ''} |`);
}

/** The activation's step time over ReLU's: of the medians, and of the fastest steps. */
function ratioOf(report: StepBenchReport, label: string): { median: number; min: number } {
  const base = report.results.find((r) => r.activation === 'relu');
  const row = report.results.find((r) => r.activation === label);
  if (!base || !row) throw new Error(`no ${label} or relu row`);
  return { median: row.stepMs.median / base.stepMs.median, min: row.stepMs.min / base.stepMs.min };
}

const loadAverage = (): string => os.loadavg()[0].toFixed(1);

/** File name of the table: the backend, and on webgpu the adapter (or 'software'). */
function tableName(selection: Awaited<ReturnType<typeof selectBackend>>): string {
  const adapter = selection.adapter;
  if (selection.name !== 'webgpu' || adapter == null) return selection.name;
  if (adapter.software) return 'webgpu-software';
  const slug = `${adapter.vendor}-${adapter.architecture}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `webgpu-${slug || 'gpu'}`;
}

async function main(): Promise<void> {
  const selection = await selectBackend(values.backend as BackendRequest);
  const backend = selection.name;
  for (const note of selection.notes) log(`note: ${note}`);
  log(`backend ${backend}; ${quick ? 'quick mode (numbers are rough)' : 'full run, about 2-3 minutes'}`);
  const started = Date.now();
  const loadAtStart = loadAverage();

  const steps: Record<ModelKind, StepBenchReport> = {} as Record<ModelKind, StepBenchReport>;
  const kernels: Partial<Record<ModelKind, StepBenchReport>> = {};
  // Harness overhead for ReLU and for N-ReLU, whose stochastic layers need a second, training-mode probe pass.
  const harness: Partial<Record<ModelKind, HarnessBenchResult[]>> = {};
  for (const model of ['mlp', 'cnn'] as const) {
    log(`${model}: step times of ${ACTIVATIONS.length} activations + N-ReLU generic path, ${STEPS[model]} rounds`);
    const generic: StepBenchEntry = {
      activation: NRELU, label: 'nrelu sigma=0.1 (generic path)',
      before: () => useNoiseKernels(false), after: () => useNoiseKernels(true),
    };
    steps[model] = await benchSteps({ model, activations: [...ACTIVATIONS, generic], steps: STEPS[model] });
    if (backend === 'wasm') {
      log(`${model}: step with TF.js 4.22's wasm kernels vs nrelu-bench's`);
      const tfjs: StepBenchEntry = { activation: 'relu', label: "TF.js 4.22's", before: restoreTfjsWasmKernels, after: registerWasmKernels };
      const ours: StepBenchEntry = { activation: 'relu', label: "nrelu-bench's" };
      kernels[model] = await benchSteps({ model, activations: [tfjs, ours], steps: Math.max(3, Math.round(STEPS[model] / 2)) });
    }
    log(`${model}: harness epoch vs bare loop (${HARNESS_DATA[model].trainSamples} training samples)`);
    harness[model] = [];
    for (const activation of ['relu', NRELU]) {
      harness[model]!.push(await benchHarness({
        model, activation, ...HARNESS_DATA[model], epochs: model === 'mlp' && !quick ? 4 : 3, warmupSteps: quick ? 3 : 20,
        onEpoch: (loop, epoch, s) => log(`  ${loop} epoch ${epoch}: ${f2(s)} s`),
      }));
    }
  }

  const cpus = os.cpus();
  const adapter = selection.adapter;
  const lines: string[] = [
    adapter?.software ? `# Correctness run on the ${backend} backend, software renderer: not a speed figure` : `# Performance on the ${backend} backend`,
    '',
    ...(adapter
      ? [`Adapter: ${describeAdapter(adapter)}.`
        + (adapter.software ? ' A CPU emulates the GPU here, so these times measure Mesa, not WebGPU on a GPU; the run shows that'
          + ' every step works on this backend (see the README\'s GPU section for what was measured on real hardware).' : ''), '']
      : []),
    `Written by \`npm run bench${values.backend === 'auto' ? '' : ` -- --backend ${values.backend}`}\` on ${new Date().toISOString().slice(0, 10)}: `
      + `TF.js ${tf.version.tfjs}, Node.js ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, `
      + `${((Date.now() - started) / 1000).toFixed(0)} s${quick ? ' (quick mode: too few repeats to trust)' : ''}; `
      + `1-minute load average ${loadAtStart} at the start, ${loadAverage()} at the end`
      + (Math.max(Number(loadAtStart), os.loadavg()[0]) > cpus.length
        ? ` (above ${cpus.length}: other processes competed for the cores, the medians include their interference and the`
          + ' ratios of the fastest steps show the machine\'s own cost).'
        : '.'),
    'Synthetic MNIST-shaped data (seeded), batch 128, Adam. A step is what the trainer does per batch: gather on the',
    'device, forward in training mode, softmax cross-entropy, gradients, Adam, read the loss. Step times are medians',
    `of ${STEPS.mlp} (MLP) / ${STEPS.cnn} (CNN) timed steps after 3 warm-up steps; the activations of a table were timed`,
    'round-robin, one step each in turn, in this one process, so their ratios are side by side even when the machine',
    'is busy.',
    '',
    '## Training step',
    '',
    '| model | activation | step ms (median) | min–max | samples/s | × ReLU | × ReLU (fastest steps) |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...stepRows(steps.mlp, 'mlp'),
    ...stepRows(steps.cnn, 'cnn'),
    '',
    '`nrelu sigma=0.1` runs the fused kernel on cpu and wasm (noise drawn only where x <= 0, in one pass over x) and a',
    'WGSL kernel on webgpu (the same stream, drawn on the GPU);',
    '`(generic path)` is the tensor path every other backend takes (noise for every element, uploaded, then',
    `where(x > 0, x, sigma * noise)). ${backend === 'webgpu'
      ? 'Both draw the same stream; about 1 in 1,000 of the WGSL kernel\'s slow-path normals differ by up to 2 ulp (float32 exp/log on the GPU).'
      : 'Both give bit-identical values.'}`,
    '',
  ];
  if (kernels.mlp && kernels.cnn) {
    lines.push(
      "## Wasm kernels: TF.js 4.22's against nrelu-bench's",
      '',
      "ReLU models; \"TF.js 4.22's\" puts TF.js's own Conv2DBackpropInput, MaxPoolGrad, BatchMatMul, Slice, Sum and Max",
      "back (Conv2DBackpropFilter, which TF.js's wasm backend lacks, stays nrelu-bench's in both rows).",
      '',
      '| model | kernels | step ms (median) | samples/s | speed-up |',
      '|---|---|---:|---:|---:|',
    );
    for (const model of ['mlp', 'cnn'] as const) {
      const [theirs, ours] = kernels[model]!.results;
      for (const r of [theirs, ours]) {
        lines.push(`| ${model.toUpperCase()} | ${r.activation} | ${f2(r.stepMs.median)} | ${r.samplesPerSecond.toFixed(0)} | ${f2(theirs.stepMs.median / r.stepMs.median)} |`);
      }
    }
    lines.push('');
  }
  lines.push(
    '## Harness overhead',
    '',
    'Epoch time of `trainRun` (evaluation on the test samples and the dead-neuron probe every epoch, as configs do by',
    'default) against a bare TF.js loop (shuffled batches, model.apply in training mode, Adam, nothing else) on the same',
    'data, in MNIST\'s proportions (train : test : probe = 6 : 1 : 1). Epoch 1 of each run is not counted; the bare loop',
    'ran before and after trainRun. The two per-epoch calls trainRun makes, evaluate() and probeUnits() (dead, dormant',
    'and zero-output units: one inference pass, plus a training-mode pass for stochastic layers such as N-ReLU), were',
    'also timed on their own (same model, same samples), to show where the difference goes.',
    '',
    '| model | activation | train / test / probe | harness epoch s | of which training s | bare epoch s | harness / bare | same, fastest epochs | evaluate() s | probeUnits() s | tensors per epoch | RSS per epoch (MiB) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
  for (const model of ['mlp', 'cnn'] as const) {
    for (const h of harness[model]!) {
      lines.push(`| ${model.toUpperCase()} | ${h.activation} | ${h.trainSamples} / ${h.testSamples} / ${h.probeSamples} | ${f2(h.harnessEpochSeconds.median)} | `
        + `${f2(h.harnessTrainSeconds.median)} | ${f2(h.bareEpochSeconds.median)} | ${f3(h.ratio)} | ${f3(h.harnessEpochSeconds.min / h.bareEpochSeconds.min)} | `
        + `${f3(h.evaluateSeconds.median)} | ${f3(h.probeSeconds.median)} | ${h.tensorsPerEpoch.join(', ')} | `
        + `${h.rssPerEpoch.map((b) => (b / 2 ** 20).toFixed(0)).join(', ')} |`);
    }
  }
  const cnnRelu = steps.cnn.results.find((r) => r.activation === 'relu')!;
  const growth = Math.max(steps.mlp.tensorGrowth, steps.cnn.tensorGrowth,
    ...Object.values(harness).flat().map((h) => h!.tensorsPerEpoch[h!.tensorsPerEpoch.length - 1] - h!.tensorsPerEpoch[0]));
  const target = (name: string, measured: string, met: boolean): string => `| ${name} | ${measured} | ${met ? 'met' : '**missed**'} |`;
  const ratioText = (r: { median: number; min: number }): string => `${f3(r.median)} (fastest steps: ${f3(r.min)})`;
  lines.push(
    '',
    '## Targets (issue 6)',
    '',
    '| target (judged on medians) | measured | |',
    '|---|---|---|',
    target('N-ReLU / ReLU step time, MLP <= 1.05', ratioText(ratioOf(steps.mlp, 'nrelu sigma=0.1')), ratioOf(steps.mlp, 'nrelu sigma=0.1').median <= 1.05),
    target('N-ReLU / ReLU step time, CNN <= 1.10', ratioText(ratioOf(steps.cnn, 'nrelu sigma=0.1')), ratioOf(steps.cnn, 'nrelu sigma=0.1').median <= 1.10),
    target(`CNN throughput >= 3 × ${ISSUE_BASELINE_SAMPLES_PER_SECOND} samples/s (ReLU, batch 128)`, `${cnnRelu.samplesPerSecond.toFixed(0)} samples/s`,
      cnnRelu.samplesPerSecond >= 3 * ISSUE_BASELINE_SAMPLES_PER_SECOND),
    ...(['mlp', 'cnn'] as const).flatMap((m) => harness[m]!.map((h) => target(`harness / bare epoch, ${m.toUpperCase()} ${h.activation} <= 1.10`,
      `${f3(h.ratio)} (fastest epochs: ${f3(h.harnessEpochSeconds.min / h.bareEpochSeconds.min)})`, h.ratio <= 1.10))),
    target('no growth of tf.memory().numTensors across steps and epochs', `${growth}`, growth <= 0),
    '',
    `Peak memory: ${(Math.max(steps.mlp.peakRssBytes, steps.cnn.peakRssBytes) / 2 ** 20).toFixed(0)} MiB process RSS, `
      + `${(Math.max(steps.mlp.peakTfBytes, steps.cnn.peakTfBytes) / 2 ** 20).toFixed(0)} MiB in TF.js tensors (step benchmarks).`,
    '',
  );

  mkdirSync(values.out, { recursive: true });
  const path = `${values.out}/${tableName(selection)}.md`;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, lines.join('\n'));
  renameSync(tmp, path);
  process.stdout.write(`${lines.join('\n')}\nwrote ${path}\n`);
}

await main();
