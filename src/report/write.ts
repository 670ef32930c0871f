/**
 * A result folder's report, the last step of `run`, `merge`, `eval` and `report`, in one place: its CSVs sorted into
 * grid order, the folder loaded once (folder.ts), then comparison.md, comparison.csv and comparison-layers.csv
 * rendered from the runs that may be pooled, and, when asked, report.html with plots/ and the terminal sparklines.
 */
import { existsSync } from 'node:fs';
import { ResultsError } from '../errors.js';
import { readRows, resultPaths, writeFileAtomic, writeRows } from '../results/files.js';
import { readManifest } from '../results/manifest.js';
import { excludedNote } from '../results/pooling.js';
import { incompleteRuns } from '../results/writer.js';
import { comparisonColumns, compare, comparisonRecords, renderComparison } from './comparison.js';
import { keptRows, sortAndLoadFolder, type LoadedFolder } from './folder.js';
import { writeHtmlReport, type HtmlReport } from './html.js';
import { LAYER_COLUMNS, compareLayers, layerRecords, renderLayers } from './layers.js';
import { comparePostHoc, renderPostHoc } from './post-hoc.js';
import { renderSequential } from './sequential.js';
import { renderSparklines } from './sparkline.js';

export interface FolderReportOptions {
  /** Run ids in grid order: the CSVs are rewritten in it. */
  order: string[];
  /** comparison.md's title (the config's name). */
  title: string;
  /** Also write report.html and plots/ (skipped for a folder without summary.csv: no run finished). */
  html?: boolean;
  /** Receives Vega's rendering warnings for report.html. */
  onWarning?: (message: string) => void;
}

export interface FolderReport {
  /** comparison.md's text. */
  comparison: string;
  /** report.html and its plots, when written. */
  html: HtmlReport | null;
  /** Mean test accuracy per epoch as terminal sparklines, of the runs the comparison uses ('' when none). */
  sparklines: string;
}

/** Sorts the folder's CSVs, writes its comparison files and (with `html`) report.html: the one report step. */
export async function writeFolderReport(dir: string, options: FolderReportOptions): Promise<FolderReport> {
  const folder = await sortAndLoadFolder(dir, options.order);
  const comparison = await writeComparisonFiles(folder, options.title);
  const html =
    options.html && existsSync(resultPaths(dir).summary)
      ? await writeHtmlReport(folder, { onWarning: options.onWarning })
      : null;
  // The sparklines leave out the runs the comparison leaves out (other settings), as report.html does.
  const sparklines = renderSparklines(keptRows(folder, 'epochs'), { summary: folder.pooled.rows });
  return { comparison, html, sparklines };
}

/**
 * Rewrites summary.csv, epochs.csv, dead_neurons.csv and robustness.csv in grid order (`order`:
 * run ids) and renders comparison.md, comparison.csv and comparison-layers.csv from them; returns the Markdown.
 */
export async function writeComparison(outDir: string, order: string[], title: string): Promise<string> {
  return writeComparisonFiles(await sortAndLoadFolder(outDir, order), title);
}

/** comparison.md, comparison.csv and comparison-layers.csv of a loaded folder; returns the Markdown. */
async function writeComparisonFiles(folder: LoadedFolder, title: string): Promise<string> {
  const paths = resultPaths(folder.dir);
  const { rows: pooled, excluded, unpaired } = folder.pooled;
  const comparison = compare(pooled, keptRows(folder, 'robustness'), folder.compare);
  const note = excludedNote(excluded, unpaired);
  const layers = compareLayers(pooled, folder.rows.dead, folder.compare.baseline);
  const postHoc = comparePostHoc(keptRows(folder, 'eval'), folder.compare.baseline);
  const sequential = folder.manifest?.sequential;
  const md = [
    `${renderComparison(comparison, title)}${note ? `\n\n${note}` : ''}`,
    ...renderLayers(layers),
    ...renderPostHoc(postHoc),
    // `run --until-decided`: the design fixed in advance and every look, kept when the comparison is rebuilt.
    ...(sequential ? [renderSequential(sequential)] : []),
  ].join('\n');
  await writeFileAtomic(paths.comparison, `${md}\n`);
  await writeRows(paths.comparisonCsv, comparisonColumns(comparison), comparisonRecords(comparison));
  if (layers.length > 0) await writeRows(paths.comparisonLayersCsv, LAYER_COLUMNS, layerRecords(layers));
  return md;
}

/**
 * `nrelu-bench report`: rebuilds the report of a finished folder in its summary's order; refuses a folder that lost
 * rows.
 */
export async function rebuildReport(dir: string, options: { html?: boolean } = {}): Promise<FolderReport> {
  const paths = resultPaths(dir);
  const summary = await readRows(paths.summary);
  const manifest = readManifest(paths.manifest);
  refuseIncomplete(
    dir,
    incompleteRuns(manifest, { summary, epochs: await readRows(paths.epochs), dead: await readRows(paths.dead) }),
  );
  return writeFolderReport(dir, {
    order: summary.map((r) => r.run_id),
    title: manifest?.name ?? 'Comparison',
    html: options.html,
  });
}

/** comparison.md rebuilt as `report` does (no report.html); returns its text. */
export async function rebuildComparison(dir: string): Promise<string> {
  return (await rebuildReport(dir)).comparison;
}
/** A finished run with rows lost would make the tables use n-1 seeds without a word: refuse, naming the runs. */
function refuseIncomplete(dir: string, incomplete: Map<string, string>): void {
  if (incomplete.size === 0) return;
  const list = [...incomplete]
    .slice(0, 3)
    .map(([id, why]) => `${id} (${why})`)
    .join(', ');
  throw new ResultsError(
    `${dir}: ${incomplete.size} finished run${incomplete.size === 1 ? '' : 's'} in manifest.json ` +
      `lack${incomplete.size === 1 ? 's' : ''} rows: ${list}${incomplete.size > 3 ? ', ...' : ''}`,
    {
      hint: 'rows were lost or removed by hand; `nrelu-bench run` with the same config and --out retrains those runs',
    },
  );
}
