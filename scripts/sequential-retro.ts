/**
 * Issue 38: the group-sequential design of `run --until-decided` applied after the fact to committed result
 * folders, their runs taken in seed order. For each compared setting: the look at which it would have stopped,
 * its verdict there against the fixed design's (comparison.csv), and the training time of the runs it would not
 * have needed (summary.csv train_seconds: the setting's seeds after its stop, and the baseline's seeds after the
 * last setting's stop). Prints one Markdown table per folder and the totals.
 *
 *   npx tsx scripts/sequential-retro.ts results/paper-mlp results/paper-cnn [--looks 4,8,12]
 *
 * Looks default to every 4 seeds and the folder's last seed (paper-mlp 4,8,12,15; paper-cnn 4,8,12): a design
 * cannot look past the seeds that were trained. `--looks` sets them for every folder (the last is the maximum).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readRowsSync, type Row } from '../src/results/files.js';
import { readManifest } from '../src/results/manifest.js';
import { readCompareOptions } from '../src/report/compare-options.js';
import { modelLooks } from '../src/report/sequential.js';
import { settingOf } from '../src/results/pooling.js';
import { stoppingOf } from '../src/stats/sequential.js';

const { values, positionals } = parseArgs({ options: { looks: { type: 'string' } }, allowPositionals: true });

/** Every 4 seeds and the last: 4, 8, 12, 15 for 15 seeds. */
const defaultLooks = (n: number): number[] => [
  ...Array.from({ length: Math.floor((n - 1) / 4) }, (_, i) => 4 * (i + 1)),
  n,
];

const hours = (seconds: number): string => (seconds / 3600).toFixed(1);

/** Training seconds of a model's setting over the seeds after the first `keep` of `seeds`. */
function secondsAfter(summary: Row[], model: string, setting: string, seeds: number[], keep: number): number {
  const dropped = new Set(seeds.slice(keep));
  return summary
    .filter((r) => r.model === model && settingOf(r) === setting && dropped.has(Number(r.seed)))
    .reduce((s, r) => s + Number(r.train_seconds || 0), 0);
}

/** The fixed design's verdict per model and setting, from comparison.csv (margin suffix dropped). */
function fixedVerdicts(dir: string): Map<string, { verdict: string; n: string }> {
  return new Map(
    readRowsSync(join(dir, 'comparison.csv')).map((r) => [
      `${r.model} ${r.setting}`,
      { verdict: r.verdict.replace(/ \(.*\)$/, ''), n: r.paired_n },
    ]),
  );
}

/** One folder's table and its totals (seconds trained, seconds saved). */
function retro(dir: string): { lines: string[]; total: number; saved: number } {
  const summary = readRowsSync(join(dir, 'summary.csv'));
  const seeds = (readManifest(join(dir, 'manifest.json'))?.config.seeds ?? []).slice().sort((a, b) => a - b);
  const looks = values.looks ? values.looks.split(',').map(Number) : defaultLooks(seeds.length);
  const { margin: marginPp, baseline } = readCompareOptions(dir);
  const verdicts = fixedVerdicts(dir);
  const lines = [
    `${dir}: looks ${looks.join(', ')} seeds, margin ±${marginPp} pp`,
    '',
    '| model | setting | decided at look (seeds) | sequential verdict | fixed verdict (seeds) | same | CPU-h saved |',
    '|---|---|---|---|---|---|---|',
  ];
  let saved = 0;
  for (const model of [...new Set(summary.map((r) => r.model))]) {
    const stop = stoppingOf(modelLooks(summary, model, seeds, looks, marginPp, looks.length, baseline).looks);
    let last = 0;
    for (const [setting, s] of stop) {
      const fixedV = verdicts.get(`${model} ${setting}`);
      const sec = secondsAfter(summary, model, setting, seeds, s.seeds);
      saved += sec;
      last = Math.max(last, s.seeds);
      lines.push(
        `| ${model} | ${setting} | ${s.decision === 'inconclusive' ? 'not decided' : s.look} (${s.seeds}) | ${s.decision} | ${fixedV?.verdict ?? '–'} (${fixedV?.n ?? '–'}) ` +
          `| ${fixedV?.verdict === s.decision ? 'yes' : 'no'} | ${hours(sec)} |`,
      );
    }
    const baseSec = secondsAfter(summary, model, baseline, seeds, last);
    saved += baseSec;
    lines.push(`| ${model} | ${baseline} (baseline) | trains to ${last} seeds | | | | ${hours(baseSec)} |`);
  }
  const total = summary.reduce((s, r) => s + Number(r.train_seconds || 0), 0);
  return { lines, total, saved };
}

let total = 0;
let saved = 0;
for (const dir of positionals.length ? positionals : ['results/paper-mlp', 'results/paper-cnn']) {
  const r = retro(dir);
  total += r.total;
  saved += r.saved;
  console.log([...r.lines, '', `${dir}: ${hours(r.saved)} of ${hours(r.total)} CPU-hours saved`, ''].join('\n'));
}
console.log(`All: ${hours(saved)} of ${hours(total)} CPU-hours saved (${((100 * saved) / total).toFixed(0)}%).`);
