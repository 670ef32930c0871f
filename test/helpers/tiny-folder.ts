/** One small trained result folder per test file, copied and edited by tests of what reads result folders. */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';

/** The tiny.yaml: mnist-10k, one 16-unit layer, relu and nrelu 0.1, 1 epoch (seeds via overrides). */
export const TINY_YAML = `name: tiny
dataset: mnist-10k
models: [{model: mlp, hidden: [16]}]
backend: cpu
activations: [relu, {name: nrelu, sigma: 0.1}]
seeds: [1]
train: {epochs: 1, batch_size: 64, train_samples: 256, test_samples: 128}
dead_neurons: {samples: 128, gradient_samples: 64}
`;

/** Writes tiny.yaml into `dir` and returns its path. */
export function writeTiny(dir: string, text = TINY_YAML): string {
  const path = join(dir, 'tiny.yaml');
  writeFileSync(path, text);
  return path;
}

/** Trains `config` (with `args`) into `out`, asserting exit 0. */
export async function trainInto(config: string, out: string, ...args: string[]): Promise<void> {
  const r = await runCli(['run', config, '--out', out, '--jobs', '1', '--no-report', ...args]);
  assert.equal(r.code, 0, r.stderr);
}

/** A copy of result folder `src` at `to`, with `edit` applied to the text of some of its files. */
export function copyFolder(src: string, to: string, edit: Record<string, (text: string) => string> = {}): string {
  cpSync(src, to, { recursive: true });
  for (const [file, f] of Object.entries(edit)) writeFileSync(join(to, file), f(readFileSync(join(to, file), 'utf8')));
  return to;
}
