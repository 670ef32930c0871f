/**
 * The one way the harness writes a whole file: to a temporary name beside it, unique to this write
 * (process id and a counter), then renamed over it, so a crash never leaves a half-written file.
 * (CSV rows are appended whole instead: results/files.ts.)
 */
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileSystemError } from './errors.js';

let counter = 0;

export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${++counter}`);
  try {
    await writeFile(tmp, content);
    if (options.mode !== undefined) await chmod(tmp, options.mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw fileSystemError(err, path);
  }
}

/** A temporary name `writeFileAtomic` gives, with the writer's process id. */
const TEMPORARY = /^\..+\.tmp-(\d+)-\d+$/;

/**
 * Deletes the temporary files that writers killed mid-write (kill -9) left in `dir` and, below it, in `subdirs` and
 * their folders (e.g. models/<run-id>/); files of a process that still runs are left. Links are not followed.
 */
export function sweepTemporaries(dir: string, subdirs: string[], alive: (pid: number) => boolean): void {
  const folders = [dir];
  for (const sub of subdirs) {
    folders.push(join(dir, sub));
    folders.push(...entries(join(dir, sub)).map((e) => join(dir, sub, e)));
  }
  for (const folder of folders) {
    if (!isRealFolder(folder)) continue;
    for (const name of entries(folder)) {
      const m = TEMPORARY.exec(name);
      if (!m || alive(Number(m[1]))) continue;
      try {
        unlinkSync(join(folder, name));
      } catch {
        // Gone or not ours to delete: leave it.
      }
    }
  }
}

function isRealFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

const entries = (path: string): string[] => {
  if (!isRealFolder(path)) return [];
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
};
