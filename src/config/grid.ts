/**
 * Grid expansion: sweep cells x models x activations (each value or schedule of the varied parameter its own entry) x
 * seeds, in that order. Each run gets a stable, filename-safe id and a hash of its resolved settings, so a
 * resumed sweep can tell a finished run from one whose settings changed.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { ResolvedConfig, RunSpec } from './types.js';
import { activationTag, resolveActivationEntry } from './activation-entry.js';
import { problemsError, type Problem } from './messages.js';

/** JSON with object keys sorted at every level (undefined members dropped, as JSON does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
}

/**
 * sha256 (hex) of a run's settings, its id, setting and hash excluded. A user activation's module enters by
 * its content (sha256), not its path, so moving the file keeps the runs and editing it retrains them.
 *
 * The varied parameter is hashed in the shape runs were first hashed with, `sigma: {schedule, start, end}` without
 * its name, so every committed run keeps its hash. Nothing is lost: the activation (name, or module sha256) fixes
 * which parameter varies.
 */
export function runHash(
  run: Omit<RunSpec, 'id' | 'setting' | 'hash'> & Partial<Pick<RunSpec, 'id' | 'setting' | 'hash'>>,
): string {
  const { id: _id, setting: _setting, hash: _hash, cell: _cell, varied, ...settings } = run;
  const module = settings.activation.module;
  const sigma = varied ? { schedule: varied.schedule, start: varied.start, end: varied.end } : null;
  const hashed = {
    ...settings,
    sigma,
    ...(module ? { activation: { ...settings.activation, module: { sha256: module.sha256 } } } : {}),
  };
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

/**
 * The hash of everything a run shares with the baseline it is paired with: its settings without the seed and the
 * activation (name, parameters, module, varied parameter). A setting pairs with its baseline by seed only where the
 * two runs' pairing hashes are equal, so a comparison never pairs runs that differ in anything but the activation.
 */
export function pairingHash(spec: Omit<RunSpec, 'id' | 'setting' | 'hash'>): string {
  return runHash({ ...spec, seed: 0, activation: { name: '', params: {} }, varied: null });
}

/** The name a run's model goes by in ids and the CSVs: the variant's name or the kind, then the sweep cell's tag. */
export function modelLabel(spec: Pick<RunSpec, 'model' | 'modelName' | 'cell'>): string {
  const name = spec.modelName ?? spec.model;
  return spec.cell ? `${name}-${spec.cell}` : name;
}

/** Expands a validated config into its runs; throws a ConfigError on a bad activation or a duplicate id. */
export function expandGrid(config: ResolvedConfig): RunSpec[] {
  const runs = config.sweep
    ? config.sweep.cells.flatMap((c) => expandCell({ ...c.config, seeds: config.seeds }, c.tag))
    : expandCell(config);
  refuseDuplicates(runs);
  return runs;
}

/** One cell's runs (the whole grid when nothing is swept): models x activations x seeds. */
function expandCell(config: ResolvedConfig, cell?: string): RunSpec[] {
  const problems: Problem[] = [];
  const resolve = (entries: unknown[], at: (string | number)[]): ReturnType<typeof resolveActivationEntry>['value'][] =>
    entries.flatMap((entry, i) => {
      const { value, problems: found } = resolveActivationEntry(entry);
      problems.push(...found.map((p) => ({ ...p, path: [...at, i, ...p.path] })));
      return value ? [value] : [];
    });
  const shared = resolve(config.activations, ['activations']);
  // A model with its own activation list trains those instead of the config's.
  const perModel = config.models.map((m, i) =>
    m.activations ? resolve(m.activations, ['models', i, 'activations']) : shared,
  );
  if (problems.length > 0) throw problemsError('invalid activations', problems);

  const runs: RunSpec[] = [];
  for (const [m, { model, options, name }] of config.models.entries()) {
    for (const activation of perModel[m]) {
      if (!activation) continue;
      for (const varied of activation.varied) {
        for (const seed of config.seeds) {
          // A name enters the settings (and the hash) only when given, so unnamed models keep their hashes.
          const settings: Omit<RunSpec, 'id' | 'setting' | 'hash'> = {
            model,
            ...(name === undefined ? {} : { modelName: name }),
            ...(cell === undefined ? {} : { cell }),
            modelOptions: options,
            activation: activation.setting,
            varied,
            seed,
            dataset: config.dataset,
            standardize: config.standardize,
            init: config.init,
            train: { ...config.train },
            deadNeurons: { ...config.deadNeurons },
            eval: { robustness: { gaussian: [...config.eval.robustness.gaussian] } },
          };
          const setting = activationTag(activation, varied);
          runs.push({
            id: `${modelLabel(settings)}-${setting}-seed${seed}`,
            setting,
            ...settings,
            hash: runHash(settings),
          });
        }
      }
    }
  }
  return runs;
}

function refuseDuplicates(runs: RunSpec[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const run of runs) (seen.has(run.id) ? duplicates : seen).add(run.id);
  if (duplicates.size > 0) {
    throw new ConfigError(`the grid has duplicate run ids: ${[...duplicates].join(', ')}`, {
      hint: 'list each model, activation (with its varied parameter and params) and seed once',
    });
  }
}
