/**
 * The group-sequential design (`stats/sequential.ts`) applied to a result folder's rows: each compared setting's
 * paired differences from the baseline in the order of the planned seeds, the looks held, and comparison.md's
 * section that records them (`run --until-decided`; `scripts/sequential-retro.ts` applies it after the fact).
 */
import type { Row } from '../results/files.js';
import type { SequentialRecord } from '../results/manifest.js';
import { settingOf } from '../results/pooling.js';
import { compareSettingsOf } from '../results/manifest.js';
import { decideSequential, sequentialDesign, type Look, type SequentialDesign } from '../stats/sequential.js';
import { signedPct } from './format.js';

/** The setting every other is paired with when none is given: the comparison table's default (`compare.baseline`). */
const DEFAULT_BASELINE = compareSettingsOf({}).baseline;

/**
 * Per compared setting of `model`: (setting − baseline) final test accuracy for each seed of `seeds`, in that
 * order, where both runs completed. Settings in the order their first row appears.
 */
export function pairedDiffsInSeedOrder(
  summary: Row[],
  model: string,
  seeds: number[],
  baseline = DEFAULT_BASELINE,
): Map<string, number[]> {
  const acc = new Map<string, Map<number, number>>();
  for (const r of summary) {
    if (r.model !== model || r.status !== 'completed') continue;
    const setting = settingOf(r);
    if (!acc.has(setting)) acc.set(setting, new Map());
    acc.get(setting)?.set(Number(r.seed), Number(r.final_test_acc));
  }
  const base = acc.get(baseline) ?? new Map<number, number>();
  const out = new Map<string, number[]>();
  for (const [setting, bySeed] of acc) {
    if (setting === baseline) continue;
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

/**
 * The design over one model's compared settings (each paired with `baseline`) at margin `marginPp` (percentage
 * points), and its looks: all of them, or the first `upTo` (those held so far).
 */
export function modelLooks(
  summary: Row[],
  model: string,
  seeds: number[],
  looks: number[],
  marginPp: number,
  upTo = looks.length,
  baseline = DEFAULT_BASELINE,
): ModelLooks {
  const held = seeds.slice(0, looks[Math.min(upTo, looks.length) - 1]);
  const diffs = pairedDiffsInSeedOrder(summary, model, held, baseline);
  const design = sequentialDesign(looks, diffs.size, marginPp / 100);
  return { model, design, looks: decideSequential(design, diffs, upTo) };
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The manifest's record of the design and of the first `upTo` looks of each model in `models`. */
export function sequentialRecord(
  summary: Row[],
  models: string[],
  seeds: number[],
  looks: number[],
  marginPp: number,
  upTo = looks.length,
  baseline = DEFAULT_BASELINE,
): SequentialRecord {
  const held = models.map((model) => modelLooks(summary, model, seeds, looks, marginPp, upTo, baseline));
  return {
    looks,
    seeds: seeds.slice(0, looks[looks.length - 1]),
    alpha: held[0]?.design.alpha ?? 0.05,
    marginPp,
    baseline,
    models: held.map((m) => ({
      model: m.model,
      looks: m.looks.map((l) => ({
        look: l.look,
        seeds: l.seeds,
        superiorityZ: finite(l.superiorityZ),
        superiorityT: finite(l.superiorityT),
        equivalenceZ: finite(l.equivalenceZ),
        equivalenceT: finite(l.equivalenceT),
        settings: l.settings.map((x) => ({
          ...x,
          meanDiff: finite(x.meanDiff),
          sdDiff: finite(x.sdDiff),
          t: finite(x.t),
          tostT: finite(x.tostT),
          superiorityBoundary: finite(x.superiorityBoundary),
          equivalenceBoundary: finite(x.equivalenceBoundary),
        })),
      })),
    })),
  };
}

/** Settings of a record's model decided at some look (better, worse, equivalent; inconclusive after the last). */
export function decidedSettings(record: SequentialRecord, model: string): Set<string> {
  const looks = record.models.find((m) => m.model === model)?.looks ?? [];
  return new Set(looks.flatMap((l) => l.settings.filter((s) => s.decision !== 'continue').map((s) => s.setting)));
}

/** A boundary or statistic as written: 2 decimals; null (not finite, or no test) as a dash. */
const fixed = (v: number | null): string => (v === null ? '–' : v.toFixed(2));

/** comparison.md's section: the design fixed in advance, then one table per model of every look held. */
export function renderSequential(record: SequentialRecord): string {
  const { looks, alpha, marginPp } = record;
  const out = [
    '## Seeds until decided (group-sequential design)',
    '',
    `Fixed in advance (\`run --until-decided\`): looks after ${looks.join(', ')} seeds (seeds in the order ` +
      `${record.seeds.join(', ')}); Lan–DeMets O'Brien–Fleming-type alpha spending, α = ${alpha} per family; ` +
      `superiority two-sided, equivalence by TOST at ±${marginPp} pp; Holm over each model's settings at each ` +
      'look; z boundaries converted to t at the look\'s df (README, "Statistics"). A setting stops at the first ' +
      `look that decides it; ${record.baseline} trains while any setting continues. Boundaries: the first Holm ` +
      "step (α / settings) at each look (– : none finite), then each setting's own (its Holm step, its df).",
    '',
  ];
  for (const m of record.models) {
    out.push(
      `### ${m.model.toUpperCase()}`,
      '',
      '| look | seeds | setting | n | paired Δ (pp) | t | \\|t\\| bound | TOST t | TOST bound | decision |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const l of m.looks) {
      out.push(
        `| ${l.look} | ${l.seeds} | *first Holm step* | | | | z ${fixed(l.superiorityZ)}, t ${fixed(l.superiorityT)} ` +
          `| | z ${fixed(l.equivalenceZ)}, t ${fixed(l.equivalenceT)} | |`,
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
