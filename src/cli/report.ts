import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ResultsError, UsageError } from '../errors.js';
import { finishOutputs } from '../runner/run-grid.js';
import { incompleteRuns } from '../runner/results.js';
import { readManifest } from '../runner/manifest.js';
import { readRows, resultPaths } from '../report/files.js';
import { writeHtmlReport } from '../report/html.js';
import { excludedRuns } from '../runner/settings.js';
import { checkReadableDir } from './paths.js';

/** A finished run with rows lost would make the tables use n-1 seeds without a word: refuse, naming the runs. */
function refuseIncomplete(dir: string, incomplete: Map<string, string>): void {
  if (incomplete.size === 0) return;
  const list = [...incomplete].slice(0, 3).map(([id, why]) => `${id} (${why})`).join(', ');
  throw new ResultsError(`${dir}: ${incomplete.size} finished run${incomplete.size === 1 ? '' : 's'} in manifest.json lack${incomplete.size === 1 ? 's' : ''} rows: ${list}${incomplete.size > 3 ? ', ...' : ''}`, {
    hint: 'rows were lost or removed by hand; `nrelu-bench run` with the same config and --out retrains those runs',
  });
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild comparison.md from a result folder\'s CSVs, without training; --html adds report.html and plots/')
    .argument('<results-dir>', 'a folder written by `nrelu-bench run`')
    .option('--html', 'also write report.html (one self-contained page: table and charts) and one SVG per chart in plots/')
    .addHelpText('after', '\nExamples:\n  $ nrelu-bench report results/quick\n  $ nrelu-bench report results/quick --html\n')
    .action(async (dir: string, options: { html?: boolean }) => {
      const paths = resultPaths(dir);
      checkReadableDir(dir);
      if (!existsSync(paths.summary)) {
        throw new UsageError(`no summary.csv in ${dir}`, { hint: 'pass a folder written by `nrelu-bench run`' });
      }
      const summary = await readRows(paths.summary);
      const order = summary.map((r) => r.run_id);
      const manifest = readManifest(paths.manifest);
      refuseIncomplete(dir, incompleteRuns(manifest, { summary, epochs: await readRows(paths.epochs), dead: await readRows(paths.dead) }));
      const title = manifest?.name ?? 'Comparison';
      process.stdout.write(`${await finishOutputs(dir, order, title)}\n`);
      if (options.html) {
        const { html, plots } = await writeHtmlReport(dir, { exclude: await excludedRuns(dir) });
        process.stdout.write(`\nreport: ${html}\n`);
        if (plots.length) process.stdout.write(`plots:  ${dirname(plots[0])}/ (${plots.length} charts)\n`);
      }
    });
}
