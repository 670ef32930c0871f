/**
 * Tests that need something a machine may lack (a browser, Slurm, a Debian dataset, a tool).
 * On a developer's machine such a test skips and says why; under CI (CI=true) a missing
 * requirement is a failure that names it, so the suite can never pass by skipping.
 *
 *   test('opens in chromium', requires('chromium', existsSync(C) ? null : `${C} not found: apt-get install chromium`), ...)
 *   if (available(t, 'shellcheck', shellcheckMissing)) { ...shellcheck assertions... }
 *
 * `missing` is null/false/undefined when the requirement is met, else one line saying what is
 * missing and how to get it.
 */
import { test, type TestContext } from 'node:test';

export type Missing = string | null | false | undefined;

/** True under CI: `CI=true` (GitHub Actions, GitLab, .ci/run) or `CI=1`. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

const failed = new Set<string>();

/**
 * Options for a whole test that needs `what`: `{}` when it is there; otherwise `{ skip: 'needs
 * <what>: <why>' }`, and under CI also one failing test, `CI requires <what>`, per requirement.
 */
export function requires(
  what: string,
  missing: Missing,
  extra: { timeout?: number } = {},
): { skip?: string; timeout?: number } {
  if (!missing) return { ...extra };
  if (inCi() && !failed.has(what)) {
    failed.add(what);
    test(`CI requires ${what}`, () => {
      throw new Error(`CI=true, and ${what} is missing: ${missing}`);
    });
  }
  return { ...extra, skip: `needs ${what}: ${missing}` };
}

/**
 * For checks inside a test (part of its assertions): true when `what` is there. Otherwise, under
 * CI it throws (the test fails naming it); elsewhere it reports the skipped checks as a test
 * diagnostic and returns false.
 */
export function available(t: TestContext, what: string, missing: Missing): boolean {
  if (!missing) return true;
  if (inCi()) throw new Error(`CI=true, and ${what} is missing: ${missing}`);
  t.diagnostic(`skipped the ${what} checks: ${missing}`);
  return false;
}
