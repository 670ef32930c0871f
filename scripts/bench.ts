/**
 * `npm run bench`: the performance tables (docs/PERFORMANCE.md), written to results/bench/<backend>.md.
 *
 *   npm run bench [-- --backend auto|wasm|cpu|tensorflow|webgpu] [--steps-mlp 40] [--steps-cnn 15] [--quick]
 *                    [--baseline DIR] [--peer-rounds 3] [--no-peer]
 *
 * On webgpu the file is results/bench/webgpu-software.md on a software renderer (headed as a
 * correctness run: llvmpipe's times say nothing about a GPU), else webgpu-<adapter>.md.
 *
 * For the MLP and the CNN: every activation's training-step time and its ratio to ReLU (timed
 * round-robin in this one process, so the ratios are side by side), the N-ReLU generic path
 * next to its fused kernel, on wasm the step with TF.js 4.22's own kernels next to ours, and
 * the harness's epoch time (trainRun with evaluation, dead-neuron and gradient probes every epoch)
 * against a bare TF.js loop on the same data, and estimated at MNIST's full size from its parts. On wasm, also the ReLU step side by side with an
 * older build (`--baseline DIR`, a checkout with node_modules) and with PyTorch (scripts/bench_torch.py,
 * when a python3 with torch is found; see scripts/bench-peers.ts). About four to six minutes on 2 CPU cores.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { tf } from '../src/tf.js';
import { selectBackend, type BackendRequest } from '../src/backend/select.js';
import { registerWasmKernels, restoreTfjsWasmKernels } from '../src/backend/wasm-kernels/index.js';
import { useNoiseKernels } from '../src/activations/noise-kernels.js';
import { activationLabel, benchSteps, type StepBenchEntry, type StepBenchReport } from '../src/bench/step.js';
import {
  benchHarness,
  harnessAtScale,
  type HarnessAtScaleResult,
  type HarnessBenchResult,
} from '../src/bench/harness.js';
import type { ModelKind } from '../src/models/build.js';
import { activationDescriptors, type ActivationSpec } from '../src/activations/registry.js';
import { benchPeers, peerLines, roundRatio, type PeerReport } from './bench-peers.js';
import { describeAdapter } from '../src/backend/webgpu.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    'steps-mlp': { type: 'string', default: '40' },
    'steps-cnn': { type: 'string', default: '15' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'results/bench' },
    baseline: { type: 'string' },
    'peer-rounds': { type: 'string', default: '3' },
    'no-peer': { type: 'boolean', default: false },
  },
});

const quick = values.quick === true;
const STEPS: Record<ModelKind, number> = {
  mlp: quick ? 5 : Number(values['steps-mlp']),
  cnn: quick ? 3 : Number(values['steps-cnn']),
};
/**
 * MNIST's proportions with the default config (60,000 train : 10,000 test : 10,000 unit-probe : 1,000
 * gradient-probe images), scaled to fit the time budget.
 */
const HARNESS_DATA: Record<
  ModelKind,
  { trainSamples: number; testSamples: number; probeSamples: number; gradientSamples: number }
> = {
  mlp: quick
    ? { trainSamples: 1200, testSamples: 200, probeSamples: 200, gradientSamples: 20 }
    : { trainSamples: 12000, testSamples: 2000, probeSamples: 2000, gradientSamples: 200 },
  cnn: quick
    ? { trainSamples: 600, testSamples: 100, probeSamples: 100, gradientSamples: 10 }
    : { trainSamples: 3000, testSamples: 500, probeSamples: 500, gradientSamples: 50 },
};
const NRELU: ActivationSpec = { name: 'nrelu', sigma: 0.1 };
/** Every registered activation with its defaults; a required parameter takes its descriptor's example value (N-ReLU: sigma 0.1). */
const ACTIVATIONS: ActivationSpec[] = activationDescriptors().map((d) => {
  const required = Object.entries(d.params).filter(([, def]) => def.default === undefined);
  if (required.length === 0) return d.name;
  return {
    name: d.name,
    ...Object.fromEntries(required.map(([k, def]) => [k, def.type === 'number' ? (def.example ?? 1) : undefined])),
  };
});
const ISSUE_BASELINE_SAMPLES_PER_SECOND = 150;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const f2 = (v: number): string => v.toFixed(2);
const f3 = (v: number): string => v.toFixed(3);

