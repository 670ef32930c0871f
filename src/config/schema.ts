/**
 * The YAML config's schema (snake_case keys, strict: an unknown key is an error so typos are
 * caught) and its conversion into the camelCase `ResolvedConfig` with every default filled in.
 * Defaults follow the paper where it is known and PyTorch where it is silent (README, "Config reference").
 */
import { z } from 'zod';
import type { ModelKind, ResolvedConfig } from './types.js';
import { MODEL_KINDS } from '../models/kinds.js';
import { BACKEND_NAMES } from '../backend/names.js';
import { datasetEntries, findDataset, isDatasetName } from '../data/catalog.js';
import { activationTag, resolveActivationEntry } from './activation-entry.js';
import { configErrorMap, describeValue, issuesToProblems, problemsError, type Problem } from './messages.js';

/** Defaults of everything optional; documented in the README's config reference. */
export const CONFIG_DEFAULTS = {
  standardize: false,
  backend: 'auto',
  init: 'torch',
  seeds: [1],
  train: { epochs: 8, batchSize: 128, optimizer: 'adam', learningRate: 0.001 },
  deadNeurons: { probe: 'train', samples: 10000, threshold: 0, every: 1, dormantTau: 0.1, gradientSamples: 1000 },
  /**
   * The comparison (README, "Statistics"): the equivalence margin of the paired tests in percentage points, the
   * setting every other is paired with, and the setting whose test against it was named in advance (issue 20).
   */
  compare: { margin: 0.2, baseline: 'relu', primary: 'nrelu-s0.1' },
  outputRoot: 'results',
} as const;

export { BACKEND_NAMES, MODEL_KINDS };

const positiveInt = z.number().int().min(1);
const widths = z.array(positiveInt).min(1);
const dropout = z.number().min(0).lt(1);

type Ctx = Pick<z.core.$RefinementCtx, 'addIssue'>;

function report(ctx: Ctx, problems: readonly Problem[]): void {
  for (const p of problems) ctx.addIssue({ code: 'custom', message: p.message, path: [...p.path] });
}

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

type ModelEntry = ResolvedConfig['models'][number];

const modelEntry = z.unknown().transform((value, ctx): ModelEntry => {
  const kind: unknown =
    typeof value === 'string'
      ? value
      : value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>).model
        : undefined;
  if (!(MODEL_KINDS as readonly unknown[]).includes(kind)) {
    const what =
      typeof value === 'string' || (value !== null && typeof value === 'object' && !Array.isArray(value))
        ? `must be ${MODEL_KINDS.join(' or ')}; got ${describeValue(kind)}`
        : `must be ${MODEL_KINDS.join(', ')} or {model: ${MODEL_KINDS[MODEL_KINDS.length - 1]}, ` +
          `...options}; got ${describeValue(value)}`;
    report(ctx, [
      { path: typeof value === 'object' && value !== null && !Array.isArray(value) ? ['model'] : [], message: what },
    ]);
    return z.NEVER;
  }
  const model = kind as ModelKind;
  if (typeof value === 'string') return { model, options: {} };
  const parsed = MODEL_OPTIONS[model].safeParse(value, { error: configErrorMap });
  if (!parsed.success) {
    report(ctx, issuesToProblems(parsed.error.issues));
    return z.NEVER;
  }
  const { model: _model, name, activations, ...options } = parsed.data;
  return {
    model,
    options: Object.fromEntries(Object.entries(options).map(([k, v]) => [camelCase(k), v])),
    ...(typeof name === 'string' ? { name } : {}),
    ...(Array.isArray(activations) ? { activations: activations as unknown[] } : {}),
  };
});

const activationEntry = z.unknown().superRefine((value, ctx) => report(ctx, resolveActivationEntry(value).problems));

/** Flags entries that repeat an earlier one (they would give duplicate run ids). */
function noDuplicates<T>(list: string, keys: (item: T) => string[], why = '') {
  return (items: T[], ctx: Ctx): void => {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      for (const k of keys(item)) {
        const j = first.get(k);
        if (j === undefined) first.set(k, i);
        else if (j !== i) report(ctx, [{ path: [i], message: `repeats ${list}[${j}] (${k})${why}` }]);
      }
    });
  };
}

/**
 * A model variant's own name, for several variants of one architecture in one grid: it replaces the kind in
 * run ids and in the CSVs' `model` column, so each variant gets its own comparison table (and its own ReLU).
 */
const modelName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$/,
    'must be lower-case letters, digits and "_", in parts joined by "-" (it starts run ids)',
  );

