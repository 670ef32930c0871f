import { InvalidArgumentError, type Command } from 'commander';
import { dirname } from 'node:path';
import { outOption } from './options.js';
import { mergeFolders } from '../runner/merge-folders.js';
import { checkOutDir } from './paths.js';
import { parseOnly } from '../runner/only.js';

function parseMargin(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || value > 100)
    throw new InvalidArgumentError('pass a margin in percentage points, above 0 and at most 100, e.g. 0.2');
  return value;
}

/** `merge --help`'s text after the options: examples, what must agree, exit codes. */
const MERGE_HELP = `
Examples:
  $ nrelu-bench merge results/paper-mlp/shard-0 results/paper-mlp/shard-1 --out results/paper-mlp
  $ nrelu-bench merge results/paper-mlp/shard-* --out results/paper-mlp --html
  $ nrelu-bench merge results/paper-cnn --only cnn-relu-seed1,cnn-nrelu-s0.1-seed1 --out results/mechanism-cnn

The last form reuses runs another grid shares (same run id and hash): then
\`nrelu-bench run configs/mechanism-cnn.yaml --out results/mechanism-cnn\` trains only the rest (a run whose
hash differs is retrained).

Every run is taken once, with its epochs, dead-neuron and robustness rows; all CSVs are written in
grid order with a merged manifest.json. A run found in two folders must have the same config hash
in both, and the same results when both copies finished (a finished copy wins over a failed one).
Runs that land in one comparison row must share every setting but the seed, the folders' compare.margin
must agree (or pass --margin), and all folders must
come from one backend (or pass --allow-mixed-backends). A row repeated within a folder is kept once.
An --out holding other results is refused unless --force. Otherwise nothing is written and the error names the runs
or folders. Exit codes: 0 merged; 1 a damaged file (manifest.json or a CSV); 2 bad
folders, disagreeing runs or mixed settings or backends.`;

interface MergeCommandOptions {
  out: string;
  html?: boolean;
  allowMixedBackends?: boolean;
  force?: boolean;
  margin?: number;
  only?: string[];
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine result folders (e.g. the shards of a grid) into one folder and rebuild the comparison')
    .argument('<dirs...>', 'result folders written by `nrelu-bench run` (e.g. results/x/shard-*)')
    .addOption(
      outOption(
        'the merged folder; one that holds results is refused unless ' +
          '--force (or an earlier merge of the same inputs wrote them, and nothing else since)',
      ).makeOptionMandatory(),
    )
    .option('--force', 'replace the results already in a non-empty --out folder')
    .option(
      '--margin <pp>',
      "the merged comparison's equivalence margin in percentage " +
        "points (needed when the folders' compare.margin differ)",
      parseMargin,
    )
    .option('--html', 'also write report.html and plots/ for the merged folder')
    .option('--allow-mixed-backends', 'merge folders trained on different backends (refused by default)')
    .option(
      '--only <run-ids>',
      'take only these runs (comma-separated or repeated), e.g. the runs another grid shares with a folder',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addHelpText('after', MERGE_HELP)
    .action(mergeCommand);
}

/** `merge`: the folders merged and the merged folder's report written by one library call, then printed. */
async function mergeCommand(dirs: string[], opts: MergeCommandOptions): Promise<void> {
  checkOutDir(opts.out);
  const only = parseOnly(opts.only);
  const result = await mergeFolders(dirs, opts.out, {
    allowMixedBackends: opts.allowMixedBackends,
    force: opts.force,
    margin: opts.margin,
    ...(only ? { only } : {}),
    html: opts.html,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${result.comparison}\n`);
  if (result.html) {
    process.stdout.write(`\nreport: ${result.html.html}\n`);
    if (result.html.plots.length)
      process.stdout.write(`plots:  ${dirname(result.html.plots[0])}/ (${result.html.plots.length} charts)\n`);
  }
  const dup = result.duplicates.length
    ? `; ${result.duplicates.length} found in more than one folder (identical, kept once)`
    : '';
  process.stdout.write(
    `merged ${result.runs.length} runs from ${dirs.length} folder(s)${dup}\nresults: ${result.outDir}\n`,
  );
}
