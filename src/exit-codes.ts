/** The exit codes of the CLI and its worker processes, in one place (README, "Commands"). */
import { constants } from 'node:os';

export const EXIT = {
  ok: 0,
  /** A runtime error, or some run failed (a diverged run is a result, not a failure). */
  runtime: 1,
  /** A usage or config error: nothing was trained or written. */
  usage: 2,
  /** Stopped by Ctrl-C: the shell's convention, 128 + the signal number. */
  interrupted: 128 + constants.signals.SIGINT,
  /** Stopped by SIGTERM (e.g. Slurm's time limit), 128 + the signal number. */
  terminated: 128 + constants.signals.SIGTERM,
} as const;
