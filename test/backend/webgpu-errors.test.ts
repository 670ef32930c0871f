/**
 * WebGPU errors end a run as `failed`, naming the error: a validation error provoked in a run's
 * worker after epoch 1 (test hook WEBGPU_FAULT_ENV) fails that run with Dawn's message; the next run
 * of the grid, in the same worker, completes. (Full MNIST on webgpu: webgpu-full-mnist.test.ts.)
 * Skips without an adapter; the missing adapter itself fails in CI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { WEBGPU_FAULT_ENV } from '../../src/runner/protocol.js';
import { readRowsSync } from '../../src/results/files.js';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';
import { requires } from '../helpers/requires.js';

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

test(
  'a WebGPU validation error ends its run as failed, naming the error; the next run completes',
  { ...gpu, timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nrelu-webgpu-fault-'));
    const config = join(dir, 'tiny.yaml');
    writeFileSync(config, tinyConfig().replace('backend: cpu', 'backend: webgpu'));
    const out = join(dir, 'out');
    const r = await runCli(['run', config, '--out', out, '--jobs', '1', '--no-report', 'activations=[relu]'], {
      [WEBGPU_FAULT_ENV]: 'mlp-relu-seed1',
    });
    assert.equal(r.code, 1, `a run failed: ${r.stderr}`);
    const rows = readRowsSync(join(out, 'summary.csv'));
    assert.deepEqual(
      rows.map((s) => [s.run_id, s.status]),
      [
        ['mlp-relu-seed1', 'failed'],
        ['mlp-relu-seed2', 'completed'],
      ],
    );
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.match(manifest.runs['mlp-relu-seed1'].message, /^WebGPU validation error: Buffer usages must not be 0/);
  },
);

test(
  'eval on webgpu: a WebGPU error fails that model, named, and writes no row for it; the others are evaluated',
  { ...gpu, timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nrelu-webgpu-eval-fault-'));
    const config = join(dir, 'tiny.yaml');
    writeFileSync(config, tinyConfig());
    const out = join(dir, 'out');
    const trained = await runCli(['run', config, '--out', out, '--jobs', '2', '--no-report', '--save-models']);
    assert.equal(trained.code, 0, trained.stderr);
    const r = await runCli(['eval', out, '--backend', 'webgpu'], { [WEBGPU_FAULT_ENV]: 'mlp-relu-seed1' });
    assert.equal(r.code, 1, `one model failed: ${r.stderr}`);
    assert.match(r.stderr, /mlp-relu-seed1: not evaluated: WebGPU validation error: Buffer usages must not be 0/);
    const rows = readRowsSync(join(out, 'eval.csv'));
    assert.deepEqual(rows.map((e) => e.run_id).sort(), [
      'mlp-nrelu-s0.1-seed1',
      'mlp-nrelu-s0.1-seed2',
      'mlp-relu-seed2',
    ]);
    // Trained on cpu, scored on webgpu: the same model within float rounding (a near-tie may flip one image).
    for (const e of rows)
      assert.ok(Math.abs(Number(e.test_acc) - Number(e.recorded_test_acc)) <= 0.002, `${e.run_id} on webgpu`);
  },
);