/** A list of activation entries, none repeating another's setting (they would repeat run ids). */
const activationList = z
  .array(activationEntry)
  .min(1)
  .superRefine(
    noDuplicates('activations', (entry) => {
      const { value } = resolveActivationEntry(entry);
      return value ? value.varied.map((v) => activationTag(value, v)) : [];
    }),
  );

/**
 * A model's own activation list: built-in activations only (user modules are loaded from the config's `activations`).
 */
const modelActivationList = activationList.superRefine((entries, ctx) =>
  entries.forEach((entry, i) => {
    if (entry !== null && typeof entry === 'object' && 'module' in entry) {
      report(ctx, [
        {
          path: [i],
          message: "a model's own activations are built-in ones; list a module activation in the config's activations",
        },
      ]);
    }
  }),
);

// Per-model options, named as buildModel takes them once camelCased (hidden, filters, kernelSize, dense, dropout, pool,
// activationAfterPool); `name` and `activations` are taken out before: they shape the grid, not the model.
const MODEL_OPTIONS: { [K in ModelKind]: z.ZodType<{ model: K } & Record<string, unknown>> } = {
  mlp: z.strictObject({
    model: z.literal('mlp'),
    name: modelName.optional(),
    activations: modelActivationList.optional(),
    hidden: widths.optional(),
    dropout: dropout.optional(),
  }),
  cnn: z.strictObject({
    model: z.literal('cnn'),
    name: modelName.optional(),
    activations: modelActivationList.optional(),
    filters: widths.optional(),
    kernel_size: positiveInt.optional(),
    dense: widths.optional(),
    dropout: dropout.optional(),
    pool: z.enum(['max', 'avg']).optional(),
    activation_after_pool: z.boolean().optional(),
  }),
};

const trainSchema = z.strictObject({
  epochs: positiveInt.default(CONFIG_DEFAULTS.train.epochs),
  batch_size: positiveInt.default(CONFIG_DEFAULTS.train.batchSize),
  optimizer: z.enum(['adam', 'sgd']).default(CONFIG_DEFAULTS.train.optimizer),
  learning_rate: z.number().gt(0).default(CONFIG_DEFAULTS.train.learningRate),
  train_samples: positiveInt.optional(),
  test_samples: positiveInt.optional(),
});

const deadNeuronsSchema = z.strictObject({
  probe: z.enum(['train', 'test']).default(CONFIG_DEFAULTS.deadNeurons.probe),
  samples: positiveInt.default(CONFIG_DEFAULTS.deadNeurons.samples),
  threshold: z.number().default(CONFIG_DEFAULTS.deadNeurons.threshold),
  every: positiveInt.default(CONFIG_DEFAULTS.deadNeurons.every),
  dormant_tau: z.number().min(0).default(CONFIG_DEFAULTS.deadNeurons.dormantTau),
  gradient_samples: z.number().int().min(0).default(CONFIG_DEFAULTS.deadNeurons.gradientSamples),
});

const evalSchema = z.strictObject({
  robustness: z
    .strictObject({
      gaussian: z
        .array(z.number().gt(0))
        .default([])
        .superRefine(noDuplicates('noise levels', (v) => [String(v)])),
    })
    .prefault({}),
});

/** A comparison row's setting as run ids spell it (`relu`, `nrelu-s0.1`, `leaky_relu-alpha0.1`; folder-paths.ts). */
const settingName = z
  .string()
  .regex(/^[a-z][A-Za-z0-9_.+]*(-[A-Za-z0-9_.+]+)*$/, 'must be a setting as run ids spell it, e.g. relu or nrelu-s0.1');

const compareSchema = z.strictObject({
  margin: z.number().gt(0).max(100).default(CONFIG_DEFAULTS.compare.margin),
  baseline: settingName.default(CONFIG_DEFAULTS.compare.baseline),
  primary: settingName.default(CONFIG_DEFAULTS.compare.primary),
});

function isDataset(name: string): boolean {
  return isDatasetName(name) || /^idx:.+/.test(name);
}

/**
 * Why a CNN's conv/pool blocks do not fit height x width images (valid padding, 2x2 pools), or null. The
 * shape is the dataset's catalog entry's; idx folders are checked when they load. Without this check every
 * run of such a model failed later with a shape error.
 */
