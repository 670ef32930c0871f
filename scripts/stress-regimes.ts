/**
 * The stress pilot's regime rule (configs/stress-pilot.yaml, written before the pilot ran), applied to its result
 * folder: per (model, learning rate) cell of ReLU runs, the mean dead fraction (final_dead / units over seeds), the
 * lowest final test accuracy, whether it "trains" (every seed >= 90%) or "stalls" (some seed < 50%), and which cell
 * the rule picks as regime A ("dying": dead fraction in [0.20, 0.60] and trains; the highest dead fraction, ties to
 * the shallower model, then the lower rate) and as regime B ("collapsing": dead fraction > 0.60 or a stalled seed;
 * the lowest rate, then the shallowest model).
 *
 *   npx tsx scripts/stress-regimes.ts results/stress-pilot
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRowsSync, type Row } from '../src/results/files.js';

export interface PilotCell {
  /** The model label (`mlp6-lr0.01`), its units and learning rate. */
  model: string;
  units: number;
  learningRate: number;
  seeds: number;
  deadFraction: number;
  minAcc: number;
  trains: boolean;
  stalls: boolean;
  regime: 'A' | 'B' | '';
}

export const RULE = { deadLow: 0.2, deadHigh: 0.6, trainsAt: 0.9, stallsBelow: 0.5 } as const;

/** The rate a cell was trained at, from its manifest-free label (`-lr0.01`), else NaN. */
function rateOf(model: string): number {
  const m = /-lr([0-9.]+(?:e-?\d+)?)(?=-|$)/.exec(model.replace(/(\d)em(\d)/g, '$1e-$2'));
  return m ? Number(m[1]) : NaN;
}

/** The pilot's cells (completed ReLU runs grouped by model label), each classified, with A and B marked. */
export function classifyPilot(summary: Row[]): PilotCell[] {
  const done = summary.filter((r) => r.status === 'completed' && r.activation === 'relu');
  const cells = [...new Set(done.map((r) => r.model))].map((model): PilotCell => {
    const runs = done.filter((r) => r.model === model);
    const accs = runs.map((r) => Number(r.final_test_acc));
    const deadFraction = runs.reduce((s, r) => s + Number(r.final_dead) / Number(r.units), 0) / runs.length;
    const minAcc = Math.min(...accs);
    return {
      model,
      units: Number(runs[0].units),
      learningRate: rateOf(model),
      seeds: runs.length,
      deadFraction,
      minAcc,
      trains: accs.every((a) => a >= RULE.trainsAt),
      stalls: accs.some((a) => a < RULE.stallsBelow),
      regime: '',
    };
  });
  const dying = cells
    .filter((c) => c.deadFraction >= RULE.deadLow && c.deadFraction <= RULE.deadHigh && c.trains && !c.stalls)
    .sort((a, b) => b.deadFraction - a.deadFraction || a.units - b.units || a.learningRate - b.learningRate)[0];
  const collapsing = cells
    .filter((c) => c.deadFraction > RULE.deadHigh || c.stalls)
    .sort((a, b) => a.learningRate - b.learningRate || a.units - b.units)[0];
  if (dying) dying.regime = 'A';
  if (collapsing) collapsing.regime = 'B';
  return cells;
}

/** The pilot's table in Markdown, in the folder's order, and one line naming the two regimes. */
export function renderPilot(cells: PilotCell[]): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const lines = [
    '| cell | units | lr | seeds | dead (mean) | lowest test acc | trains | stalls | regime |',
    '|---|---|---|---|---|---|---|---|---|',
    ...cells.map(
      (c) =>
        `| ${c.model} | ${c.units} | ${c.learningRate} | ${c.seeds} | ${pct(c.deadFraction)} | ${pct(c.minAcc)} ` +
        `| ${c.trains ? 'yes' : 'no'} | ${c.stalls ? 'yes' : 'no'} | ${c.regime || '–'} |`,
    ),
    '',
  ];
  const pick = (r: 'A' | 'B'): string => cells.find((c) => c.regime === r)?.model ?? 'none: extend the pilot';
  lines.push(`Regime A (dying): ${pick('A')}. Regime B (collapsing): ${pick('B')}.`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npx tsx scripts/stress-regimes.ts <pilot result folder>\n');
    process.exit(2);
  }
  process.stdout.write(`${renderPilot(classifyPilot(readRowsSync(join(dir, 'summary.csv'))))}\n`);
}
