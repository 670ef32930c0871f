import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { expandGrid, modelLabel } from '../config/grid.js';
import { variedLabel } from '../results/varied.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description("print the runs a config's grid expands to, without training")
    .argument('<config>', 'YAML config file')
    .argument('[overrides...]', 'key=value overrides, as for `run`')
    .option('--json', 'print the run specs as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ nrelu-bench list configs/paper-cnn.yaml seeds=[1]\n  $ nrelu-bench list configs/quick.yaml train.learning_rate=0.001,0.003\n',
    )
    .action(async (configPath: string, overrides: string[], opts: { json?: boolean }) => {
      const { config } = await loadConfig(configPath, overrides);
      const specs = expandGrid(config);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(specs, null, 2)}\n`);
        return;
      }
      for (const s of specs) {
        const varied = s.varied ? `\t${s.varied.param}=${variedLabel(s.varied)}` : '';
        process.stdout.write(
          `${s.id}\t${modelLabel(s)}\t${s.activation.name}` + `${varied}\tseed=${s.seed}\tepochs=${s.train.epochs}\n`,
        );
      }
      const cells = config.sweep?.cells.length;
      const axes = config.sweep?.axes ?? [];
      const described = axes.length
        ? axes.map((a) => `${a.key}: ${a.values.map((v) => JSON.stringify(v)).join(', ')}`).join('; ')
        : (config.sweep?.cells.map((c) => c.tag).join(', ') ?? '');
      const swept = config.sweep ? `, ${cells} sweep cells (${described})` : '';
      process.stdout.write(`${specs.length} runs${swept}, dataset ${config.dataset}, output ${config.output}\n`);
    });
}
