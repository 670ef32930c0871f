import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import type { BackendName } from '../config/types.js';
import { runGrid } from '../runner/run-grid.js';
import { createProgress } from '../runner/progress.js';
import { UserError } from '../errors.js';
import { writeHtmlReport } from '../report/html.js';
import { renderSparklines } from '../report/sparkline.js';
import { readRows, resultPaths } from '../report/files.js';

interface RunOptions {
  out?: string;
  backend?: BackendName;
  fresh?: boolean;
  report?: boolean;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'];

export function registerRun(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('train every run of a config\'s grid and write CSVs, a manifest and a comparison table')
    .argument('<config>', 'YAML config file (see configs/)')
    .argument('[overrides...]', 'key=value overrides applied before validation, e.g. train.epochs=2 seeds=[1,2]')
    .option('-o, --out <dir>', 'output folder (default: the config\'s `output`, else results/<name>)')
    .option('-b, --backend <name>', `backend: ${BACKENDS.join(' | ')} (default: the config's, else auto)`)
    .option('--fresh', 'start over: delete the folder\'s previous results instead of resuming')
    .option('--no-report', 'skip the HTML report (report.html and plots/) at the end')
    .addHelpText('after', `
Examples:
  $ nrelu-bench run configs/quick.yaml
  $ nrelu-bench run configs/paper-cnn.yaml train.epochs=2 seeds=[1] --backend wasm
  $ nrelu-bench run configs/quick.yaml --out results/try --fresh

Running the same command again resumes: runs already finished with the same settings are skipped.
Ctrl-C stops after the current batch and leaves every file readable. Exit codes: 0 all runs
finished (diverged runs are results), 1 some run failed, 2 bad config or usage, 130 interrupted.`)
    .action(async (configPath: string, overrides: string[], opts: RunOptions) => {
      if (opts.backend && !BACKENDS.includes(opts.backend)) {
        throw new UserError(`unknown backend '${opts.backend}'`, { hint: `use one of ${BACKENDS.join(', ')}` });
      }
      const { config } = await loadConfig(configPath, overrides);
      const outDir = opts.out ?? config.output;
      let stopRequested = false;
      const progress = createProgress();
      const onSigint = (): void => {
        if (stopRequested) process.exit(130);
        stopRequested = true;
        progress.log('stopping after the current batch (press Ctrl-C again to quit at once)');
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        const result = await runGrid({
          config, overrides, outDir, fresh: opts.fresh, backend: opts.backend, progress,
          shouldStop: () => stopRequested,
        });
        const paths = resultPaths(outDir);
        if (opts.report !== false && existsSync(paths.summary)) {
          const { html } = await writeHtmlReport(outDir);
          progress.log(`report: ${html}`);
        }
        process.stdout.write(`\n${result.comparison}\n`);
        const spark = renderSparklines(await readRows(paths.epochs), { summary: await readRows(paths.summary) });
        if (spark) process.stdout.write(`Test accuracy per epoch:\n${spark}\n\n`);
        process.stdout.write(`results: ${result.outDir}\n`);
        if (result.interrupted) {
          process.stderr.write('interrupted: run the same command again to resume\n');
          setExitCode(130);
        } else if (result.failed > 0) {
          process.stderr.write(`${result.failed} run(s) failed: see summary.csv and manifest.json\n`);
          setExitCode(1);
        }
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
}