function stepRows(report: StepBenchReport, model: ModelKind): string[] {
  const base = report.results.find((r) => r.activation === 'relu');
  return report.results.map(
    (r) =>
      `| ${model.toUpperCase()} | ${r.activation} | ${f2(r.stepMs.median)} | ${f2(r.stepMs.min)}–${f2(r.stepMs.max)} | ` +
      `${r.samplesPerSecond.toFixed(0)} | ${base ? f3(r.stepMs.median / base.stepMs.median) : ''} | ${base ? f3(r.stepMs.min / base.stepMs.min) : ''} |`,
  );
}

/** The activation's step time over ReLU's: of the medians, and of the fastest steps. */
function ratioOf(report: StepBenchReport, label: string): { median: number; min: number } {
  const base = report.results.find((r) => r.activation === 'relu');
  const row = report.results.find((r) => r.activation === label);
  if (!base || !row) throw new Error(`no ${label} or relu row`);
  return { median: row.stepMs.median / base.stepMs.median, min: row.stepMs.min / base.stepMs.min };
}

const loadAverage = (): string => os.loadavg()[0].toFixed(1);

/** Issue 15's targets against the baseline build and PyTorch 1 thread, where those were timed. */
function peerTargets(peers: PeerReport | null): string[] {
  if (!peers) return [];
  const rows: string[] = [];
  const goals: [ModelKind, string, string, number][] = [
    ['mlp', 'baseline', 'speed-up over the baseline build', 1.8],
    ['cnn', 'baseline', 'speed-up over the baseline build', 1.5],
    ['mlp', 'torch1', 'speed vs PyTorch 1 thread', 0.5],
    ['cnn', 'torch1', 'speed vs PyTorch 1 thread', 0.6],
  ];
  for (const [model, peer, what, goal] of goals) {
    const r = roundRatio(peers.rounds[model], peer, 'ours');
    const fastest = roundRatio(peers.rounds[model], peer, 'ours', 'min');
    if (!r || !fastest) continue;
    rows.push(
      `| ${what}, ${model.toUpperCase()} >= ${goal} | ${f2(r.median)} (rounds ${f2(r.min)}–${f2(r.max)}; fastest steps ${f2(fastest.median)}) | ${r.median >= goal ? 'met' : '**missed**'} |`,
    );
  }
  return rows;
}

