/**
 * `nrelu-bench merge` as a library call: the output folder locked (and released on Ctrl-C), the folders merged (results/merge.ts),
 * then the merged folder's report (report/write.ts: comparison files, and with `html`, report.html and plots/).
 */
import { withFolderLock } from './signals.js';
import { mergeResults, type MergeOptions, type MergeResult } from '../results/merge.js';
import { writeFolderReport, type FolderReport } from '../report/write.js';

export type MergedFolder = MergeResult & FolderReport;

export async function mergeFolders(
  dirs: string[],
  outDir: string,
  options: MergeOptions & { html?: boolean; log: (line: string) => void },
): Promise<MergedFolder> {
  return withFolderLock(outDir, `merge --out ${outDir}`, options.log, async () => {
    const merged = await mergeResults(dirs, outDir, options);
    const report = await writeFolderReport(outDir, { order: merged.order, title: merged.title, html: options.html });
    return { ...merged, ...report };
  });
}
