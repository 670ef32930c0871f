/** A grid run from a terminal or a batch system: the folder's lock and SIGINT/SIGTERM handling around `runGrid`. */
import { lockFolder, type LockOptions } from '../results/lock.js';
import { runGrid, type RunGridOptions, type RunGridResult } from './run-grid.js';
import { createProgress, type ProgressReporter } from './progress.js';

/**
 * Runs a grid with Ctrl-C handling: the first SIGINT/SIGTERM stops scheduling and lets running
 * runs stop after their current batch; a second one quits at once (`quitNow`: the CLI exits with its
 * interrupted code). The folder is locked for the grid's duration: one writer per folder.
 */
export async function runGridWithSignals(
  options: Omit<RunGridOptions, 'progress' | 'shouldStop'>,
  progress: ProgressReporter = createProgress(),
  quitNow: () => never = () => process.exit(130),
): Promise<RunGridResult> {
  // One writer per folder: a second run (or merge, or check --rerun) on it stops here with exit 1.
  const lock = lockFolder(options.outDir, process.argv.slice(2).join(' ') || 'nrelu-bench', (line) =>
    progress.log(line),
  );
  let stopRequested = false;
  const onSignal = (): void => {
    if (stopRequested) quitNow();
    stopRequested = true;
    progress.log('stopping after the current batch (press Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runGrid({ ...options, progress, shouldStop: () => stopRequested });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lock.release();
  }
}

/**
 * Runs `task` holding `dir`'s lock (`merge --out`, `eval`, `report`): one writer per folder. SIGINT or SIGTERM
 * meanwhile releases the lock before the process quits (130), so no lock is left behind by a Ctrl-C.
 */
export async function withFolderLock<T>(
  dir: string,
  command: string,
  log: (line: string) => void,
  task: () => Promise<T>,
  options: LockOptions & { quit?: () => never } = {},
): Promise<T> {
  const lock = lockFolder(dir, command, log, options);
  const onSignal = (): void => {
    lock.release();
    (options.quit ?? ((): never => process.exit(130)))();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await task();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lock.release();
  }
}
