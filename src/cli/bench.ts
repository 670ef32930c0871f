/**
 * `nrelu-bench bench`: times training steps of one model and activation on synthetic data and
 * reports samples per second (median of the timed steps after warm-up) and peak memory. The
 * timing lives in src/bench/ (shared with `npm run bench`); this file parses and prints.
 */
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { tf } from '../tf.js';
import { UsageError } from '../errors.js';
import { selectBackend } from '../backend/select.js';
import type { BackendName } from '../backend/names.js';
import type { ModelKind } from '../models/kinds.js';
import { backendOption, modelOption } from './options.js';
import {
  activationDescriptors,
  findActivation,
  normalizeActivation,
  type ActivationSpec,
} from '../activations/registry.js';
import { activationsHelp } from './activations-help.js';
import { benchSteps, type StepBenchReport } from '../bench/step.js';

interface BenchOptions {
  model: ModelKind;
  activation: string;
  backend: BackendName;
  batchSize: string;
  steps: string;
  warmup: string;
  seed: string;
  json?: boolean;
}

/** The JSON `--json` prints (snake_case, one object). */
export interface BenchJson {
  samples_per_second: number;
  step_ms_median: number;
  step_ms_min: number;
  step_ms_max: number;
  step_ms_mean: number;
  backend: string;
  model: string;
  activation: string;
  activation_spec: ActivationSpec;
  batch_size: number;
  steps: number;
  warmup: number;
  seed: number;
  peak_rss_bytes: number;
  peak_tf_bytes: number;
  tensor_growth: number;
  tfjs_version: string;
  node_version: string;
}

/**
 * An activation from the command line: a name (`nrelu`) or a YAML/JSON flow object
 * (`{name: nrelu, sigma: 0.1}`), validated by the activation registry.
 */
export function parseActivationSpec(text: string): ActivationSpec {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0].replace(/:\s*$/, '');
    throw new UsageError(`--activation: cannot parse ${JSON.stringify(text)}: ${reason}`, {
      hint: 'give a name (relu) or a flow object: --activation "{name: nrelu, sigma: 0.1}"',
    });
  }
  if (typeof value !== 'string' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new UsageError(`--activation must be a name or an object with a "name", got ${JSON.stringify(text)}`, {
      hint: 'e.g. --activation relu or --activation "{name: nrelu, sigma: 0.1}"',
    });
  }
  // YAML reads `{name:nrelu}` as the key "name:nrelu" with no value: say so instead of "needs a name".
  const glued =
    typeof value === 'object'
      ? Object.entries(value as object).find(([k, v]) => k.includes(':') && v === null)
      : undefined;
  if (glued) {
    throw new UsageError(
      `--activation ${JSON.stringify(text)}: YAML reads "${glued[0]}" as one key, since a colon needs a space after it`,
      { hint: `put a space after each colon: --activation "${text.replace(/:(?=\S)/g, ': ')}"` },
    );
  }
  const spec = withBenchDefaults(value as ActivationSpec);
  normalizeActivation(spec); // throws a one-line ConfigError naming the activation and parameter
  return spec;
}

/** `nrelu without sigma uses sigma 0.1`: the values `withBenchDefaults` fills, for `--help`. */
export function benchDefaultsText(): string {
  const filled = activationDescriptors().flatMap((d) => {
    const spec = withBenchDefaults(d.name);
    if (typeof spec === 'string') return [];
    const values = Object.entries(spec).filter(([k]) => k !== 'name');
    return [
      `${d.name} without ${values.map(([k]) => k).join(', ')} uses ${values.map(([k, v]) => `${k} ${String(v)}`).join(', ')}`,
    ];
  });
  return filled.join('; ');
}

/**
 * `bench` times a step, so a required number parameter left out takes its descriptor's example value
 * (N-ReLU's sigma 0.1, the paper's middle value) instead of failing; `--help` says so.
 */
export function withBenchDefaults(spec: ActivationSpec): ActivationSpec {
  const { name, ...given } = typeof spec === 'string' ? { name: spec } : spec;
  const descriptor = typeof name === 'string' ? findActivation(name) : undefined;
  if (!descriptor) return spec;
  const filled: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(descriptor.params)) {
    if (def.type === 'number' && def.default === undefined && given[key] === undefined && def.example !== undefined)
      filled[key] = def.example;
  }
  return Object.keys(filled).length === 0 ? spec : { name, ...given, ...filled };
}

