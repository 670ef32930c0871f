/**
 * The group-sequential design (`stats/sequential.ts`) applied to a result folder's rows: each compared setting's
 * paired differences from the baseline in the order of the planned seeds, the looks held, and comparison.md's
 * section that records them (`run --until-decided`; `scripts/sequential-retro.ts` applies it after the fact).
 */
import type { Row } from '../results/files.js';
import { settingOf } from '../results/settings.js';
import { decideSequential, sequentialDesign, type Look, type SequentialDesign } from '../stats/sequential.js';
import { signedPct } from './format.js';

/** The setting every other is paired with, as in the comparison table. */
export const BASELINE_SETTING = 'relu';

/**
 * Per compared setting of `model`: (setting − baseline) final test accuracy for each seed of `seeds`, in that
 * order, where both runs completed. Settings in the order their first row appears.
 */
export function pairedDiffsInSeedOrder(summary: Row[], model: string, seeds: number[]): Map<string, number[]> {
  const acc = new Map<string, Map<number, number>>();
  for (const r of summary) {
    if (r.model !== model || r.status !== 'completed') continue;
    const setting = settingOf(r);
    if (!acc.has(setting)) acc.set(setting, new Map());
    acc.get(setting)?.set(Number(r.seed), Number(r.final_test_acc));
  }
  const base = acc.get(BASELINE_SETTING) ?? new Map<number, number>();
  const out = new Map<string, number[]>();
  for (const [setting, bySeed] of acc) {
    if (setting === BASELINE_SETTING) continue;
    out.set(
      setting,
      seeds.filter((s) => bySeed.has(s) && base.has(s)).map((s) => (bySeed.get(s) as number) - (base.get(s) as number)),
    );
  }
  return out;
}

export interface ModelLooks {
  model: string;
  design: SequentialDesign;
  looks: Look[];
}

/** The design over one model's compared settings at margin `marginPp` (percentage points), and its looks. */
export function modelLooks(
  summary: Row[],
  model: string,
  seeds: number[],
  looks: number[],
  marginPp: number,
): ModelLooks {
  const diffs = pairedDiffsInSeedOrder(summary, model, seeds);
  const design = sequentialDesign(looks, diffs.size, marginPp / 100);
  return { model, design, looks: decideSequential(design, diffs) };
}

const fixed = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : '∞');

/** comparison.md's section: the design fixed in advance, then one table per model of every look held. */
export function renderSequential(models: ModelLooks[], marginPp: number): string {
  if (models.length === 0) return '';
  const { looks, alpha } = models[0].design;
  const out = [
    '## Seeds until decided (group-sequential design)',
    '',
    `Fixed in advance (\`run --until-decided\`): looks after ${looks.join(', ')} seeds; Lan–DeMets ` +
      `O'Brien–Fleming-type alpha spending, α = ${alpha} per family; superiority two-sided, equivalence by TOST ` +
      `at ±${marginPp} pp; Holm over each model's settings at each look; z boundaries converted to t at the ` +
      'look\'s df (README, "Statistics"). A setting stops at the first look that decides it; the baseline trains ' +
      'while any setting continues. Boundaries below: the first Holm step (α / settings) at each look; each ' +
      "setting's own (its Holm step, its df) beside it.",
    '',
  ];
  for (const m of models) {
    out.push(
      `### ${m.model.toUpperCase()}`,
      '',
      '| look | seeds | setting | n | paired Δ (pp) | t | \\|t\\| bound | TOST t | TOST bound | decision |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const l of m.looks) {
      out.push(
        `| ${l.look} | ${l.seeds} | *(first Holm step: z ${fixed(l.superiorityZ)}, t ${fixed(l.superiorityT)}; ` +
          `TOST z ${fixed(l.equivalenceZ)}, t ${fixed(l.equivalenceT)})* | | | | | | | |`,
      );
      for (const s of l.settings) {
        out.push(
          `| ${l.look} | ${l.seeds} | ${s.setting} | ${s.n} | ${signedPct(s.meanDiff)} | ${fixed(s.t)} ` +
            `| ${fixed(s.superiorityBoundary)} | ${fixed(s.tostT)} | ${fixed(s.equivalenceBoundary)} | ${s.decision} |`,
        );
      }
    }
    out.push('');
  }
  return out.join('\n');
}
