/**
 * Shards: deterministic slices of a grid, so any scheduler can fan a sweep out. Shard i of n holds
 * the runs whose position in grid order is i modulo n (round-robin, so each shard gets a similar
 * mix of models and activations). A run's shard depends only on the config, never on what is
 * already done, so resuming a shard reruns exactly its own unfinished runs.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

const SHARD_HINT = 'use --shard i/n with 0 <= i < n (e.g. --shard 0/4), or --shard slurm inside a Slurm array job';

function parseNonNegativeInt(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/** Parses `i/n`, or `slurm` (reads the array task's id and count from the environment). */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  if (text.trim().toLowerCase() === 'slurm') return slurmShard(env);
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`invalid shard '${text}'`, { hint: SHARD_HINT });
  return checkShard(Number(m[1]), Number(m[2]), `--shard ${text}`);
}

function checkShard(index: number, count: number, source: string): Shard {
  if (count < 1) throw new UsageError(`${source}: the number of shards must be at least 1`, { hint: SHARD_HINT });
  if (index < 0 || index >= count)
    throw new UsageError(`${source}: shard index ${index} is not below the shard count ${count}`, { hint: SHARD_HINT });
  return { index, count };
}

/**
 * The shard of a Slurm array task: SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (0 when unset),
 * out of SLURM_ARRAY_TASK_COUNT, so `--array=0-3` and `--array=1-4` both give shards 0..3 of 4.
 */
export function slurmShard(env: NodeJS.ProcessEnv = process.env): Shard {
  const id = parseNonNegativeInt(env.SLURM_ARRAY_TASK_ID ?? '');
  const count = parseNonNegativeInt(env.SLURM_ARRAY_TASK_COUNT ?? '');
  if (id === null || count === null) {
    const missing = [id === null ? 'SLURM_ARRAY_TASK_ID' : '', count === null ? 'SLURM_ARRAY_TASK_COUNT' : '']
      .filter(Boolean)
      .join(' and ');
    throw new UsageError(
      `--shard slurm: ${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set (or not a number)`,
      {
        hint: 'use --shard slurm only inside a Slurm array job (sbatch --array=0-N), or pass --shard i/n',
      },
    );
  }
  const min = parseNonNegativeInt(env.SLURM_ARRAY_TASK_MIN ?? '') ?? 0;
  return checkShard(id - min, count, `--shard slurm (SLURM_ARRAY_TASK_ID=${id}, SLURM_ARRAY_TASK_COUNT=${count})`);
}

/** The runs of `items` (in grid order) that belong to `shard`; all of them without a shard. */
export function selectShard<T>(items: T[], shard: Shard | null | undefined): T[] {
  if (!shard) return items;
  return items.filter((_, i) => i % shard.count === shard.index);
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** A shard's folder under the grid's output folder: `run --shard i/n` writes there, and Slurm's array tasks too. */
export function shardFolder(output: string, shard: Shard): string {
  return join(output, `shard-${shard.index}`);
}
