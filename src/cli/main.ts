import { Command } from 'commander';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string; description: string };

/** Builds the command line; exported so tests can inspect it without spawning a process. */
export function buildProgram(): Command {
  const program = new Command();
  program.name('nrelu-bench').description(pkg.description).version(pkg.version);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  await buildProgram().parseAsync(argv);
  return 0;
}
