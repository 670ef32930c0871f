/**
 * Reading a file of a result folder as data: a regular file (never a link, FIFO or device) of a bounded size,
 * opened without blocking, so /dev/zero or a FIFO in a model's place fails at once. Importable from every folder
 * (models/saved.ts reads a saved model with it; results/folder-paths.ts builds on it).
 */
import { constants, readlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ResultsError, fileSystemError } from './errors.js';

/** Text from a file, safe to print on one terminal line: control characters (ANSI escapes, newlines) shown as `?`. */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

export function linkError(path: string): ResultsError {
  let target = '';
  try {
    target = ` (to ${printable(readlinkSync(path))})`;
  } catch {
    // Gone meanwhile: the link's target is not needed to say what is wrong.
  }
  return new ResultsError(`${path} is a symbolic link${target}; a result folder is read and written as plain files`, {
    hint: 'replace the link with a real folder or file (a result folder must hold its own data), or use another folder',
  });
}

/**
 * A regular file's bytes, at most `maxBytes` (`exactBytes`: exactly that many). Opened without following a link
 * and without blocking, so a link, a FIFO, a device or a folder is refused before anything is read.
 */
export async function readRegularFile(
  path: string,
  limit: { maxBytes?: number; exactBytes?: number },
): Promise<Buffer> {
  let file;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw linkError(path);
    throw fileSystemError(err, path);
  }
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw notRegular(path, 'is not a regular file (a device, FIFO or folder)');
    const { maxBytes, exactBytes } = limit;
    if (exactBytes !== undefined && stat.size !== exactBytes)
      throw notRegular(path, `has ${stat.size} bytes where its model's manifest says ${exactBytes}`);
    if (maxBytes !== undefined && stat.size > maxBytes)
      throw notRegular(path, `has ${stat.size} bytes, more than the ${maxBytes} it may have`);
    const bytes = Buffer.alloc(stat.size);
    const { bytesRead } = await file.read(bytes, 0, stat.size, 0);
    if (bytesRead !== stat.size) throw notRegular(path, `changed while it was read`);
    return bytes;
  } finally {
    await file.close();
  }
}

function notRegular(path: string, what: string): ResultsError {
  return new ResultsError(`${path} ${what}`, {
    hint: 'the folder was edited by hand or is damaged; restore the file from a copy, or retrain the run',
  });
}
