/**
 * `nrelu-bench report` as a library call: the folder locked (report rewrites its comparison files, report.html and
 * plots/, as run does; released on Ctrl-C), then its report rebuilt (report/write.ts).
 */
import { withFolderLock } from './signals.js';
import { rebuildReport, type FolderReport } from '../report/write.js';

export async function reportFolder(
  dir: string,
  options: { html?: boolean; log: (line: string) => void },
): Promise<FolderReport> {
  return withFolderLock(dir, `report ${dir}`, options.log, () => rebuildReport(dir, { html: options.html }));
}
