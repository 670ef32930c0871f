/**
 * Errors meant for the person at the keyboard: one line saying what is wrong (and a hint saying what to do).
 * Library code throws them by the kind of problem, never with an exit code; the CLI boundary
 * (`cli/main.ts`) and the worker processes' parent map the kind to an exit code in one place,
 * `exitCodeOf` in `exit-codes.ts`. Anything else thrown is a bug or a runtime failure (exit code 1).
 */

/**
 * What kind of problem a `UserError` reports:
 * - `usage`: a bad command-line option or argument, a bad argument to a library call, or input folders that
 *   cannot be used as asked (not a result folder, written by another version, folders that cannot be merged);
 * - `config`: a bad config file, override, activation spec or parameter, or activation module;
 * - `environment`: this machine lacks something: a backend, an npm package;
 * - `data`: a dataset's files are missing, damaged or malformed;
 * - `results`: a result folder's file (a CSV, `manifest.json`) is damaged.
 */
export type ProblemKind = 'usage' | 'config' | 'environment' | 'data' | 'results';

export const PROBLEM_KINDS = [
  'usage',
  'config',
  'environment',
  'data',
  'results',
] as const satisfies readonly ProblemKind[];

export interface ProblemOptions {
  hint?: string;
  cause?: unknown;
}

/** A one-line problem meant for the user; throw one of the subclasses below, which name the kind. */
export class UserError extends Error {
  readonly kind: ProblemKind;
  readonly hint?: string;

  constructor(kind: ProblemKind, message: string, options: ProblemOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.hint = options.hint;
  }
}

export class UsageError extends UserError {
  constructor(message: string, options?: ProblemOptions) {
    super('usage', message, options);
  }
}

export class ConfigError extends UserError {
  constructor(message: string, options?: ProblemOptions) {
    super('config', message, options);
  }
}

export class EnvironmentError extends UserError {
  constructor(message: string, options?: ProblemOptions) {
    super('environment', message, options);
  }
}

export class DataError extends UserError {
  constructor(message: string, options?: ProblemOptions) {
    super('data', message, options);
  }
}

export class ResultsError extends UserError {
  constructor(message: string, options?: ProblemOptions) {
    super('results', message, options);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

export function isProblemKind(value: unknown): value is ProblemKind {
  return (PROBLEM_KINDS as readonly unknown[]).includes(value);
}

/** A message from anything thrown, for logs and CSV `failed` rows. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A file-system error the user can act on (disk full, a folder where a file belongs, permission
 * denied, a read-only disk) as one line naming the file; any other error is returned as it is.
 * `path`: the file being written or read, when the error does not carry it (writes through a handle).
 */
export function fileSystemError(err: unknown, path?: string): unknown {
  if (isUserError(err) || !(err instanceof Error)) return err;
  const { code, path: errPath } = err as NodeJS.ErrnoException;
  const file = errPath ?? path ?? '(unknown file)';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new EnvironmentError(`no space left on the disk (${code}) while writing ${file}`, {
        cause: err,
        hint:
          'runs recorded completed are safe: rows are appended whole, other files replaced only once ' +
          'complete, and a run whose model could not be saved is recorded failed; free some space and run ' +
          'the same command again: it resumes and trains the failed runs again',
      });
    case 'EISDIR':
      return new ResultsError(`${file} is a folder where a file belongs`, {
        cause: err,
        hint: 'move or rename that folder, then run again',
      });
    case 'EACCES':
    case 'EPERM':
      return new EnvironmentError(`permission denied: ${file}`, {
        cause: err,
        hint: 'check the owner and mode of the file and its folder (ls -l)',
      });
    case 'EROFS':
      return new EnvironmentError(`${file} is on a read-only file system`, {
        cause: err,
        hint: 'write the results to a writable folder (--out)',
      });
    default:
      return err;
  }
}
