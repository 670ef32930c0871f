/**
 * Sweeps over config keys, in Hydra's multirun grammar: `train.learning_rate=0.001,0.003` on the command line (a
 * comma outside brackets, braces and quotes separates values), or a `sweep:` block in the YAML mapping keys to lists
 * (`sweep: {train.learning_rate: [0.001, 0.003]}`). The grid becomes the product of the swept values (the cells)
 * times the usual models x activations x seeds. A `sweep:` list instead names its cells one by one, each a map of
 * keys to values with an optional `tag` (`- {tag: dying, train.learning_rate: 0.01, activations: [relu]}`): cells
 * that are no product, such as one regime with all activations and a lower learning rate with ReLU only. Each cell
 * is a whole config, validated like a written one, and gets a short tag (`lr0.003`) that joins the model's name in
 * run ids and in the CSVs' `model` column: so every cell has its own comparison table, its own ReLU to pair with,
 * and its runs never mix with another cell's.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { formatNumber } from './activation-entry.js';
import { canonicalJson } from './grid.js';
import { parseOverride, type OverridePath } from './overrides.js';

/** One swept key: its path as written (`train.learning_rate`) and the values it takes, in order. */
export interface SweepAxis {
  key: string;
  values: unknown[];
}

/** One cell: the values it sets, by key, and the tag it adds to run ids (`lr0.003-bs64`). */
export interface SweepCell {
  tag: string;
  assignments: { key: string; value: unknown }[];
}

/** What a config sweeps: axes multiplied out, and the cells a `sweep:` list names (null for a map or no block). */
export interface SweepPlan {
  axes: SweepAxis[];
  listed: SweepCell[] | null;
}

/**
 * Keys a sweep may not vary, with the reason: the grid's own axes (listed instead), and what a result folder holds
 * once (its name, folder, dataset and backend).
 */
const NOT_SWEPT: Record<string, string> = {
  name: 'it names the folder; run each name into its own folder',
  output: 'a sweep writes one folder; run each into its own folder with --out',
  seeds: 'seeds are already a grid axis: list them, seeds=[1,2,3]',
  activations: 'activations are already a grid axis: list them, activations=[relu,gelu]',
  models: 'models are already a grid axis: list them, or sweep a key inside one (models.0.hidden=...)',
  dataset: 'a result folder holds one dataset; run each dataset into its own folder with --out',
  data_dir: 'a result folder holds one dataset; run each into its own folder with --out',
  standardize: 'the workers load the dataset once per folder; run each choice into its own folder with --out',
  backend: 'a result folder holds one backend; run each into its own folder with --out',
  compare: 'compare settings change no training; change them and run `nrelu-bench report`',
  sweep: 'a sweep cannot sweep itself',
};

/** Short names for the keys a sweep most often varies, so run ids stay readable. */
const SHORT: Record<string, string> = {
  learning_rate: 'lr',
  batch_size: 'bs',
  epochs: 'ep',
  optimizer: '',
  init: '',
  train_samples: 'n',
  hidden: 'h',
};

/** Splits a value at its top-level commas (YAML flow collections and quoted strings keep theirs). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The key of a `key=value` override as written, or null for a deletion or a malformed one. */
function keyOf(text: string): string | null {
  if (text.startsWith('~')) return null;
  const body = text.replace(/^\+{1,2}/, '');
  const eq = body.indexOf('=');
  return eq < 0 ? null : body.slice(0, eq).trim();
}

/** The dotted key of a path (`models[0].hidden` -> `models.0.hidden`), the form sweep axes are compared in. */
function dotted(path: OverridePath): string {
  return path.map(String).join('.');
}

/** Refuses a key a sweep may not vary, naming why; keys inside one model (`models.0.hidden`) may be swept. */
function checkSweepable(key: string, path: OverridePath, where: string): void {
  const top = String(path[0]);
  const insideModel = top === 'models' && path.length > 1;
  const why = insideModel
    ? path.some((p) => p === 'activations' || p === 'name')
      ? "a model's activations and name are grid axes, not swept values"
      : undefined
    : NOT_SWEPT[top];
  if (why) {
    throw new ConfigError(`${where}: ${key} cannot be swept: ${why}`, {
      hint: `a value with a comma outside brackets sweeps (Hydra's multirun); quote it to keep the comma: ${key}='a,b'`,
    });
  }
}

/**
 * Splits command-line overrides into plain ones and sweep axes (`key=a,b,c`). Each value is parsed as YAML, as a
 * plain override's is.
 */
export function splitSweepOverrides(overrides: readonly string[]): { plain: string[]; axes: SweepAxis[] } {
  const plain: string[] = [];
  const axes: SweepAxis[] = [];
  for (const text of overrides) {
    const key = keyOf(text);
    // A comma outside brackets, braces and quotes: Hydra's list of sweep values.
    const parts = key === null ? [] : splitTopLevel(text.slice(text.indexOf('=') + 1)).map((v) => v.trim());
    if (key === null || parts.length < 2) {
      plain.push(text);
      continue;
    }
    if (parts.some((p) => p === '')) {
      throw new ConfigError(`bad sweep "${text}": an empty value between commas`, {
        hint: 'write key=a,b,c (a list value needs brackets: seeds=[1,2])',
      });
    }
    const parsed = parts.map((p) => parseOverride(`${key}=${p}`));
    const path = parsed[0].path;
    checkSweepable(key, path, `sweep "${text}"`);
    axes.push({ key: dotted(path), values: parsed.map((o) => o.value) });
  }
  return { plain, axes };
}

