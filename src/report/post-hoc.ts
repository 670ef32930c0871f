/**
 * The post-hoc evaluation table, from eval.csv (`nrelu-bench eval`): per model, mode and setting, the test
 * accuracy of the saved models, paired by seed with the baseline (config `compare.baseline`, ReLU by default) in the
 * same mode, or its deterministic rows when it was not evaluated in that mode (ReLU without dropout has no
 * training-mode noise), and for an
 * `mc:K` row the change from the same runs' deterministic accuracy (or, for a run evaluated only in `mc:K`, the accuracy
 * it recorded, which the deterministic evaluation reproduces). Paired t-intervals and p as elsewhere. Rows with
 * a clean training-set score (deterministic mode) also get its table: accuracy, loss, and the loss vs the baseline's.
 */
import { pairedTest, type BySeed, type PairedResult } from '../stats/paired.js';
import { mean } from '../stats/statistics.js';
import type { Row } from '../results/files.js';
import { compareSettingsOf } from '../results/manifest.js';
import { baselineTitle, pairedCell } from './comparison.js';
import { loss, pct, pValue, signedLoss } from './format.js';

export interface PostHocRow {
  model: string;
  setting: string;
  mode: string;
  n: number;
  accMean: number;
  /** The setting it is paired with (config `compare.baseline`). */
  baseline: string;
  /** Against the baseline by seed, and the mode the baseline was read in. */
  vsRelu: PairedResult | null;
  reluMode: string | null;
  /** This mode minus the same runs' deterministic accuracy (null for the deterministic rows themselves). */
  vsDeterministic: PairedResult | null;
  /** The clean training-set score of the rows that have one (deterministic mode), and its loss vs the baseline's by seed. */
  clean: { n: number; accMean: number; lossMean: number; lossVsRelu: PairedResult | null } | null;
}

const bySeed = (rows: Row[], column = 'test_acc'): BySeed =>
  new Map(rows.map((r) => [Number(r.seed), Number(r[column])]));

/**
 * The inference-mode accuracy of the runs of `rows` by seed: their `deterministic` rows, and for a run without one the
 * accuracy it recorded (`recorded_test_acc`), which a deterministic evaluation reproduces (test/cli/eval.test.ts).
 */
function inferenceMode(rows: Row[], det: Row[]): BySeed {
  const out = bySeed(det);
  for (const r of rows) {
    if (!out.has(Number(r.seed)) && (r.recorded_test_acc ?? '') !== '') {
      out.set(Number(r.seed), Number(r.recorded_test_acc));
    }
  }
  return out;
}

/** The clean training-set score of `rows` (those with one), with the loss paired against the baseline's by seed. */
function cleanScore(rows: Row[], reluRows: Row[]): PostHocRow['clean'] {
  const scored = (list: Row[]): Row[] => list.filter((r) => (r.clean_train_loss ?? '') !== '');
  const [mine, relu] = [scored(rows), scored(reluRows)];
  if (mine.length === 0) return null;
  return {
    n: mine.length,
    accMean: mean(mine.map((r) => Number(r.clean_train_acc))),
    lossMean: mean(mine.map((r) => Number(r.clean_train_loss))),
    lossVsRelu:
      relu.length > 0 ? pairedTest(bySeed(mine, 'clean_train_loss'), bySeed(relu, 'clean_train_loss'), 0) : null,
  };
}

