import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { activationsHelp } from './activations-help.js';
import type { BackendName } from '../config/types.js';
import { runGridWithSignals } from '../runner/signals.js';
import { createProgress } from '../runner/progress.js';
import { parseShard, shardFolder } from '../runner/shard.js';
import { parseOnly } from '../runner/only.js';
import { checkDataDir, checkOutDir } from './paths.js';
import { backendOption, jobsOption, outOption, workerTimeoutOption } from './options.js';
import { EXIT } from '../exit-codes.js';
import { UsageError } from '../errors.js';
import { parseLooks, plannedSeeds } from '../runner/until-decided.js';

interface RunOptions {
  out?: string;
  backend?: BackendName;
  fresh?: boolean;
  report?: boolean;
  jobs?: number | 'auto';
  shard?: string;
  only?: string[];
  saveModels?: boolean;
  workerTimeout?: number;
  untilDecided?: boolean;
  looks?: string;
  maxSeeds?: string;
}

/** `--until-decided` with its `--looks` and `--max-seeds`: the looks, or undefined without it. */
function looksOf(opts: RunOptions): number[] | undefined {
  if (!opts.untilDecided) {
    if (opts.looks !== undefined || opts.maxSeeds !== undefined)
      throw new UsageError('--looks and --max-seeds need --until-decided', { hint: 'add --until-decided' });
    return undefined;
  }
  if (opts.shard !== undefined || (opts.only ?? []).length > 0)
    throw new UsageError('--until-decided trains the whole grid: it does not combine with --shard or --only', {
      hint: 'leave out --shard and --only',
    });
  return parseLooks(opts.looks, opts.maxSeeds);
}

/** `run --help`'s text after the options: examples, resuming, sweeps, workers, exit codes. */
const RUN_HELP = `
Examples:
  $ nrelu-bench run configs/quick.yaml
  $ nrelu-bench run configs/paper-cnn.yaml train.epochs=2 seeds=[1] --backend wasm
  $ nrelu-bench run configs/quick.yaml --out results/try --fresh --jobs 2
  $ nrelu-bench run configs/paper-mlp.yaml --shard 0/4 --out results/paper-mlp/shard-0
  $ nrelu-bench run configs/paper-mlp.yaml --only mlp-gelu-seed2 --out /tmp/one --no-report
  $ nrelu-bench run configs/paper-cnn.yaml --save-models
  $ nrelu-bench run configs/paper-cnn.yaml --until-decided --looks 4,8,12,16
  $ nrelu-bench run configs/quick.yaml train.learning_rate=0.001,0.003   # a sweep: one cell per value

Running the same command again resumes: runs already finished with the same settings are skipped. A
finished run of the same id with other settings is never overwritten: run refuses and names the keys
that differ (use --out, or --fresh). key=a,b sweeps a key (Hydra's multirun); each cell's tag joins
the model's name in run ids (mlp-lr0.003-relu-seed1) and is compared with its own baseline (compare.baseline, ReLU by default).
Each run trains in a worker process: a crash or out-of-memory kill fails only that run, and so does
a worker that sends no heartbeat for --worker-timeout seconds (600 by default: frozen or stopped). The files
do not depend on --jobs: rows are rewritten in grid order at the end. Shards are combined with
\`nrelu-bench merge\`. Ctrl-C stops after the current batch and leaves every file readable. Exit
codes: 0 all runs finished (diverged runs are results), 1 some run failed, 2 bad config or usage,
130 interrupted.

`;

