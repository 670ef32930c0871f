import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { resultPaths } from '../results/files.js';
import { checkReadableDir } from './paths.js';
import { reportFolder } from '../runner/report-folder.js';

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
      checkReadableDir(dir);
      if (!existsSync(resultPaths(dir).summary)) {
        throw new UsageError(`no summary.csv in ${dir}`, { hint: 'pass a folder written by `nrelu-bench run`' });
      }
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const report = await reportFolder(dir, { html: options.html, log });
      process.stdout.write(`${report.comparison}\n`);
      if (report.html) {
        const { html, plots } = report.html;
        process.stdout.write(`\nreport: ${html}\n`);
        if (plots.length) process.stdout.write(`plots:  ${dirname(plots[0])}/ (${plots.length} charts)\n`);
      }
    });
}
