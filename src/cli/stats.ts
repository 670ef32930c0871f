/**
 * `nrelu-bench stats`: the paired analyses of report/paired-analyses.ts on a result folder's summary.csv, printed as
 * Markdown. `stats baselines`: is one activation better, worse or equivalent against each of several baselines?
 * `stats gap`: does a model change (a variant, a sweep's cell) remove a setting's gap to the baseline?
 * Defaults come from the folder's manifest (`compare.primary`, `compare.baseline`, `compare.margin`).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readCompareOptions } from '../report/compare-options.js';
import {
  ACCURACY,
  baselinesMarkdown,
  gapContrasts,
  gapMarkdown,
  pairedVsBaselines,
} from '../report/paired-analyses.js';
import { readRows, resultPaths, type Row } from '../results/files.js';
import { settingOf } from '../results/pooling.js';
import { checkReadableDir } from './paths.js';

const list = (text: string): string[] => text.split(',').filter(Boolean);

function parseDecimals(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 10) throw new InvalidArgumentError('pass a whole number from 0 to 10');
  return Number(text);
}

/** The folder's completed and other rows, with a metric column that exists: a bad name is a usage error. */
async function folderRows(dir: string, metric: string): Promise<Row[]> {
  checkReadableDir(dir);
  const paths = resultPaths(dir);
  if (!existsSync(paths.summary))
    throw new UsageError(`no summary.csv in ${dir}`, { hint: 'pass a folder written by `nrelu-bench run` or `merge`' });
  const summary = await readRows(paths.summary);
  if (summary.length > 0 && !(metric in summary[0]))
    throw new UsageError(`--metric ${metric}: ${dir}/summary.csv has no such column`, {
      hint: 'name a summary.csv column (`npm run columns` lists them), e.g. final_dead',
    });
  return summary;
}

/** The activation of the folder's primary setting (`compare.primary`), the default of `stats baselines`. */
function primaryActivation(summary: Row[], primary: string, dir: string): string {
  const row = summary.find((r) => settingOf(r) === primary);
  if (!row)
    throw new UsageError(`${dir} has no runs of its primary setting ${primary}, whose activation is the default`, {
      hint: 'name the activation whose settings to pair: --activation <name>',
    });
  return row.activation;
}

interface BaselinesOpts {
  activation?: string;
  values?: string;
  against?: string;
  metric: string;
  model?: string;
  decimals?: number;
}

const BASELINES_HELP = `
Each setting of one activation (default: the activation of the folder's compare.primary, e.g. nrelu) is paired
by seed with each baseline, with the comparison table's tests (paired t, TOST at compare.margin, Holm over all
the model's pairs together), answering "better, worse or equivalent against every baseline?" rather than the
table's "against compare.baseline". Another --metric (a summary.csv column) is compared in its own units,
without the equivalence test. Only completed runs count; a run with an empty cell does not pair.

Examples:
  $ nrelu-bench stats baselines results/paper-mlp
  $ nrelu-bench stats baselines results/mechanism-mlp --values '0.2->0:cosine' --against relu,nrelu-s0.1,nrelu-s0.2
  $ nrelu-bench stats baselines results/paper-mlp --against relu --metric final_dead --decimals 1
  $ nrelu-bench stats baselines results/mechanism-cnn --model cnn --against cnn-poolfirst:relu --metric total_died`;