function positiveInt(option: string, text: string, min = 1, max = Number.MAX_SAFE_INTEGER, why = ''): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${option} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  }
  if (value > max) throw new UsageError(`${option} must be at most ${max}, got ${text}${why}`);
  return value;
}

/** A batch of this many 28x28 images is 200 MiB of input alone; far more fails to allocate. */
const MAX_BENCH_BATCH = 65536;

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

export function benchJson(
  report: StepBenchReport,
  spec: ActivationSpec,
  settings: { warmup: number; seed: number },
): BenchJson {
  const r = report.results[0];
  return {
    samples_per_second: r.samplesPerSecond,
    step_ms_median: r.stepMs.median,
    step_ms_min: r.stepMs.min,
    step_ms_max: r.stepMs.max,
    step_ms_mean: r.stepMs.mean,
    backend: report.backend,
    model: r.model,
    activation: r.activation,
    activation_spec: spec,
    batch_size: r.batchSize,
    steps: r.stepMs.n,
    warmup: settings.warmup,
    seed: settings.seed,
    peak_rss_bytes: report.peakRssBytes,
    peak_tf_bytes: report.peakTfBytes,
    tensor_growth: report.tensorGrowth,
    tfjs_version: tf.version.tfjs,
    node_version: process.version,
  };
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time training steps on synthetic data: samples per second and peak memory')
    .addOption(modelOption('cnn'))
    .option('-a, --activation <spec>', `activation: a name or a YAML/JSON flow object; ${benchDefaultsText()}`, 'relu')
    .addOption(backendOption('', 'auto'))
    .option('--batch-size <n>', 'samples per training step', '128')
    .option('--steps <n>', 'timed steps, after the warm-up', '20')
    .option('--warmup <n>', 'untimed steps first (the first creates the optimizer state)', '3')
    .option('--seed <n>', 'seeds the synthetic data, the weights and the noise', '1')
    .option('--json', 'print one JSON object (samples_per_second, step_ms_median, backend, model, activation, ...)')
    .addHelpText(
      'after',
      `
Examples:
  $ nrelu-bench bench
  $ nrelu-bench bench --model mlp --activation "{name: nrelu, sigma: 0.1}" --backend wasm
  $ nrelu-bench bench --model cnn --activation rrelu --steps 50 --json

Trains on seeded synthetic 28x28 digits-like data (no files, no network), the way \`run\` trains:
Adam, softmax cross-entropy, batches gathered on the device. Samples per second is the batch size
over the median step time. To compare activations, use \`npm run bench\`, which times them
side by side and writes results/bench/<backend>.md.

${activationsHelp()}`,
    )
    .action(async (opts: BenchOptions) => {
      const spec = parseActivationSpec(opts.activation);
      const batchSize = positiveInt(
        '--batch-size',
        opts.batchSize,
        1,
        MAX_BENCH_BATCH,
        ' (larger batches do not fit in memory)',
      );
      const steps = positiveInt('--steps', opts.steps);
      const warmup = positiveInt('--warmup', opts.warmup, 0);
      const seed = positiveInt('--seed', opts.seed, 0);
      const selection = await selectBackend(opts.backend);
      for (const note of selection.notes) process.stderr.write(`note: ${note}\n`);
      const report = await benchSteps({ model: opts.model, activations: [spec], batchSize, steps, warmup, seed });
      const json = benchJson(report, spec, { warmup, seed });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(json)}\n`);
        return;
      }
      const r = report.results[0];
      process.stdout.write(
        [
          `${json.model}, ${json.activation}, backend ${json.backend}${selection.gpu ? ' (GPU)' : ''}, ` +
            `batch ${batchSize}`,
          `  step time    ${r.stepMs.median.toFixed(1)} ms median ` +
            `(${r.stepMs.min.toFixed(1)}-${r.stepMs.max.toFixed(1)}) over ${steps} steps after ${warmup} ` +
            `warm-up`,
          `  throughput   ${r.samplesPerSecond.toFixed(0)} samples/s`,
          `  peak memory  ${mb(report.peakRssBytes)} process RSS, ${mb(report.peakTfBytes)} in TF.js tensors`,
          `  tensors      ` +
            (report.tensorGrowth === 0 ? 'no growth' : `${report.tensorGrowth > 0 ? '+' : ''}${report.tensorGrowth}`) +
            ` over the timed steps`,
          '',
        ].join('\n'),
      );
    });
}
