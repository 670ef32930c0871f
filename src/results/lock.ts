/**
 * One writer per result folder: `run`, `merge --out`, `check --rerun`, `eval` and `report` hold a lock file in
 * the folder while they write it, so a second process on the same folder stops at once instead of doubling rows
 * or overwriting the manifest. A lock whose process is gone (killed, crashed, the machine restarted) is stale and
 * taken over with a note; the taking over itself is serialized, so two processes never both take one lock over.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { ResultsError } from '../errors.js';
import { sweepTemporaries } from '../atomic-write.js';
import { printable } from '../regular-file.js';
import { MODELS_DIR } from './writer.js';

export const LOCK_FILE = '.nrelu-bench.lock';
/** Held (briefly) by the one process that removes a stale lock. */
const TAKEOVER_FILE = `${LOCK_FILE}.takeover`;
/** A lock file without a readable holder younger than this may be one being written: it is not taken over. */
const UNREADABLE_GRACE_MS = 30_000;

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

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function parseHolder(text: string | null): Holder | null {
  try {
    const value = JSON.parse(text ?? '') as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? (value as Holder) : null;
  } catch {
    return null;
  }
}

let counter = 0;

/**
 * Creates `path` holding `holder`, whole from its first moment (written beside it, then hard-linked: a reader
 * never sees an empty lock); false when it exists already.
 */
function tryCreate(path: string, holder: Holder): boolean {
  const tmp = `${path}.tmp-${process.pid}-${++counter}`;
  writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Removes the stale lock whose text was `stale`, if it is still that one: under the takeover lock, so of many
 * processes that found it stale, one removes it and the others then find the new holder's lock.
 */
function removeStale(dir: string, path: string, stale: string | null, me: Holder): void {
  const mutex = join(dir, TAKEOVER_FILE);
  for (let i = 0; !tryCreate(mutex, me); i++) {
    const holder = parseHolder(readText(mutex));
    // A takeover lock whose process died mid-takeover is removed (its takeover never finished).
    if (i > 100 || (holder && holder.host === me.host && !processAlive(holder.pid))) {
      try {
        unlinkSync(mutex);
      } catch {
        // Removed by another process meanwhile.
      }
    } else sleep(10);
  }
  try {
    if (readText(path) === stale) unlinkSync(path);
  } catch {
    // Gone meanwhile: the next attempt to create the lock decides.
  } finally {
    unlinkSync(mutex);
  }
}

/** Why the lock at `path` (text `text`) may be taken over, or null when its holder may still be writing. */
function staleReason(path: string, holder: Holder | null, me: Holder): string | null {
  if (holder) {
    if (holder.host !== me.host || processAlive(holder.pid)) return null;
    return `process ${holder.pid}, ${printable(holder.command)}, is not running`;
  }
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return 'gone';
  }
  return age > UNREADABLE_GRACE_MS ? 'unreadable lock file' : null;
}

function busy(dir: string, path: string, holder: Holder | null, me: Holder): ResultsError {
  const elsewhere = holder !== null && holder.host !== me.host;
  const who = holder
    ? `process ${holder.pid}${elsewhere ? ` on ${printable(holder.host)}` : ''} ` +
      `(${printable(holder.command)}, since ${printable(String(holder.startedAt))})`
    : 'another process';
  return new ResultsError(`${dir} is being written by ${who}`, {
    hint: `wait for it to finish, or write into another folder; if that process is gone, delete ${path}`,
  });
}

export interface LockOptions {
  /** Create the folder when missing (default); it is removed again on release if it is still empty. */
  create?: boolean;
}

/**
 * Locks `dir` for `command`, or throws a ResultsError naming the process that holds it. `log` gets the note when
 * a stale lock is taken over. Once held, temporary files that a killed writer left behind are swept.
 */
export function lockFolder(
  dir: string,
  command: string,
  log: (line: string) => void,
  options: LockOptions = {},
): FolderLock {
  // A reader that writes (eval) does not create a missing folder: it has nothing to lock, and says so later.
  if (options.create === false && !existsSync(dir)) return { path: join(dir, LOCK_FILE), release: () => {} };
  const created = options.create === false ? undefined : mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; !tryCreate(path, me); attempt++) {
    const text = readText(path);
    const holder = parseHolder(text);
    const why = staleReason(path, holder, me);
    if (attempt > 5 || why === null) throw busy(dir, path, holder, me);
    if (why !== 'gone') {
      log(`note: taking over the stale lock of ${dir} (${why})`);
      removeStale(dir, path, text, me);
    }
  }
  sweepTemporaries(dir, ['plots', MODELS_DIR], processAlive);
  const release = (): void => {
    process.off('exit', release);
    if (parseHolder(readText(path))?.pid !== process.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
    if (created) removeEmpty(resolve(dir), resolve(created));
  };
  process.on('exit', release);
  return { path, release };
}

/** Removes `dir` and the folders above it up to `top` (which this process created), while they are empty. */
function removeEmpty(dir: string, top: string): void {
  for (let at = dir; !relative(top, at).startsWith('..'); at = dirname(at)) {
    try {
      rmdirSync(at);
    } catch {
      return; // not empty: it holds results (or something else)
    }
    if (at === top) return;
  }
}