/** File name of the table: the backend, and on webgpu the adapter (or 'software'). */
function tableName(selection: Selection): string {
  const adapter = selection.adapter;
  if (selection.name !== 'webgpu' || adapter == null) return selection.name;
  if (adapter.software) return 'webgpu-software';
  const slug = `${adapter.vendor}-${adapter.architecture}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `webgpu-${slug || 'gpu'}`;
}

const MODELS = ['mlp', 'cnn'] as const;
type Selection = Awaited<ReturnType<typeof selectBackend>>;

/** Everything the table reports, per model. */
interface Measured {
  steps: Record<ModelKind, StepBenchReport>;
  /** On wasm: the ReLU step with TF.js's own kernels against ours. */
  kernels: Partial<Record<ModelKind, StepBenchReport>>;
  /** Harness overhead for ReLU and for N-ReLU, whose stochastic layers need a second, training-mode probe pass. */
  harness: Record<ModelKind, HarnessBenchResult[]>;
  atScale: Record<ModelKind, HarnessAtScaleResult[]>;
  /** On wasm: this build, the baseline build and PyTorch side by side. */
  peers: PeerReport | null;
}

async function measureSteps(model: ModelKind, backend: string): Promise<Pick<Measured, 'steps' | 'kernels'>> {
  log(`${model}: step times of ${ACTIVATIONS.length} activations + N-ReLU generic path, ${STEPS[model]} rounds`);
  const generic: StepBenchEntry = {
    activation: NRELU,
    label: 'nrelu sigma=0.1 (generic path)',
    before: () => useNoiseKernels(false),
    after: () => useNoiseKernels(true),
  };
  const steps = await benchSteps({ model, activations: [...ACTIVATIONS, generic], steps: STEPS[model] });
  if (backend !== 'wasm') return { steps: { [model]: steps } as Measured['steps'], kernels: {} };
  log(`${model}: step with TF.js 4.22's wasm kernels vs nrelu-bench's`);
  const tfjs: StepBenchEntry = {
    activation: 'relu',
    label: "TF.js 4.22's",
    before: restoreTfjsWasmKernels,
    after: registerWasmKernels,
  };
  const ours: StepBenchEntry = { activation: 'relu', label: "nrelu-bench's" };
  const rounds = Math.max(3, Math.round(STEPS[model] / 2));
  const kernels = await benchSteps({ model, activations: [tfjs, ours], steps: rounds });
  return { steps: { [model]: steps } as Measured['steps'], kernels: { [model]: kernels } };
}

async function measureHarness(model: ModelKind): Promise<Pick<Measured, 'harness' | 'atScale'>> {
  log(`${model}: harness epoch vs bare loop (${HARNESS_DATA[model].trainSamples} training samples)`);
  const harness: HarnessBenchResult[] = [];
  for (const activation of ['relu', NRELU]) {
    harness.push(
      await benchHarness({
        model,
        activation,
        ...HARNESS_DATA[model],
        epochs: model === 'mlp' && !quick ? 4 : 3,
        warmupSteps: quick ? 3 : 20,
        onEpoch: (loop, epoch, s) => log(`  ${loop} epoch ${epoch}: ${f2(s)} s`),
      }),
    );
  }
  log(`${model}: the same at MNIST scale, from its parts`);
  const atScale: HarnessAtScaleResult[] = [];
  for (const activation of ['relu', NRELU]) {
    atScale.push(await harnessAtScale({ model, activation, steps: quick ? 5 : 20, repeats: quick ? 1 : 2 }));
  }
  return { harness: { [model]: harness } as Measured['harness'], atScale: { [model]: atScale } as Measured['atScale'] };
}

async function measurePeers(backend: string): Promise<PeerReport | null> {
  if (backend !== 'wasm') return null;
  log('side by side: this build, the baseline build and PyTorch, each in its own process, round-robin');
  const peers = await benchPeers({
    models: ['mlp', 'cnn'],
    steps: { mlp: quick ? 10 : 30, cnn: quick ? 3 : 8 },
    rounds: quick ? 1 : Number(values['peer-rounds']),
    baseline: values.baseline,
    torch: values['no-peer'] !== true,
    log,
  });
  if ('skipped' in peers.torch) log(`note: ${peers.torch.skipped}`);
  return peers;
}

/** Each model's step times, then its harness overhead, MLP first; then the peers. */
async function measure(backend: string): Promise<Measured> {
  const measured = { steps: {}, kernels: {}, harness: {}, atScale: {} } as Omit<Measured, 'peers'>;
  for (const model of MODELS) {
    const { steps, kernels } = await measureSteps(model, backend);
    const { harness, atScale } = await measureHarness(model);
    Object.assign(measured.steps, steps);
    Object.assign(measured.kernels, kernels);
    Object.assign(measured.harness, harness);
    Object.assign(measured.atScale, atScale);
  }
  return { ...measured, peers: await measurePeers(backend) };
}

/** The title, the adapter, and how and when the table was made (load average included). */
function headerLines(selection: Selection, started: number, loadAtStart: string): string[] {
  const backend = selection.name;
  const cpus = os.cpus();
  const adapter = selection.adapter;
  return [
    adapter?.software
      ? `# Correctness run on the ${backend} backend, software renderer: not a speed figure`
      : `# Performance on the ${backend} backend`,
    '',
    ...(adapter
      ? [
          `Adapter: ${describeAdapter(adapter)}.` +
            (adapter.software
              ? ' A CPU emulates the GPU here, so these times measure Mesa, not WebGPU on a GPU; the run shows that' +
                ' every step works on this backend (see docs/GPU.md for what was measured on real hardware).'
              : ''),
          '',
        ]
      : []),
    `Written by \`npm run bench${values.backend === 'auto' ? '' : ` -- --backend ${values.backend}`}\` on ${new Date().toISOString().slice(0, 10)}: ` +
      `TF.js ${tf.version.tfjs}, Node.js ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s${quick ? ' (quick mode: too few repeats to trust)' : ''}; ` +
      `1-minute load average ${loadAtStart} at the start, ${loadAverage()} at the end` +
      (Math.max(Number(loadAtStart), os.loadavg()[0]) > cpus.length
        ? ` (above ${cpus.length}: other processes competed for the cores, the medians include their interference and the` +
          " ratios of the fastest steps show the machine's own cost)."
        : '.'),
    'Synthetic MNIST-shaped data (seeded), batch 128, Adam. A step is what the trainer does per batch: gather on the',
    'device, forward in training mode, softmax cross-entropy, gradients, Adam, read the loss. Step times are medians',
    `of ${STEPS.mlp} (MLP) / ${STEPS.cnn} (CNN) timed steps after 3 warm-up steps; the activations of a table were timed`,
    'round-robin, one step each in turn, in this one process, so their ratios are side by side even when the machine',
    'is busy.',
    '',
  ];
}

