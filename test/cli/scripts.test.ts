/** scripts/*.sh: valid bash (shellcheck-clean where installed), and the sigma sweep end to end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRowsSync } from '../../src/results/files.js';
import { available } from '../helpers/requires.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPTS = ['sigma-sweep.sh', 'ci-repro-check.sh', 'make-reference.sh', 'gpu-check.sh', 'ci-gpu-rehearsal.sh'].map(
  (f) => join(ROOT, 'scripts', f),
);
const shellcheckMissing =
  spawnSync('shellcheck', ['--version']).status === 0 ? null : 'shellcheck not found: apt-get install shellcheck';

function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(ROOT, 'scripts', script), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the sweep, repro-check, reference and GPU check scripts pass bash -n and shellcheck', (t) => {
  const shellcheck = available(t, 'shellcheck', shellcheckMissing);
  for (const script of SCRIPTS) {
    const r = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${script}: ${r.stderr}`);
    assert.match(readFileSync(script, 'utf8'), /^set -euo pipefail$/m, `${script} uses strict mode`);
    if (shellcheck) {
      const sc = spawnSync('shellcheck', [script], { encoding: 'utf8' });
      assert.equal(sc.status, 0, `${script}: ${sc.stdout}`);
    }
  }
});

test('sigma-sweep.sh --help, and bad input is a usage error', async () => {
  const help = await runScript('sigma-sweep.sh', ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: scripts\/sigma-sweep\.sh/m);
  assert.match(help.stdout, /0 0\.01 0\.02 0\.05 0\.1 0\.2 0\.5/);
  // The comparison it describes is the one src/report/comparison.ts writes: paired by seed, Holm, TOST, a verdict.
  const text = help.stdout.replace(/\s+/g, ' ');
  for (const word of [/paired with ReLU by seed/, /TOST/, /Holm-adjusted/, /better, worse, equivalent or inconclusive/])
    assert.match(text, word);
  assert.doesNotMatch(text, /Welch p-value vs ReLU\)/);
  assert.match(text, /auto, tensorflow, webgpu, wasm or cpu/);
  const bad = await runScript('sigma-sweep.sh', ['--sigmas', '0 x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'x' is not a sigma/);
});

test('sigma-sweep.sh trains ReLU and N-ReLU at each sigma and writes the comparison sorted by sigma', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'nrelu-sweep-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const out = join(tmp, 'sweep');
  const r = await runScript(
    'sigma-sweep.sh',
    [
      '--model',
      'mlp',
      '--dataset',
      'mnist-10k',
      '--sigmas',
      '0.1 0',
      '--seeds',
      '1',
      '--epochs',
      '1',
      '--backend',
      'cpu',
      '--out',
      out,
      '--',
      'models=[{model: mlp, hidden: [16]}]',
      'train.train_samples=256',
      'train.test_samples=128',
      'dead_neurons.samples=128',
    ],
    { NRELU_BENCH: `${process.execPath} --import tsx ${join(ROOT, 'test', 'helpers', 'cli-entry.ts')}` },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /comparison: .*comparison\.md/);
  const summary = readRowsSync(join(out, 'summary.csv'));
  assert.deepEqual(
    summary.map((s) => s.run_id),
    ['mlp-relu-seed1', 'mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0-seed1'],
  );
  const comparison = readRowsSync(join(out, 'comparison.csv'));
  assert.deepEqual(
    comparison.map((c) => [c.activation, c.sigma]),
    [
      ['relu', ''],
      ['nrelu', '0'],
      ['nrelu', '0.1'],
    ],
  );
  // N-ReLU with sigma 0 is ReLU exactly.
  const acc = (id: string): string | undefined => summary.find((s) => s.run_id === id)?.final_test_acc;
  assert.equal(acc('mlp-nrelu-s0-seed1'), acc('mlp-relu-seed1'));
  assert.match(readFileSync(join(out, 'comparison.md'), 'utf8'), /\| nrelu \| 0 \|[\s\S]*\| nrelu \| 0\.1 \|/);
});