export function cnnFitProblem(options: Record<string, unknown>, [height, width]: readonly number[]): string | null {
  const filters = (options.filters as number[] | undefined) ?? [32, 64];
  const k = (options.kernelSize as number | undefined) ?? 3;
  let [h, w] = [height, width];
  for (let i = 0; i < filters.length; i++) {
    if (h < k || w < k) {
      return (
        `does not fit ${height}x${width} images: conv block ${i + 1} gets a ${h}x${w} ` +
        `input, smaller than kernel_size ${k}; use fewer filters or a smaller kernel_size`
      );
    }
    [h, w] = [h - k + 1, w - k + 1];
    if (h < 2 || w < 2)
      return (
        `does not fit ${height}x${width} images: the 2x2 pool of conv block ${i + 1} ` +
        `gets a ${h}x${w} input; use fewer filters or a smaller kernel_size`
      );
    [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  }
  return null;
}

/** dataset: a name, or idx:<folder>; a map is what YAML makes of `idx:` or `idx: /path`. */
const datasetSchema = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && isDataset(value)) return value;
  const map = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : null;
  const why =
    map?.[0] === 'idx'
      ? 'YAML read `idx:` with nothing, or a space, after the colon as a map: write idx:<folder> ' +
        'with no space, and quote it when passing it as an override (\'dataset="idx:/data/my-mnist"\')'
      : `got ${describeValue(value)}`;
  const names = datasetEntries()
    .map((d) => d.name)
    .join(', ');
  report(ctx, [{ path: [], message: `must be ${names} or idx:<folder>; ${why}` }]);
  return z.NEVER;
});

/** The raw (YAML-shaped) config schema; its output is the `ResolvedConfig`. */
export const configSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-" (it names the output folder)'),
    dataset: datasetSchema,
    data_dir: z.string().min(1).optional(),
    standardize: z.boolean().default(CONFIG_DEFAULTS.standardize),
    models: z
      .array(modelEntry)
      .min(1)
      .superRefine(
        noDuplicates(
          'models',
          (m) => [m.name ?? m.model],
          '; give each variant of a model its own name: {model: cnn, name: cnn-avgpool, ...}',
        ),
      ),
    backend: z.enum(BACKEND_NAMES).default(CONFIG_DEFAULTS.backend),
    init: z.enum(['torch', 'glorot']).default(CONFIG_DEFAULTS.init),
    activations: activationList,
    seeds: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1),
      )
      .min(1)
      .superRefine(noDuplicates('seeds', (s) => [String(s)]))
      .default([...CONFIG_DEFAULTS.seeds]),
    train: trainSchema.prefault({}),
    dead_neurons: deadNeuronsSchema.prefault({}),
    eval: evalSchema.prefault({}),
    compare: compareSchema.prefault({}),
    output: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const entry = findDataset(c.dataset);
    if (!entry) return;
    c.models.forEach((m, i) => {
      const why = m.model === 'cnn' ? cnnFitProblem(m.options, entry.shape) : null;
      if (why) report(ctx, [{ path: ['models', i], message: why }]);
    });
  })
  .transform((c): ResolvedConfig => ({
    name: c.name,
    dataset: c.dataset,
    ...(c.data_dir === undefined ? {} : { dataDir: c.data_dir }),
    standardize: c.standardize,
    models: c.models,
    backend: c.backend,
    init: c.init,
    activations: c.activations,
    seeds: c.seeds,
    train: {
      epochs: c.train.epochs,
      batchSize: c.train.batch_size,
      optimizer: c.train.optimizer,
      learningRate: c.train.learning_rate,
      ...(c.train.train_samples === undefined ? {} : { trainSamples: c.train.train_samples }),
      ...(c.train.test_samples === undefined ? {} : { testSamples: c.train.test_samples }),
    },
    deadNeurons: {
      probe: c.dead_neurons.probe,
      samples: c.dead_neurons.samples,
      threshold: c.dead_neurons.threshold,
      every: c.dead_neurons.every,
      dormantTau: c.dead_neurons.dormant_tau,
      gradientSamples: c.dead_neurons.gradient_samples,
    },
    eval: { robustness: { gaussian: [...c.eval.robustness.gaussian].sort((a, b) => a - b) } },
    compare: { ...c.compare },
    output: c.output ?? `${CONFIG_DEFAULTS.outputRoot}/${c.name}`,
  }));

/**
 * Validates a raw config (YAML-shaped, overrides applied) and fills its defaults.
 * Throws one ConfigError listing every problem with its path.
 */
export function validateConfig(raw: unknown, source = 'config'): ResolvedConfig {
  if (raw === null || raw === undefined) {
    throw problemsError(`invalid ${source}`, [
      { path: [], message: 'is empty; expected a map with name, dataset, models and activations' },
    ]);
  }
  const parsed = configSchema.safeParse(raw, { error: configErrorMap });
  if (!parsed.success) throw problemsError(`invalid ${source}`, issuesToProblems(parsed.error.issues));
  return parsed.data;
}
