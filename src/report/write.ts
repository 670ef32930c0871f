/**
 * A result folder's comparison files: its CSVs sorted into grid order, then comparison.md,
 * comparison.csv and comparison-layers.csv rendered from the runs that may be pooled.
 */
import { ResultsError } from '../errors.js';
import { readRows, resultPaths, writeFileAtomic, writeRows } from '../results/files.js';
import { readManifest } from '../results/manifest.js';
import { excludedNote, poolableRows } from '../results/pooling.js';
import { incompleteRuns, sortResultFiles } from '../results/writer.js';
import { comparisonColumns, compare, comparisonRecords, renderComparison } from './comparison.js';
import { readCompareOptions } from './compare-options.js';
import { LAYER_COLUMNS, compareLayers, layerRecords, renderLayers } from './layers.js';
import { comparePostHoc, renderPostHoc } from './post-hoc.js';
import { renderSequential } from './sequential.js';

/**
 * Rewrites summary.csv, epochs.csv, dead_neurons.csv and robustness.csv in grid order (`order`:
 * run ids) and renders comparison.md, comparison.csv and comparison-layers.csv from them; returns the Markdown.
 */
export async function writeComparison(outDir: string, order: string[], title: string): Promise<string> {
  const paths = resultPaths(outDir);
  const sorted = await sortResultFiles(outDir, order);
  // Runs sharing a row's label but not its settings (e.g. kept from an earlier run with another learning rate) are
  // never pooled.
  const manifest = readManifest(paths.manifest);
  const { rows: pooled, excluded, unpaired } = poolableRows(sorted.summary ?? [], manifest);
  const left = new Set(excluded);
  const options = readCompareOptions(outDir);
  const comparison = compare(
    pooled,
    (sorted.robustness ?? []).filter((r) => !left.has(r.run_id)),
    options,
  );
  const note = excludedNote(excluded, unpaired);
  const layers = compareLayers(pooled, sorted.dead ?? [], options.baseline);
  const postHoc = comparePostHoc(
    (await readRows(paths.eval)).filter((r) => !left.has(r.run_id)),
    options.baseline,
  );
  const md = [
    `${renderComparison(comparison, title)}${note ? `\n\n${note}` : ''}`,
    ...renderLayers(layers),
    ...renderPostHoc(postHoc),
    // `run --until-decided`: the design fixed in advance and every look, kept when the comparison is rebuilt.
    ...(manifest?.sequential ? [renderSequential(manifest.sequential)] : []),
  ].join('\n');
  await writeFileAtomic(paths.comparison, `${md}\n`);
  await writeRows(paths.comparisonCsv, comparisonColumns(comparison), comparisonRecords(comparison));
  if (layers.length > 0) await writeRows(paths.comparisonLayersCsv, LAYER_COLUMNS, layerRecords(layers));
  return md;
}

/**
 * `nrelu-bench report`: rebuilds the comparison of a finished folder in its summary's order; refuses a folder that lost
 * rows.
 */
export async function rebuildComparison(dir: string): Promise<string> {
  const paths = resultPaths(dir);
  const summary = await readRows(paths.summary);
  const manifest = readManifest(paths.manifest);
  refuseIncomplete(
    dir,
    incompleteRuns(manifest, { summary, epochs: await readRows(paths.epochs), dead: await readRows(paths.dead) }),
  );
  return writeComparison(
    dir,
    summary.map((r) => r.run_id),
    manifest?.name ?? 'Comparison',
  );
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
