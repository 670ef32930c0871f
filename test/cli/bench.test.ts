import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { tf } from '../../src/tf.js';
import { parseActivationSpec } from '../../src/cli/bench.js';
import { main } from '../../src/cli/main.js';

/** Runs the CLI in this process (for input errors, which fail before any backend starts). */
async function mainInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '',
    stderr = '';
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'nrelu-bench', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test('bench --json prints one JSON object with the documented fields (cpu, tiny MLP run)', async () => {
  const r = await runCli([
    'bench',
    '--backend',
    'cpu',
    '--model',
    'mlp',
    '--activation',
    '{name: nrelu, sigma: 0.1}',
    '--batch-size',
    '16',
    '--steps',
    '3',
    '--warmup',
    '1',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  const json = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(json.backend, 'cpu');
  assert.equal(json.model, 'mlp');
  assert.equal(json.activation, 'nrelu sigma=0.1');
  assert.deepEqual(json.activation_spec, { name: 'nrelu', sigma: 0.1 });
  assert.equal(json.batch_size, 16);
  assert.equal(json.steps, 3);
  for (const key of [
    'samples_per_second',
    'step_ms_median',
    'step_ms_min',
    'step_ms_max',
    'peak_rss_bytes',
    'peak_tf_bytes',
  ]) {
    assert.ok(typeof json[key] === 'number' && (json[key] as number) > 0, `${key}: ${String(json[key])}`);
  }
  assert.ok(Math.abs((json.samples_per_second as number) - 16000 / (json.step_ms_median as number)) < 1e-6);
  assert.equal(json.tensor_growth, 0);
});

test('bench prints a readable summary by default', async () => {
  const r = await runCli([
    'bench',
    '--backend',
    'cpu',
    '--model',
    'mlp',
    '--batch-size',
    '8',
    '--steps',
    '2',
    '--warmup',
    '0',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^mlp, relu, backend cpu, batch 8$/m);
  assert.match(r.stdout, /throughput\s+\d+ samples\/s/);
  assert.match(r.stdout, /peak memory\s+\d+ MiB process RSS/);
});

test('bench rejects bad input with one line and exit code 2', async () => {
  const cases = [
    [['--activation', '{name: nrelu, sigma: -1}'], /parameter "sigma" must be a finite number >= 0/],
    [['--activation', '{name: nrelu, sigma: 0.1'], /--activation: cannot parse/],
    [['--activation', '[relu]'], /--activation must be a name or an object/],
    [['--activation', 'swish'], /unknown activation "swish"/],
    [['--model', 'rnn'], /--model <model>' argument 'rnn' is invalid. Allowed choices are mlp, cnn/],
    [
      ['--backend', 'gpu'],
      /--backend <name>' argument 'gpu' is invalid. Allowed choices are auto, tensorflow, webgpu, wasm, cpu/,
    ],
    [['--steps', '0'], /--steps must be an integer >= 1/],
    [['--batch-size', '12.5'], /--batch-size must be an integer >= 1/],
  ] as const;
  for (const [args, message] of cases) {
    const r = await mainInProcess(['bench', '--backend', 'cpu', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1, r.stderr);
    assert.equal(r.stdout, '');
  }
  // And once through a real process, as a user runs it.
  const spawned = await runCli(['bench', '--activation', '{name: nrelu, sigma: -1}']);
  assert.equal(spawned.code, 2, spawned.stderr);
  assert.match(spawned.stderr, /^error: activation "nrelu": parameter "sigma" must be/);
});

test('bench --help shows examples and the default sigma of nrelu', async () => {
  const r = await mainInProcess(['bench', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /nrelu-bench bench --model mlp --activation "\{name: nrelu, sigma: 0.1\}"/);
  assert.match(r.stdout.replace(/\s+/g, ' '), /nrelu without sigma uses sigma 0\.1/);
});

test('bench --activation nrelu (no sigma) times N-ReLU at sigma 0.1 instead of failing', async () => {
  assert.deepEqual(parseActivationSpec('nrelu'), { name: 'nrelu', sigma: 0.1 });
  assert.deepEqual(parseActivationSpec('{name: nrelu}'), { name: 'nrelu', sigma: 0.1 });
  assert.deepEqual(parseActivationSpec('{name: nrelu, sigma: 0.2}'), { name: 'nrelu', sigma: 0.2 });
  assert.equal(parseActivationSpec('relu'), 'relu');
  const r = await runCli(
    ['bench', '--backend', 'cpu', '--model', 'mlp', '--activation', 'nrelu'].concat([
      '--batch-size',
      '8',
      '--steps',
      '1',
      '--warmup',
      '0',
      '--json',
    ]),
  );
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { activation: string; activation_spec: unknown };
  assert.equal(json.activation, 'nrelu sigma=0.1');
  assert.deepEqual(json.activation_spec, { name: 'nrelu', sigma: 0.1 });
});

test('parseActivationSpec: names and flow objects (YAML or JSON)', () => {
  assert.equal(parseActivationSpec('gelu'), 'gelu');
  assert.deepEqual(parseActivationSpec('{name: nrelu, sigma: 0.05}'), { name: 'nrelu', sigma: 0.05 });
  assert.deepEqual(parseActivationSpec('{"name": "leaky_relu", "alpha": 0.1}'), { name: 'leaky_relu', alpha: 0.1 });
  assert.throws(() => parseActivationSpec('{name: nrelu, sigma: -1}'), /sigma/);
});

test('benchHarness (the harness-overhead part of npm run bench): timings add up and nothing grows across epochs', async () => {
  const { selectBackend } = await import('../../src/backend/select.js');
  const { benchHarness } = await import('../../src/bench/harness.js');
  await selectBackend('wasm');
  const r = await benchHarness({
    model: 'mlp',
    activation: { name: 'nrelu', sigma: 0.1 },
    batchSize: 64,
    trainSamples: 256,
    testSamples: 64,
    probeSamples: 64,
    epochs: 3,
    warmupSteps: 2,
  });
  assert.equal(r.activation, 'nrelu sigma=0.1');
  assert.equal(r.harnessEpochSeconds.n, 2); // epochs 2 and 3
  assert.equal(r.bareEpochSeconds.n, 4); // epochs 2 and 3 of a bare run before and one after
  assert.ok(r.harnessTrainSeconds.median > 0 && r.harnessTrainSeconds.median <= r.harnessEpochSeconds.median);
  assert.ok(Math.abs(r.ratio - r.harnessEpochSeconds.median / r.bareEpochSeconds.median) < 1e-12);
  for (const t of [r.evaluateSeconds, r.probeSeconds, r.gradientSeconds]) assert.ok(t && t.median > 0 && t.n === 3);
  assert.equal(r.gradientSamples, 4, "trainSamples / 60 by default, as 1,000 of MNIST's 60,000");
  assert.equal(r.tensorsPerEpoch.length, 3);
  assert.ok(
    r.tensorsPerEpoch.every((n) => n === r.tensorsPerEpoch[0]),
    `tensors per epoch: ${r.tensorsPerEpoch.join(', ')}`,
  );
});

test('harnessAtScale: the per-epoch calls over a training epoch of trainSamples / batchSize steps', async () => {
  const { selectBackend } = await import('../../src/backend/select.js');
  const { harnessAtScale } = await import('../../src/bench/harness.js');
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const r = await harnessAtScale({
    model: 'mlp',
    activation: { name: 'nrelu', sigma: 0.1 },
    trainSamples: 6400,
    testSamples: 64,
    probeSamples: 96,
    gradientSamples: 16,
    batchSize: 64,
    steps: 3,
    repeats: 1,
  });
  assert.equal(r.activation, 'nrelu sigma=0.1');
  for (const t of [r.trainEpochSeconds, r.evaluateSeconds, r.probeSeconds, r.gradientSeconds]) assert.ok(t > 0);
  assert.equal(r.trainEpochSeconds, 100 * r.stepSeconds, 'an epoch of 6,400 images is 100 steps of 64');
  assert.ok(
    Math.abs(
      r.ratio - (r.trainEpochSeconds + r.evaluateSeconds + r.probeSeconds + r.gradientSeconds) / r.trainEpochSeconds,
    ) < 1e-12,
  );
  // The floor: the unit probe at evaluate()'s cost per image (96 / 64 of it), the gradient probe at 16 / 64 of a step.
  const floor = r.trainEpochSeconds + r.evaluateSeconds * (1 + 96 / 64) + (r.stepSeconds * 16) / 64;
  assert.ok(Math.abs(r.floor - floor / r.trainEpochSeconds) < 1e-12, `floor ${r.floor}`);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
});

test('parseActivationSpec: a flow object without spaces after its colons explains the YAML rule', () => {
  assert.throws(
    () => parseActivationSpec('{name:nrelu,sigma:-1}'),
    (err: unknown) =>
      err instanceof Error &&
      /YAML reads "name:nrelu" as one key, since a colon needs a space after it/.test(err.message) &&
      /--activation "\{name: nrelu,sigma: -1\}"/.test((err as { hint?: string }).hint ?? ''),
  );
});
