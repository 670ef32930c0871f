import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { rebuildComparison } from '../report/write.js';
import { resultPaths } from '../results/files.js';
import { writeHtmlReport } from '../report/html.js';
import { checkReadableDir } from './paths.js';
import { withFolderLock } from '../runner/signals.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      "rebuild comparison.md from a result folder's CSVs, without training; --html adds report.html and plots/",
    )
    .argument('<results-dir>', 'a folder written by `nrelu-bench run`')
    .option(
      '--html',
      'also write report.html (one self-contained page: table and charts) and one SVG per chart in plots/',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ nrelu-bench report results/quick\n  $ nrelu-bench report results/quick --html\n',
    )
    .action(async (dir: string, options: { html?: boolean }) => {
      const paths = resultPaths(dir);
      checkReadableDir(dir);
      if (!existsSync(paths.summary)) {
        throw new UsageError(`no summary.csv in ${dir}`, { hint: 'pass a folder written by `nrelu-bench run`' });
      }
      // report rewrites comparison files (and report.html, plots/): it holds the folder's lock, as run does.
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      await withFolderLock(dir, `report ${dir}`, log, async () => {
        process.stdout.write(`${await rebuildComparison(dir)}\n`);
        if (options.html) {
          const { html, plots } = await writeHtmlReport(dir);
          process.stdout.write(`\nreport: ${html}\n`);
          if (plots.length) process.stdout.write(`plots:  ${dirname(plots[0])}/ (${plots.length} charts)\n`);
        }
      });
    });
}
