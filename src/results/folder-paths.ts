/**
 * A result folder is data at every depth. The paths a command derives from a folder's contents (run ids,
 * `models/<run-id>/`, `plots/`) stay inside the folder with no symbolic link on the way, and the files read
 * from it are regular files of a bounded size, so a link to /dev/zero or elsewhere, or a FIFO, fails at once.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { ResultsError } from '../errors.js';
import { linkError, printable } from '../regular-file.js';

export { printable, readRegularFile } from '../regular-file.js';

/**
 * The run-id grammar: a model name (as the schema allows), the setting's parts joined by `-` (the first, the
 * activation's name, a word), then `-seed<n>`. No `/`, no leading `.`: an id is always one file name, and no part of
 * it (a CSV's model, setting or activation cell) starts a spreadsheet formula.
 */
export const RUN_ID = /^[a-z][a-z0-9_]*-[a-z][A-Za-z0-9_.+]*(-[A-Za-z0-9_.+]+)*-seed\d+$/;

export const isRunId = (id: string): boolean => RUN_ID.test(id);

/** Refuses a run id read from a file that is not one the harness writes (e.g. `../../victim`). */
export function checkRunId(id: string, where: string): void {
  if (isRunId(id)) return;
  throw new ResultsError(`${where}: run id '${printable(id)}' is not a run id nrelu-bench writes`, {
    hint: 'the folder was edited by hand or is damaged; restore it from a copy or rerun its grid into a new folder',
  });
}

/**
 * `root/parts...`, refusing any part that is not one plain name or that exists below `root` as a symbolic link
 * (`root` itself may be one: that is the user's choice of folder). Parts that do not exist yet are fine.
 */
export function insideFolder(root: string, ...parts: string[]): string {
  let at = root;
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || /[/\\\0]/.test(part)) {
      throw new ResultsError(`${join(root, ...parts)}: '${printable(part)}' is not a plain name inside ${root}`, {
        hint: 'the folder was edited by hand or is damaged; restore it from a copy',
      });
    }
    at = join(at, part);
    let link: boolean;
    try {
      link = lstatSync(at).isSymbolicLink();
    } catch {
      return join(root, ...parts); // missing from here down: nothing to follow
    }
    if (link) throw linkError(at);
  }
  return at;
}