function stepSection(steps: Measured['steps'], backend: string): string[] {
  return [
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
    `where(x > 0, x, sigma * noise)). ${
      backend === 'webgpu'
        ? "Both draw the same stream; about 1 in 1,000 of the WGSL kernel's slow-path normals differ by up to 2 ulp (float32 exp/log on the GPU)."
        : 'Both give bit-identical values.'
    }`,
    '',
  ];
}

function kernelSection(kernels: Measured['kernels']): string[] {
  if (!kernels.mlp || !kernels.cnn) return [];
  const lines = [
    "## Wasm kernels: TF.js 4.22's against nrelu-bench's",
    '',
    'ReLU models; "TF.js 4.22\'s" puts TF.js\'s own Conv2DBackpropInput, MaxPoolGrad, BatchMatMul, Slice, Sum, Max and',
    "GatherV2 back (Conv2DBackpropFilter, which TF.js's wasm backend lacks, stays nrelu-bench's in both rows, and the",
    'fused Adam, the one-pass activation gradients and the lazy-gradient Dense stay on: the side-by-side table below',
    'compares with the whole build before them).',
    '',
    '| model | kernels | step ms (median) | samples/s | speed-up |',
    '|---|---|---:|---:|---:|',
  ];
  for (const model of MODELS) {
    const [theirs, ours] = kernels[model]!.results;
    for (const r of [theirs, ours]) {
      lines.push(
        `| ${model.toUpperCase()} | ${r.activation} | ${f2(r.stepMs.median)} | ` +
          `${r.samplesPerSecond.toFixed(0)} | ${f2(theirs.stepMs.median / r.stepMs.median)} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

function harnessRow(model: ModelKind, h: HarnessBenchResult): string {
  const samples = `${h.trainSamples} / ${h.testSamples} / ${h.probeSamples} / ${h.gradientSamples}`;
  return (
    `| ${model.toUpperCase()} | ${h.activation} | ${samples} | ${f2(h.harnessEpochSeconds.median)} | ` +
    `${f2(h.harnessTrainSeconds.median)} | ${f2(h.bareEpochSeconds.median)} | ${f3(h.ratio)} | ` +
    `${f3(h.harnessEpochSeconds.min / h.bareEpochSeconds.min)} | ` +
    `${f3(h.evaluateSeconds.median)} | ${f3(h.probeSeconds.median)} | ` +
    `${h.gradientSeconds ? f3(h.gradientSeconds.median) : '–'} | ${h.tensorsPerEpoch.join(', ')} | ` +
    `${h.rssPerEpoch.map((b) => (b / 2 ** 20).toFixed(0)).join(', ')} |`
  );
}

function harnessSection(harness: Measured['harness']): string[] {
  return [
    '## Harness overhead',
    '',
    'Epoch time of `trainRun` (evaluation on the test samples, the dead-neuron probe and the gradient probe every epoch,',
    'as configs do by default) against a bare TF.js loop (shuffled batches, model.apply in training mode, Adam, nothing',
    "else) on the same data, in MNIST's proportions with the default config (train : test : probe : gradient probe =",
    '60 : 10 : 10 : 1). Epoch 1 of each run is not counted; the bare loop ran before and after trainRun. The three',
    'per-epoch calls trainRun makes, evaluate(), probeUnits() (dead, dormant and zero-output units: one inference pass,',
    'plus a training-mode pass for stochastic layers such as N-ReLU) and probeGradients() (gradient-dead units and',
    'gradient norms: a training-mode forward and backward pass, no update), were also timed on their own (same model,',
    'same samples), to show where the difference goes.',
    '',
    '| model | activation | train / test / probe / gradient probe | harness epoch s | of which training s | bare epoch s | harness / bare | same, fastest epochs | evaluate() s | probeUnits() s | probeGradients() s | tensors per epoch | RSS per epoch (MiB) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...MODELS.flatMap((model) => harness[model].map((h) => harnessRow(model, h))),
  ];
}

function atScaleSection(atScale: Measured['atScale']): string[] {
  return [
    '',
    "At MNIST's full size the proportions of a small run mislead: the unit probe scans 10,000 images in batches of 1,024,",
    "and N-ReLU's training-mode pass stops after the first of them, once every unit has had a non-zero output. So the",
    'per-epoch calls were also timed on their full sample counts (10,000 test images, 10,000 probe images, 1,000',
    'gradient-probe images), against the median training step times the 469 steps of a 60,000-image epoch. "Floor" is',
    'the least that ratio could be with these probes: the unit probe at the cost of evaluate() (the same inference pass',
    "over as many images) and the gradient probe at a training step's cost per image (the same forward and backward",
    'pass, no update):',
    '',
    '| model | activation | training epoch s (469 steps) | evaluate() s | probeUnits() s | probeGradients() s | harness / training | floor |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...MODELS.flatMap((m) =>
      atScale[m].map(
        (a) =>
          `| ${m.toUpperCase()} | ${a.activation} | ` +
          `${f2(a.trainEpochSeconds)} | ` +
          `${f3(a.evaluateSeconds)} | ${f3(a.probeSeconds)} | ${f3(a.gradientSeconds)} | ${f3(a.ratio)} | ` +
          `${f3(a.floor)} |`,
      ),
    ),
  ];
}

const target = (name: string, measured: string, met: boolean): string =>
  `| ${name} | ${measured} | ${met ? 'met' : '**missed**'} |`;

/** Issue 6's step-time targets: each activation's step time over ReLU's. */
function stepTargets(steps: Measured['steps']): string[] {
  const ratioText = (r: { median: number; min: number }): string => `${f3(r.median)} (fastest steps: ${f3(r.min)})`;
  return MODELS.flatMap((m) =>
    ACTIVATIONS.filter((a) => a !== 'relu' && a !== 'rrelu').map((a) => {
      const label = activationLabel(a);
      const limit = m === 'mlp' || label.startsWith('nrelu') ? 1.05 : 1.1;
      const r = ratioOf(steps[m], label);
      return target(`${label} / ReLU step time, ${m.toUpperCase()} <= ${f2(limit)}`, ratioText(r), r.median <= limit);
    }),
  );
}

function targetSection({ steps, harness, atScale, peers }: Measured): string[] {
  const cnnRelu = steps.cnn.results.find((r) => r.activation === 'relu')!;
  const growth = Math.max(
    steps.mlp.tensorGrowth,
    steps.cnn.tensorGrowth,
    ...Object.values(harness)
      .flat()
      .map((h) => h.tensorsPerEpoch[h.tensorsPerEpoch.length - 1] - h.tensorsPerEpoch[0]),
  );
  return [
    '',
    '## Targets (issues 6 and 15)',
    '',
    '| target (judged on medians) | measured | |',
    '|---|---|---|',
    ...stepTargets(steps),
    ...peerTargets(peers),
    target(
      `CNN throughput >= 3 × ${ISSUE_BASELINE_SAMPLES_PER_SECOND} samples/s (ReLU, batch 128)`,
      `${cnnRelu.samplesPerSecond.toFixed(0)} samples/s`,
      cnnRelu.samplesPerSecond >= 3 * ISSUE_BASELINE_SAMPLES_PER_SECOND,
    ),
    ...MODELS.flatMap((m) =>
      harness[m].map((h) =>
        target(
          `harness / bare epoch, ${m.toUpperCase()} ${h.activation} <= 1.10`,
          `${f3(h.ratio)} (fastest epochs: ${f3(h.harnessEpochSeconds.min / h.bareEpochSeconds.min)})`,
          h.ratio <= 1.1,
        ),
      ),
    ),
    ...MODELS.flatMap((m) =>
      atScale[m].map((a) =>
        target(
          `harness / training epoch at MNIST scale, ${m.toUpperCase()} ${a.activation} <= 1.10`,
          `${f3(a.ratio)} (floor: ${f3(a.floor)})`,
          a.ratio <= 1.1,
        ),
      ),
    ),
    target('no growth of tf.memory().numTensors across steps and epochs', `${growth}`, growth <= 0),
    '',
    `Peak memory: ${(Math.max(steps.mlp.peakRssBytes, steps.cnn.peakRssBytes) / 2 ** 20).toFixed(0)} MiB process RSS, ` +
      `${(Math.max(steps.mlp.peakTfBytes, steps.cnn.peakTfBytes) / 2 ** 20).toFixed(0)} MiB in TF.js tensors (step benchmarks).`,
    '',
  ];
}

/** Writes the table atomically (a temporary file renamed into place) and prints it. */
function writeTable(selection: Selection, lines: string[]): void {
  mkdirSync(values.out, { recursive: true });
  const path = `${values.out}/${tableName(selection)}.md`;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, lines.join('\n'));
  renameSync(tmp, path);
  process.stdout.write(`${lines.join('\n')}\nwrote ${path}\n`);
}

async function main(): Promise<void> {
  const selection = await selectBackend(values.backend as BackendRequest);
  const backend = selection.name;
  for (const note of selection.notes) log(`note: ${note}`);
  log(`backend ${backend}; ${quick ? 'quick mode (numbers are rough)' : 'full run, about 4-6 minutes'}`);
  const started = Date.now();
  const loadAtStart = loadAverage();
  const measured = await measure(backend);
  writeTable(selection, [
    ...headerLines(selection, started, loadAtStart),
    ...stepSection(measured.steps, backend),
    ...kernelSection(measured.kernels),
    ...(measured.peers ? peerLines(measured.peers) : []),
    ...harnessSection(measured.harness),
    ...atScaleSection(measured.atScale),
    ...targetSection(measured),
  ]);
}

await main();
