import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCKS, renderSparklines, sparkline } from '../../src/report/sparkline.js';
import type { Row } from '../../src/results/files.js';

test('sparkline maps min to ▁, max to █ and the values between proportionally', () => {
  assert.equal(sparkline([0, 1]), '▁█');
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), BLOCKS.join(''));
  assert.equal(sparkline([10, 5, 0]), '█▅▁'); // 5 is halfway: round(3.5) = 4 -> ▅
  assert.equal(sparkline([0.9, 0.95, 0.99]), '▁▅█');
  assert.equal(sparkline([-3, -1]), '▁█');
});

test('a constant series is a flat middle row; empty and non-finite values are handled', () => {
  assert.equal(sparkline([0.97, 0.97, 0.97]), '▄▄▄');
  assert.equal(sparkline([5]), '▄');
  assert.equal(sparkline([]), '');
  assert.equal(sparkline([0, Number.NaN, 1]), '▁ █');
  assert.equal(sparkline([Number.NaN]), ' ');
});

test('sparkline on a shared range clamps values outside it', () => {
  assert.equal(sparkline([0.5, 0.75, 1], { min: 0.5, max: 1 }), '▁▅█');
  assert.equal(sparkline([0, 2], { min: 0.5, max: 1 }), '▁█');
  assert.equal(sparkline([0.6, 0.6], { min: 0.6, max: 0.6 }), '▄▄');
});

function epochRow(runId: string, model: string, activation: string, seed: number, epoch: number, acc: number): Row {
  return {
    run_id: runId,
    model,
    activation,
    sigma: '',
    seed: String(seed),
    epoch: String(epoch),
    test_acc: String(acc),
  };
}

test('renderSparklines: one line per setting, mean over seeds, shared scale per model, completed runs only', () => {
  const epochs = [
    ...[0.9, 0.95, 0.97].map((a, i) => epochRow('mlp-relu-seed1', 'mlp', 'relu', 1, i + 1, a)),
    ...[0.92, 0.97, 0.99].map((a, i) => epochRow('mlp-relu-seed2', 'mlp', 'relu', 2, i + 1, a)),
    ...[0.8, 0.85, 0.9].map((a, i) => epochRow('mlp-gelu-seed1', 'mlp', 'gelu', 1, i + 1, a)),
    epochRow('mlp-gelu-seed9', 'mlp', 'gelu', 9, 1, 0.1),
  ];
  const summary: Row[] = [
    { run_id: 'mlp-relu-seed1', model: 'mlp', activation: 'relu', sigma: '', seed: '1', status: 'completed' },
    { run_id: 'mlp-relu-seed2', model: 'mlp', activation: 'relu', sigma: '', seed: '2', status: 'completed' },
    { run_id: 'mlp-gelu-seed1', model: 'mlp', activation: 'gelu', sigma: '', seed: '1', status: 'completed' },
    { run_id: 'mlp-gelu-seed9', model: 'mlp', activation: 'gelu', sigma: '', seed: '9', status: 'failed' },
  ];
  const out = renderSparklines(epochs, { summary });
  const lines = out.split('\n');
  assert.equal(lines.length, 3, out);
  assert.match(lines[0], /^MLP .*80\.00%.*98\.00%/);
  // relu means 0.91, 0.96, 0.98 and gelu 0.80, 0.85, 0.90 on the shared range 0.80..0.98
  assert.match(lines[1], /^ {2}relu +▅▇█ +98\.00%$/);
  assert.match(lines[2], /^ {2}gelu +▁▃▅ +90\.00%$/);
  // without the summary the failed run's epoch (0.1) enters gelu's mean and the range
  assert.match(renderSparklines(epochs), /gelu +▁▆▇/);
  assert.equal(renderSparklines([]), '');
});