function registerBaselines(stats: Command): void {
  stats
    .command('baselines')
    .description('pair each setting of one activation with each of several baselines by seed, Holm per model')
    .argument('<results-dir>', 'a folder written by `nrelu-bench run` or `merge`')
    .option('--activation <name>', "the activation whose settings are paired (default: compare.primary's)")
    .option(
      '--values <list>',
      "keep these values of its varied parameter, as summary.csv writes them (e.g. 0.05,0.1 or '0.2->0:cosine')",
    )
    .option(
      '--against <settings>',
      'the baselines: settings of the same model, or model:setting for another model of the folder (default: ' +
        'every setting of another activation)',
    )
    .option('--metric <column>', 'the summary.csv column to compare', ACCURACY)
    .option('--model <label>', "keep one model's family")
    .option(
      '--decimals <d>',
      "fixed decimals for another metric's numbers (default: 3 significant digits)",
      parseDecimals,
    )
    .addHelpText('after', BASELINES_HELP)
    .action(async (dir: string, opts: BaselinesOpts) => {
      const summary = await folderRows(dir, opts.metric);
      const compare = readCompareOptions(dir);
      const activation = opts.activation ?? primaryActivation(summary, compare.primary, dir);
      const rows = pairedVsBaselines(summary, {
        activation,
        values: list(opts.values ?? ''),
        ...(opts.against === undefined ? {} : { against: list(opts.against) }),
        marginPp: compare.margin,
        metric: opts.metric,
        ...(opts.model === undefined ? {} : { model: opts.model }),
      });
      process.stdout.write(baselinesMarkdown(rows, { activation, metric: opts.metric, decimals: opts.decimals }));
    });
}

interface GapOpts {
  setting?: string;
  baseline?: string;
  reference?: string;
  metric: string;
  decimals?: number;
}

const GAP_HELP = `
The gap of a setting to the baseline (setting − baseline, per seed) in every model label of the folder (model
variants, or a sweep's cells), and each model's gap paired by seed with the reference model's: a difference in
differences, Holm-adjusted over the models contrasted. A contrast whose interval excludes 0 says the change moved
the gap; a gap equivalent to 0 (TOST p < 0.05 at compare.margin, accuracy only) says it closed it. A seed pairs only
when all four runs of its contrast completed.

Examples:
  $ nrelu-bench stats gap results/mechanism-cnn
  $ nrelu-bench stats gap results/mechanism-cnn --metric final_dead --decimals 1
  $ nrelu-bench stats gap results/sweep --setting gelu --reference mlp-lr0.001`;

function registerGap(stats: Command): void {
  stats
    .command('gap')
    .description("does a model change remove a setting's gap to the baseline? (a difference in differences)")
    .argument('<results-dir>', 'a folder written by `nrelu-bench run` or `merge`')
    .option('--setting <setting>', "the setting whose gap is measured (default: the folder's compare.primary)")
    .option('--baseline <setting>', "the setting the gap is measured from (default: the folder's compare.baseline)")
    .option('--reference <model>', "the model whose gap the others' are contrasted with (default: the folder's first)")
    .option('--metric <column>', 'the summary.csv column to compare', ACCURACY)
    .option(
      '--decimals <d>',
      "fixed decimals for another metric's numbers (default: 3 significant digits)",
      parseDecimals,
    )
    .addHelpText('after', GAP_HELP)
    .action(async (dir: string, opts: GapOpts) => {
      const summary = await folderRows(dir, opts.metric);
      const compare = readCompareOptions(dir);
      const o = {
        setting: opts.setting ?? compare.primary,
        baseline: opts.baseline ?? compare.baseline,
        reference: opts.reference ?? summary[0]?.model ?? '',
        marginPp: compare.margin,
        metric: opts.metric,
      };
      process.stdout.write(gapMarkdown(gapContrasts(summary, o), { ...o, decimals: opts.decimals }));
    });
}

export function registerStats(program: Command): void {
  const stats = program
    .command('stats')
    .description(
      "paired analyses beyond the comparison table: an activation against several baselines, and a gap's change " +
        'between models',
    )
    .addHelpText(
      'after',
      `
The comparison table pairs every setting with one baseline (compare.baseline). These print Markdown tables from a
folder's summary.csv, with the table's tests (README, "Statistics"); compare.margin and the defaults come from the
folder's manifest.json. \`nrelu-bench stats baselines --help\` and \`stats gap --help\` say more.`,
    );
  registerBaselines(stats);
  registerGap(stats);
  for (const cmd of stats.commands) cmd.exitOverride();
}
