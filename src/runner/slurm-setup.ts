/**
 * `nrelu-bench slurm` as a library call: validates the request (every value that reaches a script is
 * checked here, so no option can add a line or a command to it), and writes array.sbatch,
 * merge.sbatch and submit.sh. The CLI only parses options and prints what was written.
 */
import { mkdir } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { loadConfig } from '../config/load.js';
import { expandGrid } from '../config/grid.js';
import { UsageError } from '../errors.js';
import { slurmScripts } from './slurm.js';
import { workerExecArgv } from './worker-process.js';
import type { BackendName } from '../backend/names.js';

export interface SlurmRequest {
  shards: string;
  out?: string;
  scripts?: string;
  partition?: string;
  account?: string;
  gpusPerTask?: string;
  cpusPerTask?: string;
  time?: string;
  mem?: string;
  mergeTime?: string;
  mergeAfter: string;
  jobs?: number | 'auto';
  backend?: BackendName;
  command?: string;
  setup?: string[];
  sbatch?: string[];
}

export interface SlurmWritten {
  runs: number;
  shards: number;
  outDir: string;
  scriptDir: string;
  mergeAfter: 'ok' | 'any';
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`invalid ${flag} '${text}'`, { hint: `${flag} takes a whole number >= 1` });
  return Number(text);
}

/**
 * The CLI's entry script with every symlink resolved (node_modules/.bin/nrelu-bench is a link to
 * the package's bin), and whether it lives in npx's cache, which npx may delete before a job starts.
 */
export function cliEntry(argv1: string): { path: string; npxCache: boolean } {
  let path = resolve(argv1);
  try {
    path = realpathSync(path);
  } catch {
    // Not on disk (unusual); keep the path as given.
  }
  return { path, npxCache: /[\\/]_npx[\\/]/.test(path) };
}

/** How this very CLI was started (node, its flags such as --import tsx, the resolved entry script). */
function currentCommand(): string[] {
  const entry = cliEntry(process.argv[1] ?? 'nrelu-bench');
  if (entry.npxCache) {
    process.stderr.write(
      `warning: nrelu-bench runs from npx's cache (${entry.path}), which npx may clear ` +
        `before the jobs start; install it (npm install nrelu-bench) or pass --command\n`,
    );
  }
  return [process.execPath, ...workerExecArgv(process.execArgv, process.argv[1] ?? ''), entry.path];
}

/** Slurm's time formats: minutes, m:s, h:m:s, d-h, d-h:m, d-h:m:s, or UNLIMITED/INFINITE. */
const SLURM_TIME = /^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|unlimited|infinite)$/i;

export function slurmTime(text: string | undefined, flag: string): string | undefined {
  if (text === undefined || SLURM_TIME.test(text)) return text;
  throw new UsageError(`invalid ${flag} '${text}'`, {
    hint: `${flag} is a Slurm time limit: minutes, hh:mm:ss or days-hh:mm:ss, e.g. 04:00:00`,
  });
}

export function slurmMem(text: string | undefined): string | undefined {
  if (text === undefined || /^\d+[KMGT]?$/i.test(text)) return text;
  throw new UsageError(`invalid --mem '${text}'`, {
    hint: '--mem is a Slurm memory size: a number with K, M, G or T, e.g. 16G',
  });
}

/**
 * A Slurm name (partition, account): letters, digits, `_ . -`, and commas between names; nothing a shell would read.
 */
export function slurmName(text: string | undefined, flag: string): string | undefined {
  if (text === undefined || /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(text)) return text;
  throw new UsageError(`invalid ${flag} ${JSON.stringify(text)}`, {
    hint: `${flag} is a Slurm name: letters, digits, _ . - (a comma between several), e.g. gpu`,
  });
}

/**
 * Strings that go into the scripts as they are (--setup and --command are shell on purpose; --sbatch
 * an option): one line each, so no value can add lines to a script; --sbatch must be an option.
 */
export function scriptLines(values: string[] | undefined, flag: string, option = false): string[] | undefined {
  for (const v of values ?? []) {
    if (/[\r\n\0]/.test(v))
      throw new UsageError(`invalid ${flag} ${JSON.stringify(v)}: it spans several lines`, {
        hint: `pass one line per ${flag}`,
      });
    if (option && !/^--?[A-Za-z]/.test(v))
      throw new UsageError(`invalid ${flag} ${JSON.stringify(v)}`, {
        hint: `${flag} is an sbatch option, e.g. --sbatch=--qos=short`,
      });
  }
  return values;
}

/** Validates a request and writes the scripts; a bad value is a one-line UsageError naming its option. */
export async function writeSlurmScripts(
  configPath: string,
  overrides: string[],
  opts: SlurmRequest,
): Promise<SlurmWritten> {
  const shards = positiveInt(opts.shards, '--shards') as number;
  if (opts.mergeAfter !== 'ok' && opts.mergeAfter !== 'any') {
    throw new UsageError(`invalid --merge-after '${opts.mergeAfter}'`, { hint: 'use ok or any' });
  }
  const jobs = opts.jobs ?? 'auto';
  const backend = opts.backend;
  const time = slurmTime(opts.time, '--time');
  const mergeTime = slurmTime(opts.mergeTime, '--merge-time');
  const mem = slurmMem(opts.mem);
  const { config } = await loadConfig(configPath, overrides);
  const runs = expandGrid(config).length;
  if (shards > runs) {
    throw new UsageError(`--shards ${shards} is more than the grid's ${runs} runs`, {
      hint: `use at most --shards ${runs}`,
    });
  }
  if (opts.out?.trim() === '')
    throw new UsageError('--out is empty', { hint: 'pass the result folder for --out, e.g. --out /scratch/me/mlp' });
  const outDir = resolve(opts.out ?? config.output);
  const scriptDir = resolve(opts.scripts ?? join(outDir, 'slurm'));
  const scripts = slurmScripts({
    name: config.name,
    configPath: resolve(configPath),
    overrides,
    shards,
    outDir,
    scriptDir,
    cwd: process.cwd(),
    command: opts.command === undefined ? currentCommand() : (scriptLines([opts.command], '--command') as string[])[0],
    partition: slurmName(opts.partition, '--partition'),
    account: slurmName(opts.account, '--account'),
    gpusPerTask: positiveInt(opts.gpusPerTask, '--gpus-per-task'),
    cpusPerTask: positiveInt(opts.cpusPerTask, '--cpus-per-task'),
    time,
    mem,
    mergeTime,
    mergeAfter: opts.mergeAfter,
    jobs: jobs === 'auto' ? undefined : jobs,
    backend,
    setup: scriptLines(opts.setup, '--setup'),
    sbatch: scriptLines(opts.sbatch, '--sbatch', true),
  });
  await mkdir(join(scriptDir, 'logs'), { recursive: true });
  const files = { array: 'array.sbatch', merge: 'merge.sbatch', submit: 'submit.sh' } as const;
  for (const [key, file] of Object.entries(files) as [keyof typeof files, string][]) {
    await writeFileAtomic(join(scriptDir, file), scripts[key], { mode: 0o755 });
  }
  return { runs, shards, outDir, scriptDir, mergeAfter: opts.mergeAfter === 'any' ? 'any' : 'ok' };
}
