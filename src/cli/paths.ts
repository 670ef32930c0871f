/**
 * Checks of folders the user names, made before anything starts, so a bad path is one line naming
 * it instead of a raw EEXIST/ENOTDIR/EACCES from deep inside a run.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, fileSystemError } from '../errors.js';

/** An output folder: it (or the folder it will be made in) must be a writable folder. */
export function checkOutDir(path: string, flag = '--out'): void {
  // resolve('') is the current folder: an empty --out (an unset shell variable) would write results there.
  if (path.trim() === '')
    throw new UsageError(`${flag} is empty`, { hint: `pass a folder for ${flag}, e.g. --out results/try` });
  let at = resolve(path);
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (!statSync(at).isDirectory()) {
    const where = at === resolve(path) ? 'is a file' : `lies under ${at}, which is a file`;
    throw new UsageError(`${flag} ${path}: ${where}, not a folder`, {
      hint: `pass a folder for ${flag} (it is created if missing)`,
    });
  }
  try {
    accessSync(at, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: ${at} is not writable`, {
      hint: `pass a folder you can write to for ${flag}`,
    });
  }
}

/** A data folder the user named: must not be a file (a missing one is created or reported later). */
export function checkDataDir(path: string | undefined, label: string): void {
  if (path === undefined || !existsSync(path) || statSync(path).isDirectory()) return;
  throw new UsageError(`${label} ${path} is a file, not a folder`, {
    hint: 'point it at the folder that holds (or will cache) the datasets',
  });
}

/** A folder to read results from: a permission problem is said as such, not as a missing file. */
export function checkReadableDir(path: string): void {
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileSystemError(err, path);
  }
}
