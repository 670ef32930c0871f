/**
 * Options several commands share, defined once: their flags, their allowed values (commander's
 * `choices`, from the one list of each domain) and their parsing, so every command rejects a bad
 * value the same way (exit code 2, before anything runs).
 */
import { InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, type BackendName } from '../backend/names.js';
import { MODEL_KINDS } from '../models/kinds.js';
import { DEFAULT_WORKER_TIMEOUT_S } from '../runner/protocol.js';

/** `--backend <name>`, one of the backends; `description` says what it overrides. */
export function backendOption(description: string, defaultValue?: BackendName): Option {
  const option = new Option(
    '-b, --backend <name>',
    `backend: ${BACKEND_NAMES.join(' | ')}${description ? ` (${description})` : ''}`,
  ).choices(BACKEND_NAMES);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** `--model <model>`, one of the architectures. */
export function modelOption(defaultValue: (typeof MODEL_KINDS)[number]): Option {
  return new Option('-m, --model <model>', `model: ${MODEL_KINDS.join(' | ')}`)
    .choices(MODEL_KINDS)
    .default(defaultValue);
}

/** `--jobs N`: a positive integer or `auto` (cores, or 1 on a GPU). */
export function parseJobs(text: string | undefined): number | 'auto' {
  if (text === undefined || text === 'auto') return 'auto';
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new InvalidArgumentError('pass a whole number of runs to train at once, at least 1 (or auto)');
  }
  return Number(text);
}

export function jobsOption(description: string): Option {
  return new Option('-j, --jobs <n|auto>', description).argParser((text: string) => parseJobs(text));
}

/** `--out <dir>`: the result folder. */
export function outOption(description: string): Option {
  return new Option('-o, --out <dir>', description);
}

/**
 * `--worker-timeout <s>`: seconds a silent worker (no heartbeat: frozen, or stopped) may hold its run before it is
 * killed.
 */
export function workerTimeoutOption(): Option {
  return new Option(
    '--worker-timeout <seconds>',
    `kill a worker that sends no heartbeat for this long (frozen or stopped) ` +
      `and fail its run; the grid goes on (default ${DEFAULT_WORKER_TIMEOUT_S})`,
  ).argParser((text: string) => {
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0))
      throw new InvalidArgumentError('pass a number of seconds above 0, e.g. 600');
    return value;
  });
}
