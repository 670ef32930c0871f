import type { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readManifest } from '../runner/manifest.js';
import { configModules, rebindModules } from '../config/modules.js';
import { loadConfig } from '../config/load.js';
import { checkResults, renderDifferences } from '../runner/check.js';
import { readRows, resultPaths } from '../report/files.js';
import { parseOnly } from '../runner/only.js';
import { runGridWithSignals } from './run.js';
import { backendOption, jobsOption, workerTimeoutOption } from './options.js';
import { checkReadableDir } from './paths.js';
import { EXIT } from '../exit-codes.js';
import { type BackendName, isBackendName } from '../backend/names.js';

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

/** The same folder, also through a symlink or another spelling of the path. */
function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

export function registerCheck(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('check')
    .description('compare a result folder with a reference, run by run and epoch by epoch; exit 1 if anything differs')
    .argument('<results-dir>', 'the folder to check (with --rerun: the folder to rerun the reference\'s config into)')
    .requiredOption('-r, --reference <dir>', 'the reference result folder (e.g. results/reference)')
    .option('-t, --tolerance <x>', 'absolute tolerance for accuracy and loss columns', '0.002')
    .option('--config <file>', 'with --rerun: your config file whose activation modules the rerun uses (matched by name; their SHA-256 must equal the reference\'s)')
    .option('--count-tolerance <n>', 'dead/dormant/zero-output/gradient-dead counts may differ by n units (each one is named)', '0')
    .option('--rerun', 'first rerun the reference\'s grid (resolved config and overrides from its manifest.json) into <results-dir>, from scratch')
    .addOption(jobsOption('with --rerun: runs trained at once (default as for `run`)'))
    .addOption(backendOption('with --rerun; default: the one the reference used'))
    .addOption(workerTimeoutOption())
    .option('--only <run-ids>', 'compare (and with --rerun, retrain) only these runs (comma-separated or repeated)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addHelpText('after', `
Examples:
  $ nrelu-bench run configs/ci.yaml --out /tmp/ci && nrelu-bench check /tmp/ci --reference results/reference
  $ nrelu-bench check /tmp/ci --reference results/reference --rerun
  $ nrelu-bench check /tmp/one --reference results/paper-mlp --rerun --only mlp-nrelu-s0.1-seed3

Compared: the set of runs (and their status and config hash), the set of epochs, train/test loss and
accuracy per epoch within --tolerance, and dead/dormant/zero-output/gradient-dead counts per epoch and per layer,
which must be equal (or within --count-tolerance units: for another backend, whose rounding can tip a unit at a
threshold; each count that moved is listed); robustness accuracies within --tolerance; summary.csv (final and best
accuracy and loss within --tolerance, final counts as the epochs' counts). Timing columns are ignored. A folder
checked against itself is an error (exit 2), not OK.
Differences are printed as a table (run, epoch, column, expected, actual).
A results folder is data: check never imports code it names. A reference whose grid uses your own
activation module reruns only with --config <your config>, whose module must have the SHA-256 the
reference recorded.
Exit codes: 0 everything matches, 1 something differs (or a rerun failed), 2 usage error.`)
    .action(async (resultsDir: string, opts: CheckOptions) => {
      const tolerance = parseTolerance(opts.tolerance);
      const countTolerance = parseCountTolerance(opts.countTolerance);
      checkReadableDir(opts.reference);
      if (!opts.rerun) checkReadableDir(resultsDir);
      const only = parseOnly(opts.only);
      if (opts.rerun) {
        if (resolve(resultsDir) === resolve(opts.reference)) {
          throw new UsageError('--rerun would overwrite the reference itself', { hint: 'pass another folder to rerun into, e.g. /tmp/check' });
        }
        const manifest = readManifest(resultPaths(opts.reference).manifest);
        if (!manifest) throw new UsageError(`reference ${opts.reference} has no manifest.json`, { hint: 'pass a folder written by `nrelu-bench run`' });
        const used = manifest.backend?.name;
        const backend: BackendName = opts.backend ?? (used !== undefined && isBackendName(used) ? used : manifest.config.backend);
        process.stderr.write(`rerunning the reference's grid (${manifest.name}, backend ${backend}) into ${resultsDir}\n`);
        // The reference's manifest names module files as data: their code runs only from the user's own config.
        const trusted = opts.config ? configModules((await loadConfig(opts.config)).config) : [];
        const config = rebindModules(manifest.config, manifest.activationModules, trusted, `reference ${opts.reference}`);
        const run = await runGridWithSignals({
          config, overrides: manifest.overrides, outDir: resultsDir, fresh: true, backend, jobs: opts.jobs ?? 'auto', only, workerTimeoutS: opts.workerTimeout,
        });
        if (run.interrupted) {
          process.stderr.write('interrupted\n');
          setExitCode(EXIT.interrupted);
          return;
        }
      }
      if (only) {
        const inReference = new Set((await readRows(resultPaths(opts.reference).summary)).map((r) => r.run_id));
        const missing = only.filter((id) => !inReference.has(id));
        if (missing.length > 0) throw new UsageError(`--only: ${missing.join(', ')} not in ${opts.reference}/summary.csv`, { hint: 'pass run ids the reference holds' });
      }
      // Read both folders first: a damaged file is reported as such even when the two folders are one.
      const result = await checkResults(resultsDir, opts.reference, tolerance, only, { countTolerance });
      if (sameFolder(resultsDir, opts.reference)) {
        throw new UsageError(`${resultsDir} is the reference itself: a folder always matches itself, so this checks nothing`, {
          hint: 'pass another folder to check, or --rerun into a new folder to reproduce the reference',
        });
      }
      const moved = result.moved ?? [];
      if (moved.length > 0) {
        process.stdout.write(`${renderDifferences(moved)}\n${moved.length} count(s) moved within --count-tolerance ${countTolerance}\n\n`);
      }
      if (result.differences.length === 0) {
        process.stdout.write(`OK: ${result.runs} runs and ${result.epochs} epochs of ${resultsDir} match ${opts.reference} (tolerance ${tolerance})\n`);
        return;
      }
      const runs = new Set(result.differences.map((d) => d.run)).size;
      process.stdout.write(`${renderDifferences(result.differences)}\n\n`);
      process.stdout.write(`DIFFERENT: ${result.differences.length} difference(s) in ${runs} run(s) between ${resultsDir} and ${opts.reference} (tolerance ${tolerance})\n`);
      setExitCode(EXIT.runtime);
    });
}