/** The `sweep:` block of a config, removed from `raw`: a map of key -> non-empty list (axes), or a list of cells. */
export function takeSweepBlock(raw: unknown): SweepPlan {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('sweep' in raw))
    return { axes: [], listed: null };
  const block = (raw as Record<string, unknown>).sweep;
  delete (raw as Record<string, unknown>).sweep;
  if (Array.isArray(block)) return { axes: [], listed: listedCells(block) };
  if (block === null || typeof block !== 'object') {
    throw new ConfigError('sweep: must be a map of config keys to lists of values, or a list of cells', {
      hint: 'e.g. sweep: {train.learning_rate: [0.001, 0.003]}',
    });
  }
  const axes = Object.entries(block).map(([key, values]) => {
    if (!Array.isArray(values) || values.length === 0) {
      throw new ConfigError(`sweep.${key}: must be a non-empty list of values`, {
        hint: `e.g. sweep: {${key}: [a, b]}`,
      });
    }
    const { path } = parseOverride(`${key}=0`);
    checkSweepable(key, path, `sweep.${key}`);
    return { key: dotted(path), values };
  });
  return { axes, listed: null };
}

const TAG = /^[a-z0-9][a-z0-9_.]*$/;

/**
 * A `sweep:` list's cells: each a map of keys to single values, with an optional `tag` (else made from the values).
 * A listed cell may also set `activations` (say, ReLU alone at a lower learning rate).
 */
function listedCells(block: unknown[]): SweepCell[] {
  if (block.length === 0) throw new ConfigError('sweep: a list of cells must not be empty');
  return block.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item) || Object.keys(item).length === 0) {
      throw new ConfigError(`sweep[${i}]: must be a map of config keys to values, e.g. {train.learning_rate: 0.01}`);
    }
    const { tag, ...values } = item as Record<string, unknown>;
    if (tag !== undefined && (typeof tag !== 'string' || !TAG.test(tag))) {
      throw new ConfigError(`sweep[${i}].tag: must be lower-case letters, digits, "_" and "." (it joins run ids)`);
    }
    const assignments = Object.entries(values).map(([key, value]) => {
      const { path } = parseOverride(`${key}=0`);
      if (!(path.length === 1 && path[0] === 'activations')) checkSweepable(key, path, `sweep[${i}]`);
      return { key: dotted(path), value };
    });
    const made = assignments.map((a) => axisTag(a.key, a.value)).join('-');
    return { tag: typeof tag === 'string' ? tag : made, assignments };
  });
}

/**
 * What a command sweeps. Axes: the YAML block's, each replaced by a command-line sweep of the same key and dropped by
 * a plain override of it (the command line wins, as in Hydra), then the command line's new ones. Listed cells are
 * kept; a command-line sweep multiplies them, and a plain override of a key they set is refused (edit the cells).
 */
export function combineSweeps(yaml: SweepPlan, cli: SweepAxis[], plainOverrides: readonly string[]): SweepPlan {
  const plainKeys = new Set(plainOverrides.flatMap((t) => (keyOf(t) === null ? [] : [dotted(parseOverride(t).path)])));
  const seen = new Set<string>();
  for (const a of cli) {
    if (seen.has(a.key)) throw new ConfigError(`${a.key} is swept twice on the command line`);
    seen.add(a.key);
  }
  const listedKeys = new Set((yaml.listed ?? []).flatMap((c) => c.assignments.map((a) => a.key)));
  for (const key of [...plainKeys, ...seen]) {
    if (listedKeys.has(key)) {
      throw new ConfigError(`${key} is set by the config's sweep cells; an override cannot change it`, {
        hint: 'edit the sweep: list in the config, or run another config',
      });
    }
  }
  const fromCli = new Map(cli.map((a) => [a.key, a]));
  const kept = yaml.axes.filter((a) => !plainKeys.has(a.key)).map((a) => fromCli.get(a.key) ?? a);
  const keys = new Set(kept.map((a) => a.key));
  return { axes: [...kept, ...cli.filter((a) => !keys.has(a.key))], listed: yaml.listed };
}

/** True when the plan sweeps anything. */
export function sweeps(plan: SweepPlan): boolean {
  return plan.axes.length > 0 || plan.listed !== null;
}

/** A value's part of a tag: a number as run ids write it, a name, numbers joined by `x`, else a short hash. */
function valueTag(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string' && /^[A-Za-z0-9_]+$/.test(value)) return value.toLowerCase();
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return value.map((v) => formatNumber(v as number)).join('x');
  }
  return `v${createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 6)}`;
}

/** An axis's part of a tag: its short name (the last key part, abbreviated) and the value's part. */
function axisTag(key: string, value: unknown): string {
  const last =
    key
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? key;
  const name = last in SHORT ? SHORT[last] : last.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${name}${valueTag(value)}`;
}

/**
 * The cells: the listed ones (or one empty cell) times the product of the axes' values, in order (the last axis varies
 * fastest), each with its tag. Two cells with one tag are refused.
 */
export function sweepCells(plan: SweepPlan): SweepCell[] {
  let cells: SweepCell[] = plan.listed ?? [{ tag: '', assignments: [] }];
  for (const axis of plan.axes) {
    cells = cells.flatMap((c) =>
      axis.values.map((value) => ({
        tag: [c.tag, axisTag(axis.key, value)].filter((t) => t !== '').join('-'),
        assignments: [...c.assignments, { key: axis.key, value }],
      })),
    );
  }
  const seen = new Set<string>();
  for (const cell of cells) {
    if (seen.has(cell.tag)) {
      throw new ConfigError(`the sweep gives two cells the same tag "${cell.tag}"`, {
        hint: 'sweep distinct values (each value appears once per key), or give listed cells distinct tags',
      });
    }
    seen.add(cell.tag);
  }
  return cells;
}