export function comparePostHoc(evalRows: Row[], baseline = compareSettingsOf({}).baseline): PostHocRow[] {
  const out: PostHocRow[] = [];
  const key = (r: Row): string => `${r.model}\u0000${r.setting}\u0000${r.mode}`;
  const groups = new Map<string, Row[]>();
  for (const r of evalRows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const find = (model: string, setting: string, mode: string): Row[] =>
    groups.get(`${model}\u0000${setting}\u0000${mode}`) ?? [];
  for (const rows of groups.values()) {
    const { model, setting, mode } = rows[0];
    const sameMode = find(model, baseline, mode);
    const reluRows =
      setting === baseline ? [] : sameMode.length > 0 ? sameMode : find(model, baseline, 'deterministic');
    const inference = mode === 'deterministic' ? new Map() : inferenceMode(rows, find(model, setting, 'deterministic'));
    out.push({
      model,
      setting,
      mode,
      n: rows.length,
      accMean: mean(rows.map((r) => Number(r.test_acc))),
      baseline,
      vsRelu: reluRows.length > 0 ? pairedTest(bySeed(rows), bySeed(reluRows), 0) : null,
      reluMode: reluRows.length > 0 ? reluRows[0].mode : null,
      vsDeterministic: inference.size > 0 ? pairedTest(bySeed(rows), inference, 0) : null,
      clean: cleanScore(rows, setting === baseline ? [] : find(model, baseline, mode)),
    });
  }
  return out.sort(
    (a, b) => a.model.localeCompare(b.model) || a.mode.localeCompare(b.mode) || a.setting.localeCompare(b.setting),
  );
}

/** The Markdown section, or nothing without eval.csv rows. */
export function renderPostHoc(rows: PostHocRow[]): string[] {
  if (rows.length === 0) return [];
  const b = baselineTitle(rows[0].baseline);
  const out = [
    '## Post-hoc evaluation of saved models (eval.csv)',
    '',
    'Test accuracy (%) of the saved final models: `deterministic` in inference mode (it reproduces the ' +
      "run's own score),",
    `\`mc:K\` the softmax averaged over K training-mode passes. Δ vs ${b}: paired by seed with ${b} ` +
      '(same mode, else its',
    'deterministic rows), pp, 95% t-interval and paired p; vs deterministic: this mode minus the same ' +
      "runs' inference-mode accuracy.",
    '',
  ];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    out.push(
      `### ${model.toUpperCase()}`,
      '',
      `| setting | mode | n | test acc (%) | Δ vs ${b} [95% CI] | p | ${b} read in | vs deterministic [95% CI] | p |`,
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of rows.filter((x) => x.model === model)) {
      const cell = (p: PairedResult | null): string => (p ? pairedCell({ paired: p, n: p.n }) : '–');
      out.push(
        `| ${r.setting} | ${r.mode} | ${r.n} | ${pct(r.accMean)} | ${cell(r.vsRelu)} ` +
          `| ${pValue(r.vsRelu?.p ?? null)} ` +
          `| ${r.reluMode ?? '–'} ` +
          `| ${cell(r.vsDeterministic)} | ${pValue(r.vsDeterministic?.p ?? null)} |`,
      );
    }
    out.push('');
    const clean = rows.filter((x) => x.model === model && x.clean);
    if (clean.length > 0) {
      out.push(
        "Clean training-set score: the same models on the unit probe's training images, inference mode (noise off);",
        `Δ loss paired by seed with ${b}, 95% t-interval and paired p.`,
        '',
        `| setting | mode | n | clean train acc (%) | clean train loss | Δ loss vs ${b} [95% CI] | p |`,
        '|---|---|---|---|---|---|---|',
      );
      for (const r of clean) {
        const c = r.clean as NonNullable<PostHocRow['clean']>;
        const d = c.lossVsRelu;
        const delta =
          d && d.n > 0
            ? `${signedLoss(d.meanDiff)}` +
              (Number.isNaN(d.ciLow) ? '' : ` [${signedLoss(d.ciLow)}, ${signedLoss(d.ciHigh)}]`)
            : '–';
        out.push(
          `| ${r.setting} | ${r.mode} | ${c.n} | ${pct(c.accMean)} | ${loss(c.lossMean)} | ${delta} ` +
            `| ${pValue(d?.p ?? null)} |`,
        );
      }
      out.push('');
    }
  }
  return out;
}
