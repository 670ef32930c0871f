/**
 * One writer per result folder: `run`, `merge --out` and `check --rerun` hold a lock file in the
 * folder while they write it, so a second process on the same folder stops at once instead of
 * doubling rows or overwriting the manifest. A lock whose process is gone (killed, crashed, the
 * machine restarted) is stale and taken over with a note.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ResultsError } from '../errors.js';

export const LOCK_FILE = '.nrelu-bench.lock';

interface Holder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface FolderLock {
  readonly path: string;
  release(): void;
}

/** True when a process with this id runs on this machine (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? (value as Holder) : null;
  } catch {
    return null;
  }
}

/** Creates the lock file; false when one exists already. */
function tryCreate(path: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Locks `dir` (created if missing) for `command`, or throws a ResultsError naming the process that
 * holds it. `log` gets the note when a stale lock is taken over.
 */
export function lockFolder(dir: string, command: string, log: (line: string) => void): FolderLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; !tryCreate(path, me); attempt++) {
    const holder = readHolder(path);
    const elsewhere = holder !== null && holder.host !== me.host;
    if (attempt > 2 || (holder && (elsewhere || processAlive(holder.pid)))) {
      const who = holder
        ? `process ${holder.pid}${elsewhere ? ` on ${holder.host}` : ''} (${holder.command}, since ${holder.startedAt})`
        : 'another process';
      throw new ResultsError(`${dir} is being written by ${who}`, {
        hint: `wait for it to finish, or write into another folder; if that process is gone, delete ${path}`,
      });
    }
    log(
      `note: taking over the stale lock of ${dir} ` +
        `(${holder ? `process ${holder.pid}, ${holder.command}, is not running` : 'unreadable lock file'})`,
    );
    try {
      unlinkSync(path);
    } catch {
      // Another process took it over first: the next attempt finds its lock.
    }
  }
  const release = (): void => {
    process.off('exit', release);
    if (readHolder(path)?.pid !== process.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.on('exit', release);
  return { path, release };
}
