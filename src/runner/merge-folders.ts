/**
 * `nrelu-bench merge` as a library call: the output folder locked (and released on Ctrl-C), the folders merged (results/merge.ts),
 * then the merged comparison (and with `html`, report.html and plots/) rendered.
 */
import { withFolderLock } from './signals.js';
import { mergeResults, type MergeOptions, type MergeResult } from '../results/merge.js';
import { writeComparison } from '../report/write.js';
import { writeHtmlReport, type HtmlReport } from '../report/html.js';

export interface MergedFolder extends MergeResult {
  /** comparison.md's text. */
  comparison: string;
  html: HtmlReport | null;
}

export async function mergeFolders(
  dirs: string[],
  outDir: string,
  options: MergeOptions & { html?: boolean; log: (line: string) => void },
): Promise<MergedFolder> {
  return withFolderLock(outDir, `merge --out ${outDir}`, options.log, async () => {
    const merged = await mergeResults(dirs, outDir, options);
    const comparison = await writeComparison(outDir, merged.order, merged.title);
    const html = options.html ? await writeHtmlReport(outDir) : null;
    return { ...merged, comparison, html };
  });
}
