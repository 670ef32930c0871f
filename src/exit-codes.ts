/**
 * The exit codes of the CLI and its worker processes, and the one place that maps a thrown error to
 * its exit code (README, "Commands"; docs/ARCHITECTURE.md). Library code throws errors by kind
 * (`errors.ts`); only the CLI boundary and the worker pool's parent turn them into an exit code, here.
 */
import { constants } from 'node:os';
import { isUserError, type ProblemKind } from './errors.js';

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

/** Each kind of user problem's exit code: 2 when the request itself is wrong (nothing ran), 1 otherwise. */
export const EXIT_FOR_KIND = {
  usage: EXIT.usage,
  config: EXIT.usage,
  environment: EXIT.runtime,
  data: EXIT.runtime,
  results: EXIT.runtime,
} as const satisfies Record<ProblemKind, number>;

/** The exit code for anything thrown: a `UserError`'s by its kind, anything else a runtime error. */
export function exitCodeOf(err: unknown): number {
  return isUserError(err) ? EXIT_FOR_KIND[err.kind] : EXIT.runtime;
}
