/**
 * An error meant for the person at the keyboard: one line saying what is wrong and what to do.
 * The CLI prints it without a stack trace (unless --verbose) and exits with `exitCode`:
 * 2 for usage/config problems, 1 for runtime problems.
 */
export class UserError extends Error {
  readonly exitCode: 1 | 2;
  readonly hint?: string;

  constructor(message: string, options: { exitCode?: 1 | 2; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** A message from anything thrown, for logs and CSV `failed` rows. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
