/** The side-by-side part of npm run bench: ratio arithmetic, the table, and the PyTorch script's output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findTorchPython, peerLines, roundRatio, type PeerReport } from '../../scripts/bench-peers.js';
import { requires } from '../helpers/requires.js';

const r = (ours: number, baseline: number, oursMin: number, baseMin: number) => ({
  ours: { median: ours, min: oursMin },
  baseline: { median: baseline, min: baseMin },
});

test('roundRatio: per-round ratios of medians or of fastest steps, their median and min-max', () => {
  const rounds = [r(10, 20, 5, 6), r(10, 15, 5, 10), r(20, 20, 4, 8)];
  assert.deepEqual(roundRatio(rounds, 'baseline', 'ours'), { median: 1.5, min: 1, max: 2 });
  assert.deepEqual(roundRatio(rounds, 'baseline', 'ours', 'min'), { median: 2, min: 1.2, max: 2 });
  assert.equal(roundRatio(rounds, 'torch1', 'ours'), null);
});

test('the table says when the PyTorch peer was skipped, and shows the baseline speed-up', () => {
  const report: PeerReport = {
    torch: { skipped: 'no python3 with torch found' },
    threads: 2,
    baseline: '/x',
    rounds: { mlp: [r(10, 18, 5, 9)], cnn: [] },
  };
  const text = peerLines(report).join('\n');
  assert.match(text, /PyTorch peer skipped: no python3 with torch found/);
  assert.match(
    text,
    /\| MLP \| 10\.00 \/ 5\.00 \| 18\.00 \/ 9\.00 \| 1\.80 \(1\.80–1\.80\); fastest: 1\.80 \(1\.80–1\.80\) \|/,
  );
});

const python = findTorchPython();
test(
  'scripts/bench_torch.py times the MLP at each thread count and prints one JSON object',
  requires(
    'PyTorch (the bench peer)',
    python ? null : 'no python3 with torch: apt-get install python3-torch libopenblas0-pthread',
  ),
  () => {
    const script = fileURLToPath(new URL('../../scripts/bench_torch.py', import.meta.url));
    const out = spawnSync(
      python!,
      [script, '--model', 'mlp', '--threads', '1,2', '--steps', '3', '--warmup', '1', '--batch-size', '16'],
      { encoding: 'utf8' },
    );
    assert.equal(out.status, 0, out.stderr);
    const json = JSON.parse(out.stdout) as { model: string; step_ms: Record<string, number[]>; batch_size: number };
    assert.equal(json.model, 'mlp');
    assert.equal(json.batch_size, 16);
    assert.deepEqual(Object.keys(json.step_ms), ['1', '2']);
    for (const ms of Object.values(json.step_ms)) assert.ok(ms.length === 3 && ms.every((v) => v > 0));
  },
);