/** `run`'s options beyond the config and its overrides. */
function addRunOptions(command: Command): Command {
  return command
    .addOption(
      outOption(
        "output folder (default: the config's `output`, else results/<name>; with --shard, its shard-<i> subfolder)",
      ),
    )
    .addOption(backendOption("default: the config's, else auto"))
    .addOption(
      jobsOption(
        'runs trained at once, each in its own process (default ' +
          'auto: one per CPU core, or $SLURM_CPUS_PER_TASK; 1 on a GPU)',
      ),
    )
    .option(
      '--shard <i/n|slurm>',
      'train only shard i of n (0-based; run k of the grid is in shard ' +
        'k mod n); `slurm` reads SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT',
    )
    .option(
      '--only <run-ids>',
      'train only these runs of the grid (comma-separated or repeated), ' +
        'e.g. to re-run one run of a committed grid and `check --only` it',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addOption(workerTimeoutOption())
    .option(
      '--fresh',
      "start over: delete the folder's previous results instead of resuming " +
        '(with --only or --shard: retrain just those runs, keep the rest)',
    )
    .option(
      '--until-decided',
      'add seeds in looks and stop each setting once it is decided against the baseline (compare.baseline) (group-sequential design: ' +
        'README, "Statistics"); the seeds are the config\'s, then the next numbers',
    )
    .option('--looks <seeds>', 'with --until-decided: seeds at each look, e.g. 4,8,12,16 (the default)')
    .option('--max-seeds <n>', 'with --until-decided: the last look (default 16)')
    .option('--no-report', 'skip the HTML report (report.html and plots/) at the end')
    .option(
      '--save-models',
      "also write each completed run's final model to <out>/models/<run-id>/ (TF.js layers format: model.json " +
        '+ weights.bin; not a run setting, so it changes no config ' +
        'hash: resuming with it saves only the runs trained now)',
    );
}

export function registerRun(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('run')
    .description("train every run of a config's grid and write CSVs, a manifest and a comparison table")
    .argument('<config>', 'YAML config file (see configs/)')
    .argument('[overrides...]', 'key=value overrides applied before validation, e.g. train.epochs=2 seeds=[1,2]');
  addRunOptions(command)
    .addHelpText('after', `${RUN_HELP}${activationsHelp()}`)
    .action((configPath: string, overrides: string[], opts: RunOptions) =>
      runCommand(configPath, overrides, opts, setExitCode),
    );
}

/** `run`: the grid trained and its report written by one library call (runGridWithSignals), then printed. */
async function runCommand(
  configPath: string,
  overrides: string[],
  opts: RunOptions,
  setExitCode: (code: number) => void,
): Promise<void> {
  const shard = opts.shard === undefined ? null : parseShard(opts.shard);
  const looks = looksOf(opts);
  const loaded = (await loadConfig(configPath, overrides)).config;
  const config = looks ? { ...loaded, seeds: plannedSeeds(loaded.seeds, looks[looks.length - 1]) } : loaded;
  const outDir = opts.out ?? (shard ? shardFolder(config.output, shard) : config.output);
  checkOutDir(outDir, opts.out !== undefined ? '--out' : 'output folder');
  checkDataDir(config.dataDir, 'data_dir');
  const progress = createProgress();
  const result = await runGridWithSignals(
    {
      config,
      overrides,
      outDir,
      fresh: opts.fresh,
      backend: opts.backend,
      jobs: opts.jobs ?? 'auto',
      shard,
      only: parseOnly(opts.only),
      saveModels: opts.saveModels,
      workerTimeoutS: opts.workerTimeout,
      looks,
      html: opts.report !== false,
    },
    progress,
    () => process.exit(EXIT.interrupted),
  );
  if (result.html) progress.log(`report: ${result.html.html}`);
  process.stdout.write(`\n${result.comparison}\n`);
  if (result.sparklines) process.stdout.write(`Test accuracy per epoch:\n${result.sparklines}\n\n`);
  process.stdout.write(`results: ${result.outDir}\n`);
  if (result.interrupted) {
    process.stderr.write('interrupted: run the same command again to resume\n');
    setExitCode(EXIT.interrupted);
  } else if (result.failed > 0) {
    process.stderr.write(`${result.failed} run(s) failed: see summary.csv and manifest.json\n`);
    setExitCode(EXIT.runtime);
  }
}
