/**
 * The one way the harness writes a whole file: to a temporary name beside it, unique to this write
 * (process id and a counter), then renamed over it, so a crash never leaves a half-written file.
 * (CSV rows are appended whole instead: results/files.ts.)
 */
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
