import type { Command } from 'commander';
import { availableBackends } from '../backend/select.js';
import { datasetStatus } from '../data/datasets.js';
import { resolveDataDir } from '../data/cache.js';
import { packageVersion } from '../results/manifest.js';
import { tf } from '../tf.js';
import { checkDataDir } from './paths.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the backends available (and why not), the data cache folder and which datasets are cached')
    .option(
      '--data-dir <dir>',
      'data cache folder to inspect (default: $NRELU_BENCH_DATA, else $XDG_CACHE_HOME/nrelu-bench)',
    )
    .addHelpText('after', '\nExample:\n  $ nrelu-bench info\n')
    .action(async (opts: { dataDir?: string }) => {
      checkDataDir(opts.dataDir, '--data-dir');
      const out: string[] = [
        `nrelu-bench ${packageVersion()}, TF.js ${tf.version.tfjs}, Node.js ${process.version}`,
        '',
        'Backends:',
      ];
      for (const b of await availableBackends())
        out.push(`  ${b.available ? 'yes' : 'no '} ${b.name.padEnd(10)} ${b.reason}`);
      out.push('', `Data cache: ${resolveDataDir(opts.dataDir)}`, '', 'Datasets:');
      for (const d of await datasetStatus({ dataDir: opts.dataDir }))
        out.push(`  ${d.available ? 'yes' : 'no '} ${d.name.padEnd(14)} ${d.detail}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
