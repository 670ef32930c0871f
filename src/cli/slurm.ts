import type { Command } from 'commander';
import { join } from 'node:path';
import { shellQuote } from '../runner/slurm.js';
import { writeSlurmScripts, type SlurmRequest } from '../runner/slurm-setup.js';
import { backendOption, jobsOption, outOption } from './options.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerSlurm(program: Command): void {
  program
    .command('slurm')
    .description(
      'write Slurm scripts: an sbatch array (one task per shard of the grid) and a merge job that runs after it',
    )
    .argument('<config>', 'YAML config file')
    .argument('[overrides...]', 'key=value overrides, as for `run`')
    .requiredOption('-n, --shards <n>', 'number of shards = array tasks (at most the number of runs)')
    .addOption(
      outOption("result folder: shards in <dir>/shard-<i>, merged result in <dir> (default: the config's output)"),
    )
    .option('--scripts <dir>', 'where to write the scripts (default: <out>/slurm); logs go to <scripts>/logs')
    .option('-p, --partition <name>', 'sbatch --partition')
    .option('-A, --account <name>', 'sbatch --account')
    .option('--gpus-per-task <n>', 'sbatch --gpus-per-task for each shard task (then use a GPU backend)')
    .option('-c, --cpus-per-task <n>', "sbatch --cpus-per-task for each shard task (the task's default --jobs)")
    .option('-t, --time <limit>', 'sbatch --time for each shard task, e.g. 02:00:00')
    .option('--mem <size>', 'sbatch --mem for each shard task, e.g. 8G')
    .option('--merge-time <limit>', 'sbatch --time for the merge job')
    .option('--merge-after <ok|any>', 'start the merge after every task succeeded (ok) or after all ended (any)', 'ok')
    .addOption(jobsOption('runs trained at once inside each task (default: --cpus-per-task, or 1 on a GPU)'))
    .addOption(backendOption("for the runs; default: the config's"))
    .option(
      '--command <cmd>',
      'how jobs start nrelu-bench (default: this node and CLI, by absolute path), e.g. "npx nrelu-bench"',
    )
    .option('--setup <line>', 'a shell line run first in every job, e.g. "module load nodejs" (repeatable)', collect)
    .option(
      '--sbatch <option>',
      'an extra sbatch option for both scripts, e.g. --sbatch=--qos=short (repeatable)',
      collect,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nrelu-bench slurm configs/paper-cnn.yaml --shards 8 --partition gpu --gpus-per-task 1 --cpus-per-task 4 ` +
        `--time 04:00:00 --mem 16G
  $ results/paper-cnn/slurm/submit.sh
  $ nrelu-bench slurm configs/paper-mlp.yaml seeds=[1,2,3,4,5] --shards 10 --cpus-per-task 2 --out /scratch/me/mlp

Writes array.sbatch (--array=0-(n-1); task i runs \`nrelu-bench run <config> --shard slurm --out
<out>/shard-i\`), merge.sbatch (\`nrelu-bench merge <out>/shard-* --out <out> --html\`) and submit.sh,
which submits the array and then the merge with --dependency=afterok:<array job id>. Logs are
<scripts>/logs/<job name>_<array job id>_<task id>.out. Resubmitting a task resumes its shard.`,
    )
    .action(async (configPath: string, overrides: string[], opts: SlurmRequest) => {
      const { runs, shards, outDir, scriptDir } = await writeSlurmScripts(configPath, overrides, opts);
      process.stdout.write(
        `${runs} runs in ${shards} shard(s); scripts in ${scriptDir}:
  array.sbatch  the shards (sbatch --array=0-${shards - 1})
  merge.sbatch  merges ${outDir}/shard-* into ${outDir}
  submit.sh     submits both (the merge with --dependency=${opts.mergeAfter === 'any' ? 'afterany' : 'afterok'})

Submit:
  ${shellQuote(join(scriptDir, 'submit.sh'))}
or by hand:
  jid=$(sbatch --parsable ${shellQuote(join(scriptDir, 'array.sbatch'))})
  sbatch --dependency=${opts.mergeAfter === 'any' ? 'afterany' : 'afterok'}:"\${jid%%;*}" ` +
          `${shellQuote(join(scriptDir, 'merge.sbatch'))}
`,
      );
    });
}
