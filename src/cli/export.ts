/** `nrelu-bench export`: a result folder's runs and epochs as JSON Lines (results/export.ts), to stdout or a file. */
import { Option, type Command } from 'commander';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { EXPORT_FORMATS, exportJsonl } from '../results/export.js';
import { checkOutDir, checkReadableDir } from './paths.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("write a result folder's runs and epochs as JSON Lines (one line per run and per epoch), for pandas")
    .argument('<results-dir>', 'a folder written by `nrelu-bench run` or `merge`')
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('jsonl'))
    .option('-o, --out <file>', 'write to this file (default: standard output)')
    .addHelpText(
      'after',
      `
Examples:
  $ nrelu-bench export results/quick --format jsonl > quick.jsonl
  $ nrelu-bench export results/paper-mlp --out paper-mlp.jsonl

Each line is one JSON object: record ("run": its summary.csv row, or "epoch": an epochs.csv row), then the
manifest's identity of the run (config, run_id, run_hash, setting_hash, nrelu_bench, and commit where the
manifest records one), then the row's columns; numbers are numbers, and an empty cell, NaN or Infinity is null.
In Python: pandas.read_json("quick.jsonl", lines=True, precise_float=True) (README, "Output files").`,
    )
    .action(async (dir: string, opts: { format: string; out?: string }) => {
      checkReadableDir(dir);
      if (opts.out !== undefined) checkOutDir(dirname(opts.out), '--out');
      const text = await exportJsonl(dir);
      if (opts.out === undefined) process.stdout.write(text);
      else {
        await writeFileAtomic(opts.out, text);
        process.stderr.write(`wrote ${text.split('\n').length - 1} lines to ${opts.out}\n`);
      }
    });
}
