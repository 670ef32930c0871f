/** Comparing result folders in tests: CSVs with their timing columns blanked, byte for byte otherwise. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { TIMING_COLUMNS } from '../../src/results/files.js';

/** A CSV's text with every timing column's cells emptied (header and everything else untouched). */
export function withoutTiming(path: string): string {
  const text = readFileSync(path, 'utf8');
  const rows = parse(text, { relax_column_count: false }) as string[][];
  const timing = new Set(rows[0].map((c, i) => (TIMING_COLUMNS.has(c) ? i : -1)).filter((i) => i >= 0));
  // The harness never quotes cells in these files, so joining with commas gives the text back.
  const rebuilt = rows.map((r) => r.map((c, i) => (timing.has(i) ? '' : c)).join(',')).join('\n');
  const original = rows.map((r) => r.join(',')).join('\n');
  if (`${original}\n` !== text) throw new Error(`${path}: has quoted cells; compare it another way`);
  return `${rebuilt}\n`;
}

export const RESULT_CSVS = ['summary.csv', 'epochs.csv', 'dead_neurons.csv', 'robustness.csv', 'comparison.csv'];

/** Asserts two result folders hold the same CSVs and comparison.md, timing columns aside. */
export function sameResults(a: string, b: string): { file: string; same: boolean }[] {
  const out = RESULT_CSVS.filter((f) => existsSync(join(a, f)) || existsSync(join(b, f))).map((file) => ({
    file,
    same:
      existsSync(join(a, file)) &&
      existsSync(join(b, file)) &&
      withoutTiming(join(a, file)) === withoutTiming(join(b, file)),
  }));
  out.push({
    file: 'comparison.md',
    same: readFileSync(join(a, 'comparison.md'), 'utf8') === readFileSync(join(b, 'comparison.md'), 'utf8'),
  });
  return out;
}

/** A small config file for CLI tests: real mnist-10k digits, small caps, two activations. */
export function tinyConfig(extra = ''): string {
  return `name: tiny
dataset: mnist-10k
models: [{model: mlp, hidden: [16]}]
backend: cpu
activations: [relu, {name: nrelu, sigma: 0.1}]
seeds: [1, 2]
train: {epochs: 2, batch_size: 64, train_samples: 256, test_samples: 128}
dead_neurons: {samples: 128}
eval: {robustness: {gaussian: [0.2]}}
${extra}`;
}
