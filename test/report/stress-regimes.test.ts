/**
 * The stress pilot's regime rule (scripts/stress-regimes.ts) on planted cells: A is the "dying" cell with the most dead
 * units that still trains, B the least extreme "collapsing" one; cells outside both rules get no regime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPilot, renderPilot } from '../../scripts/stress-regimes.js';
import type { Row } from '../../src/results/files.js';

const run = (model: string, seed: number, dead: number, units: number, acc: number): Row => ({
  run_id: `${model}-relu-seed${seed}`,
  model,
  activation: 'relu',
  seed: String(seed),
  status: 'completed',
  final_dead: String(dead),
  units: String(units),
  final_test_acc: String(acc),
});

const pilot: Row[] = [
  run('mlp4-lr0.003', 1, 100, 1024, 0.97), // 10%: neither
  run('mlp4-lr0.003', 2, 110, 1024, 0.97),
  run('mlp4-lr0.01', 1, 300, 1024, 0.95), // 30%: dying
  run('mlp4-lr0.01', 2, 320, 1024, 0.95),
  run('mlp6-lr0.01', 1, 700, 1536, 0.93), // 47%: dying, more dead: A
  run('mlp6-lr0.01', 2, 740, 1536, 0.92),
  run('mlp8-lr0.01', 1, 1100, 2048, 0.91), // 55% but a seed below 90%: not A
  run('mlp8-lr0.01', 2, 1150, 2048, 0.89),
  run('mlp8-lr0.03', 1, 1800, 2048, 0.11), // stalls: B candidate at a higher rate
  run('mlp8-lr0.03', 2, 1700, 2048, 0.6),
  run('mlp6-lr0.03', 1, 1300, 1536, 0.9), // 85% dead: B candidate, shallower: B
  run('mlp6-lr0.03', 2, 1310, 1536, 0.9),
  { ...run('mlp6-lr0.003', 1, 0, 1536, 0.98), status: 'failed' }, // failed runs do not count
];

test('the rule picks A (dying: 20-60% dead, every seed >= 90%) and B (collapsing: > 60% dead or a stall)', () => {
  const cells = classifyPilot(pilot);
  const regime = Object.fromEntries(cells.map((c) => [c.model, c.regime]));
  assert.deepEqual(regime, {
    'mlp4-lr0.003': '',
    'mlp4-lr0.01': '',
    'mlp6-lr0.01': 'A',
    'mlp8-lr0.01': '',
    'mlp8-lr0.03': '',
    'mlp6-lr0.03': 'B',
  });
  const mlp8 = cells.find((c) => c.model === 'mlp8-lr0.03');
  assert.equal(mlp8?.stalls, true);
  assert.equal(mlp8?.learningRate, 0.03);
  assert.ok(Math.abs((cells.find((c) => c.model === 'mlp6-lr0.01')?.deadFraction ?? 0) - 1440 / 3072) < 1e-12);
  const text = renderPilot(cells);
  assert.match(text, /\| mlp6-lr0\.01 \| 1536 \| 0\.01 \| 2 \| 46\.9% \| 92\.0% \| yes \| no \| A \|/);
  assert.match(text, /Regime A \(dying\): mlp6-lr0\.01\. Regime B \(collapsing\): mlp6-lr0\.03\./);
});

test('without a qualifying cell the table says to extend the pilot', () => {
  const text = renderPilot(classifyPilot(pilot.slice(0, 2)));
  assert.match(text, /Regime A \(dying\): none: extend the pilot\. Regime B \(collapsing\): none: extend the pilot\./);
});
