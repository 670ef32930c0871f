/**
 * Rough edges a new user met (issue 22, "Also fix"): each one is now refused or explained in one line
 * instead of mixing results, losing them or failing with a raw system error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { copyFolder, trainInto, writeTiny } from '../helpers/tiny-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-rough-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const base = join(dir, 'base');
let config = '';

before(async () => {
  config = writeTiny(dir);
  await trainInto(config, base, 'activations=[relu]');
});

const editJson = (edit: (m: Record<string, unknown>) => void) => (text: string): string => {
  const m = JSON.parse(text) as Record<string, unknown>;
  edit(m);
  return JSON.stringify(m, null, 2);
};

test('run --backend cpu into a folder trained on wasm is refused and the manifest keeps its backend', async () => {
  const wasm = copyFolder(base, join(dir, 'wasm'), { 'manifest.json': editJson((m) => { (m.backend as { name: string }).name = 'wasm'; }) });
  const r = await runCli(['run', config, '--out', wasm, 'activations=[relu]', 'seeds=[2]', '--backend', 'cpu', '--jobs', '1', '--no-report']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /wasm holds 1 run trained on the wasm backend; this run would use cpu/);
  assert.equal((JSON.parse(readFileSync(join(wasm, 'manifest.json'), 'utf8')) as { backend: { name: string } }).backend.name, 'wasm');
  assert.equal(readFileSync(join(wasm, 'summary.csv'), 'utf8'), readFileSync(join(base, 'summary.csv'), 'utf8'));
});

const headerOnly = (text: string): string => `${text.split('\n')[0]}\n`;

test('report refuses a folder whose manifest has a finished run without its summary.csv row, naming it', async () => {
  const lost = copyFolder(base, join(dir, 'lost-summary'), { 'summary.csv': headerOnly });
  const r = await runCli(['report', lost]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /1 finished run in manifest\.json lacks rows: mlp-relu-seed1 \(no summary\.csv row\)/);
});

test('run retrains a finished run whose dead_neurons.csv rows were lost, and restores them', async () => {
  const lost = copyFolder(base, join(dir, 'lost-dead'), { 'dead_neurons.csv': headerOnly });
  const r = await runCli(['run', config, '--out', lost, 'activations=[relu]', '--jobs', '1', '--no-report']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /mlp-relu-seed1: dead_neurons\.csv rows of epoch 1 missing; it trains again/);
  assert.equal(readFileSync(join(lost, 'dead_neurons.csv'), 'utf8'), readFileSync(join(base, 'dead_neurons.csv'), 'utf8'));
});
