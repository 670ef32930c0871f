import type { Command } from 'commander';
import { selectBackend } from '../backend/select.js';
import type { BackendName } from '../backend/names.js';
import { evaluateSavedRuns, modeLabel, parseEvalMode } from '../runner/eval.js';
import { parseOnly } from '../runner/only.js';
import { resultPaths } from '../results/files.js';
import { backendOption } from './options.js';

interface EvalCliOptions {
  mode: string;
  only: string[];
  backend: BackendName;
}

export function registerEval(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('eval')
    .description(
      're-evaluate the models a grid saved (run --save-models) on ' +
        'its test set; writes eval.csv and rebuilds the comparison',
    )
    .argument('<results-dir>', 'a folder written by `nrelu-bench run --save-models`')
    .option(
      '--mode <deterministic|mc:K|zero-dead>',
      'deterministic: inference mode, as the run was scored; mc:K: the softmax averaged over K ' +
        'training-mode passes (noise on), seeded, so a rerun gives the same numbers; zero-dead: inference mode ' +
        "with the units the run's dead probe finds dead silenced (incoming weights and bias zeroed)",
      'deterministic',
    )
    .option(
      '--only <run-ids>',
      'evaluate only these runs (comma-separated or repeated)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addOption(backendOption('', 'auto'))
    .addHelpText(
      'after',
      `
Examples:
  $ nrelu-bench run configs/paper-cnn.yaml --save-models
  $ nrelu-bench eval results/paper-cnn --mode mc:20 --only cnn-nrelu-s0.1-seed9,cnn-relu-seed9

If N-ReLU's accuracy gap to ReLU comes from the train/test mismatch of its noise (noise in training, none at
inference), averaging over the noise (mc:K) closes it; if its features are worse, it does not. zero-dead asks
whether dead units carry signal: what the test score loses when they are silenced (paired with inference mode). eval.csv has one
row per run and mode (rerunning a mode replaces its rows); comparison.md gets a "Post-hoc evaluation" table.
A results folder is data: eval imports no module the folder names, so a user activation's model is reported
as not loadable. Exit codes: 0 every chosen model evaluated, 1 some could not be, 2 usage.`,
    )
    .action(async (dir: string, opts: EvalCliOptions) => {
      const mode = parseEvalMode(opts.mode);
      await selectBackend(opts.backend);
      const log = (line: string): void => {
        process.stderr.write(`${line}\n`);
      };
      const { rows, failed } = await evaluateSavedRuns(dir, { only: parseOnly(opts.only), mode, log });
      const paths = resultPaths(dir);
      process.stdout.write(`eval: ${rows.length} run(s) in ${modeLabel(mode)} mode written to ${paths.eval}\n`);
      if (failed.length > 0) setExitCode(1);
    });
}
