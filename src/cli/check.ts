import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { checkAgainstReference, missingRunsSummary, renderDifferences, type CheckResult } from '../results/check.js';
import { parseOnly } from '../runner/only.js';
import { rerunReference } from '../runner/rerun.js';
import { backendOption, jobsOption, workerTimeoutOption } from './options.js';
import { checkOutDir, checkReadableDir } from './paths.js';
import { EXIT } from '../exit-codes.js';
import type { BackendName } from '../backend/names.js';

interface CheckOptions {
  reference: string;
  config?: string;
  tolerance: string;
  countTolerance: string;
  rerun?: boolean;
  jobs?: number | 'auto';
  backend?: BackendName;
  only?: string[];
  workerTimeout?: number;
}

function parseCountTolerance(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || text.trim() === '') {
    throw new UsageError(`invalid --count-tolerance '${text}'`, { hint: 'pass a whole number of units >= 0, e.g. 1' });
  }
  return value;
}

function parseTolerance(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`invalid --tolerance '${text}'`, { hint: 'pass an absolute tolerance >= 0, e.g. 0.002' });
  }
  return value;
}

/** `check --help`'s text after the options: examples, what is compared, exit codes. */
const CHECK_HELP = `
Examples:
  $ nrelu-bench run configs/ci.yaml --out /tmp/ci && nrelu-bench check /tmp/ci --reference results/reference
  $ nrelu-bench check /tmp/ci --reference results/reference --rerun
  $ nrelu-bench check /tmp/one --reference results/paper-mlp --rerun --only mlp-nrelu-s0.1-seed3

Compared: the set of runs (and their status and config hash), the set of epochs, train/test loss and
accuracy per epoch within --tolerance, and dead/dormant/zero-output/gradient-dead counts per epoch and per layer,
which must be equal (or within --count-tolerance units: for another backend, whose rounding can tip a unit at a
threshold; each count that moved is listed); robustness accuracies within --tolerance; summary.csv (final and best
accuracy and loss within --tolerance, final counts as the epochs' counts); eval.csv's post-hoc accuracy and loss
per run and mode within --tolerance, when the checked folder has an eval.csv (a rerun has none until \`nrelu-bench
eval\` runs on it; the note says so). Timing columns are ignored. A folder
checked against itself is an error (exit 2), not OK.
Differences are printed as a table (run, epoch, column, expected, actual); the reference's runs the folder
lacks, as one line (their count and the first ids).
A results folder is data: check never imports code it names. A reference whose grid uses your own
activation module reruns only with --config <your config>, whose module must have the SHA-256 the
reference recorded.
Exit codes: 0 everything matches, 1 something differs (or a rerun failed), 2 usage error.`;

export function registerCheck(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('check')
    .description('compare a result folder with a reference, run by run and epoch by epoch; exit 1 if anything differs')
    .argument('<results-dir>', "the folder to check (with --rerun: the folder to rerun the reference's config into)")
    .requiredOption('-r, --reference <dir>', 'the reference result folder (e.g. results/reference)')
    .option('-t, --tolerance <x>', 'absolute tolerance for accuracy and loss columns', '0.002')
    .option(
      '--config <file>',
      'with --rerun: your config file whose activation modules the rerun ' +
        "uses (matched by name; their SHA-256 must equal the reference's)",
    )
    .option(
      '--count-tolerance <n>',
      'dead/dormant/zero-output/gradient-dead counts may differ by n units (each one is named)',
      '0',
    )
    .option(
      '--rerun',
      "first rerun the reference's grid (resolved config and overrides " +
        'from its manifest.json) into <results-dir>, from scratch',
    )
    .addOption(jobsOption('with --rerun: runs trained at once (default as for `run`)'))
    .addOption(backendOption('with --rerun; default: the one the reference used'))
    .addOption(workerTimeoutOption())
    .option(
      '--only <run-ids>',
      'compare (and with --rerun, retrain) only these runs (comma-separated or repeated)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addHelpText('after', CHECK_HELP)
    .action((resultsDir: string, opts: CheckOptions) => checkCommand(resultsDir, opts, setExitCode));
}

/** `check`: with --rerun the reference's grid rerun first (runner/rerun.ts), then the folders compared and printed. */
async function checkCommand(
  resultsDir: string,
  opts: CheckOptions,
  setExitCode: (code: number) => void,
): Promise<void> {
  const tolerance = parseTolerance(opts.tolerance);
  const countTolerance = parseCountTolerance(opts.countTolerance);
  checkReadableDir(opts.reference);
  // With --rerun the folder is written: an empty name (an unset shell variable) is refused, not mkdir ''.
  if (opts.rerun) checkOutDir(resultsDir, '<results-dir>');
  else checkReadableDir(resultsDir);
  const only = parseOnly(opts.only);
  if (opts.rerun) {
    const { interrupted } = await rerunReference({
      reference: opts.reference,
      into: resultsDir,
      configFile: opts.config,
      backend: opts.backend,
      jobs: opts.jobs ?? 'auto',
      only,
      workerTimeoutS: opts.workerTimeout,
      log: (line) => process.stderr.write(`${line}\n`),
      quitNow: () => process.exit(EXIT.interrupted),
    });
    if (interrupted) {
      process.stderr.write('interrupted\n');
      setExitCode(EXIT.interrupted);
      return;
    }
  }
  const result = await checkAgainstReference(resultsDir, opts.reference, tolerance, only, { countTolerance });
  if (!printCheck(result, { resultsDir, reference: opts.reference, tolerance, countTolerance }))
    setExitCode(EXIT.runtime);
}

/** Prints the check's notes, moved counts and differences, and its verdict; returns whether everything matched. */
function printCheck(
  result: CheckResult,
  {
    resultsDir,
    reference,
    tolerance,
    countTolerance,
  }: Record<'resultsDir' | 'reference', string> & Record<'tolerance' | 'countTolerance', number>,
): boolean {
  for (const note of result.notes ?? []) process.stdout.write(`${note}\n`);
  const moved = result.moved ?? [];
  if (moved.length > 0) {
    process.stdout.write(
      `${renderDifferences(moved)}\n${moved.length} count(s) moved within --count-tolerance ${countTolerance}\n\n`,
    );
  }
  if (result.differences.length === 0) {
    process.stdout.write(
      `OK: ${result.runs} runs and ${result.epochs} epochs ` +
        `of ${resultsDir} match ${reference} (tolerance ${tolerance})\n`,
    );
    return true;
  }
  const runs = new Set(result.differences.map((d) => d.run)).size;
  const missing = missingRunsSummary(result.differences, resultsDir);
  if (missing.rest.length > 0) process.stdout.write(`${renderDifferences(missing.rest)}\n\n`);
  if (missing.line) process.stdout.write(`${missing.line}\n`);
  process.stdout.write(
    `DIFFERENT: ${result.differences.length} difference(s) in ${runs} run(s) ` +
      `between ${resultsDir} and ${reference} (tolerance ${tolerance})\n`,
  );
  return false;
}
