/**
 * report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) with the
 * comparison table and every chart of a result folder, model by model, and a note on how each
 * metric is measured; plus each chart as its own SVG file in plots/.
 */
import { existsSync } from 'node:fs';
import { DEFINITIONS } from './definitions.js';
import { pct, pValue, signedPct } from './format.js';
import { readdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { buildCharts, settingColors, settingOrder, type Chart } from './charts.js';
import {
  baselineRow,
  baselineTitle,
  compare,
  formatMetric,
  pairedCell,
  primaryLine,
  shownMetrics,
  unpairedNotes,
  type ComparisonRow,
} from './comparison.js';
import { VARIED_COLUMN, variedCell } from '../results/varied.js';
import { compareLayers, layerTableHead, layerTableRows, type LayerComparisonRow } from './layers.js';
import { pairedCharts } from './paired-chart.js';
import { layerCharts, seedStripChart, variantGapCharts } from './findings-charts.js';
import { comparePostHoc, type PostHocRow } from './post-hoc.js';
import type { PairedResult } from '../stats/paired.js';
import { verdictLabel } from '../stats/paired.js';
import { writeFileAtomic, type Row } from '../results/files.js';
import type { Manifest } from '../results/manifest.js';
import { keptRows, type LoadedFolder } from './folder.js';
import { insideFolder } from '../results/folder-paths.js';
import { inlineSvg, renderSvg } from './render.js';

export const REPORT_FILE = 'report.html';
export const PLOTS_DIR = 'plots';

export interface HtmlReport {
  /** Path of report.html. */
  html: string;
  /** Paths of the chart SVGs in plots/, in page order. */
  plots: string[];
}

export interface HtmlReportOptions {
  /** Receives rendering warnings from Vega (by default they are ignored). */
  onWarning?: (message: string) => void;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CSS =
  `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: ` +
  `#1d1d1f; background: #f6f7f9; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h1 small { font-weight: normal; color: #666; font-size: 16px; margin-left: 8px; }
h1 small + small::before { content: "· "; color: #aaa; }
h2 { margin: 36px 0 12px; font-size: 21px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { margin: 0; color: #555; font-size: 14px; }
.meta span + span::before { content: " · "; color: #aaa; }
section.model { background: #fff; border: 1px solid #e3e5e8; border-radius: 8px; padding: 4px 24px 20px; ` +
  `margin: 24px 0; }
table.comparison { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; ` +
  `margin: 8px 0; }
table.comparison caption { text-align: left; color: #555; font-size: 13px; padding-bottom: 6px; caption-side: ` +
  `top; }
table.comparison th, table.comparison td { padding: 5px 8px; border-bottom: 1px solid #eceef0; text-align: ` +
  `right; }
table.comparison[id^="table-"] td { white-space: nowrap; }
table.comparison[id^="table-"] td:nth-child(-n + 2), table.comparison[id^="table-"] td:nth-child(8) { white-space: ` +
  `normal; }
table.comparison th { background: #f2f4f7; font-weight: 600; white-space: normal; vertical-align: bottom; }
table.comparison th:first-child, table.comparison td:first-child { text-align: left; }
table.comparison tr.best td { background: #f3f8ee; }
.table-wrap { overflow-x: auto; scrollbar-width: thin; scrollbar-color: #b9bec6 #eceef0; }
.table-wrap::-webkit-scrollbar { height: 10px; }
.table-wrap::-webkit-scrollbar-thumb { background: #b9bec6; border-radius: 5px; }
.table-wrap::-webkit-scrollbar-track { background: #eceef0; }
section.across { margin: 24px 0; }
table.comparison td small { display: block; color: #8a5a00; font-size: 12px; white-space: normal; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 7px; ` +
  `vertical-align: -1px; }
.note { color: #555; font-size: 13px; margin: 6px 0 0; }
.charts { display: flex; flex-wrap: wrap; gap: 20px; margin-top: 16px; }
figure.chart { margin: 0; flex: 1 1 560px; max-width: 100%; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 13px; margin-top: 4px; }
dl.how dt { font-weight: 600; margin-top: 10px; }
dl.how dd { margin: 2px 0 0 0; color: #333; }
footer { color: #777; font-size: 13px; padding-bottom: 32px; }
`;

/** How each metric of the table is measured (the charts carry their own notes); optional columns last. */
const METRIC_NOTES: [string, string][] = [
  [
    'Test accuracy',
    `${DEFINITIONS.accuracy}, after the last epoch. Mean ± sample ` +
      `standard deviation over seeds; the best mean of each model is in bold.`,
  ],
  [
    '95% CI, n',
    'Confidence interval of the mean test accuracy (Student t with n - 1 ' +
      'degrees of freedom) over the n completed seeds; – with fewer than two seeds.',
  ],
  [
    'Δ vs the baseline, p Welch',
    "Difference of the mean test accuracy from the baseline's (compare.baseline, ReLU by default) with the same " +
      "model, in percentage points, and the two-sided p-value of Welch's (unpaired) t-test against the baseline's " +
      'seeds (– below two seeds).',
  ],
  [
    'Paired Δ, paired p, Holm p, TOST Holm p, verdict',
    'Mean over seeds of (this setting − the baseline with the same seed), in percentage points, with its 95% ' +
      "Student-t interval; the paired t-test's two-sided p; that p Holm–Bonferroni-adjusted over the " +
      "model's settings; the equivalence test's p (two one-sided tests against ±m, m = compare.margin) " +
      'adjusted over the same settings; verdict: "equivalent (±m)" if the TOST Holm p is below 0.05, ' +
      'else "better"/"worse" if the Holm p is below 0.05, else "inconclusive". The primary comparison ' +
      '(compare.primary vs the baseline, named in advance) is judged on its unadjusted p-values, in the line under ' +
      'the table. Seeds without a completed partner are left out of the pairs and named under the table.',
  ],
];
/** Notes after the compared metrics' own (columns.ts), the optional ones among those placed after these. */
const COMPLETION_NOTES: [string, string][] = [
  [
    'Not completed',
    'Runs that diverged or failed are counted apart (n + k not completed) and left out of every number and chart.',
  ],
];
const NOISE_NOTE: [string, string] = ['Acc at noise s', `${DEFINITIONS.robustness}, mean over seeds (robustness.csv).`];

interface ManifestInfo {
  name?: string;
  dataset?: string;
  backend?: string;
  tfjs?: string;
  version?: string;
  finishedAt?: string | null;
}

/** The page's header facts from the manifest (the fields a damaged or older one lacks are left out). */
function manifestInfo(manifest: Manifest | null): ManifestInfo {
  if (!manifest) return {};
  const m = manifest as unknown as Record<string, unknown>;
  const obj = (v: unknown): Record<string, unknown> =>
    v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    name: str(m.name),
    dataset: str(obj(m.dataset).name) ?? str(obj(m.config).dataset),
    backend: str(obj(m.backend).name),
    tfjs: str(obj(m.versions).tfjs),
    version: str(obj(m.versions).nreluBench),
    finishedAt: str(m.finishedAt) ?? null,
  };
}

/** A table in its scrolling wrapper: caption, header cells (HTML) and body rows (HTML). */
function htmlTable(id: string, caption: string, head: string[], body: string[]): string {
  return [
    `<div class="table-wrap"><table class="comparison" id="${escapeHtml(id)}">`,
    `<caption>${caption}</caption>`,
    `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`,
    `<tbody>${body.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');
}

const rowHtml = (cells: string[], best = false): string =>
  `<tr${best ? ' class="best"' : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;

/**
 * The comparison of one model: accuracy and its tests in one table, and the other compared metrics (optional
 * columns, shown when some row has them) and the accuracy under input noise in a second one below it, so neither is
 * wider than the page.
 */
function renderTable(model: string, rows: ComparisonRow[], colors: Map<string, string>): string {
  const best = Math.max(...rows.filter((r) => r.n > 0).map((r) => r.accMean));
  const metrics = shownMetrics(rows);
  const levels = [...new Set(rows.flatMap((r) => [...r.robustness.keys()]))].sort((a, b) => Number(a) - Number(b));
  const relu = baselineRow(rows);
  const pv = (v: number | null): string => pValue(v, '&lt;');
  const settingCell = (r: ComparisonRow): string =>
    `<span class="swatch" style="background:${colors.get(r.setting) ?? '#888'}"></span>${escapeHtml(r.setting)}`;
  const main = rows.map((r) => {
    const isBest = r.n > 0 && r.accMean === best;
    const acc = r.n === 0 ? '–' : `${pct(r.accMean)} ± ${pct(r.accStd)}`;
    const ci = Number.isNaN(r.ciLow) || Number.isNaN(r.ciHigh) ? '–' : `[${pct(r.ciLow)}, ${pct(r.ciHigh)}]`;
    const n = r.notCompleted ? `${r.n} <small>(+${r.notCompleted} not completed)</small>` : String(r.n);
    const verdict = r.verdict ? escapeHtml(verdictLabel(r.verdict, r.marginPp)) : '–';
    const cells = [
      settingCell(r),
      escapeHtml(variedCell(r.varied) || '–'),
      isBest ? `<strong>${acc}</strong>` : acc,
      ci,
      n,
      signedPct(r.deltaVsRelu, '−'),
      pv(r.pVsRelu),
      escapeHtml(pairedCell(r, relu)),
      pv(r.paired?.p ?? null),
      pv(r.pairedPHolm),
      pv(r.tostPHolm),
      verdict,
    ];
    return rowHtml(cells, isBest);
  });
  const b = escapeHtml(baselineTitle(relu?.baseline ?? rows[0]?.baseline ?? ''));
  // The varied parameter's column, named as in comparison.md (its cells name any other parameter: `beta=0.3`).
  const head = ['setting', VARIED_COLUMN, 'test acc (%)', '95% CI', 'n', `Δ vs ${b} (pp)`, 'p Welch'];
  const pairedHead = ['paired Δ (pp) [95% CI]', 'paired p', 'Holm p', 'TOST Holm p', 'verdict'];
  const M = escapeHtml(model.toUpperCase());
  const extra = metrics.length + levels.length > 0;
  const other = rows.map((r) =>
    rowHtml([
      settingCell(r),
      ...metrics.map(({ column, metric }) => formatMetric(metric.format, r.means[column], r.units)),
      ...levels.map((l) => (r.robustness.has(l) ? pct(r.robustness.get(l) as number) : '–')),
    ]),
  );
  return [
    htmlTable(
      `table-${model}`,
      `${M}: test accuracy after the last epoch over seeds; best mean in bold.`,
      [...head, ...pairedHead],
      main,
    ),
    ...unpairedNotes(rows).map((t) => `<p class="note">Not paired: ${escapeHtml(t)}</p>`),
    ...[primaryLine(rows, relu)]
      .filter((t): t is string => t !== null)
      .map((t) => `<p class="note primary">${escapeHtml(t)}</p>`),
    extra
      ? htmlTable(
          `metrics-${model}`,
          `${M}: the other compared metrics, mean over the same seeds.`,
          [
            'setting',
            ...metrics.map(({ metric }) => metric.html),
            ...levels.map((l) => `acc (%) at noise ${escapeHtml(l)}`),
          ],
          other,
        )
      : '',
  ].join('\n');
}

/** Post-hoc evaluation of saved models (eval.csv, post-hoc.ts), as in comparison.md; empty without eval.csv rows. */
function renderPostHocTable(model: string, rows: PostHocRow[]): string {
  if (rows.length === 0) return '';
  const cell = (p: PairedResult | null): string => (p ? escapeHtml(pairedCell({ paired: p, n: p.n })) : '–');
  const pv = (p: PairedResult | null): string => pValue(p?.p ?? null, '&lt;');
  const body = rows.map((r) =>
    rowHtml([
      escapeHtml(r.setting),
      escapeHtml(r.mode),
      String(r.n),
      pct(r.accMean),
      cell(r.vsRelu),
      pv(r.vsRelu),
      escapeHtml(r.reluMode ?? '–'),
      cell(r.vsDeterministic),
      pv(r.vsDeterministic),
    ]),
  );
  const b = escapeHtml(baselineTitle(rows[0].baseline));
  const head = ['setting', 'mode', 'n', 'test acc (%)', `Δ vs ${b} (pp) [95% CI]`, 'p', `${b} read in`];
  return htmlTable(
    `posthoc-${model}`,
    `${escapeHtml(model.toUpperCase())}: post-hoc evaluation of the saved models (eval.csv). ` +
      '<em>deterministic</em>: inference mode (it reproduces the run&#39;s own score); <em>mc:K</em>: the softmax ' +
      `averaged over K training-mode passes. Δ vs ${b} paired by seed (same mode, else its deterministic rows); ` +
      'vs deterministic: this mode minus the same runs&#39; inference-mode accuracy; 95% t-intervals, paired p.',
    [...head, 'vs deterministic (pp) [95% CI]', 'p'],
    body,
  );
}

/** Units per layer, paired with the baseline (layers.ts); empty without per-layer probes. */
function renderLayerTable(model: string, rows: LayerComparisonRow[]): string {
  if (rows.length === 0) return '';
  const b = escapeHtml(baselineTitle(rows[0].baseline));
  const head = ['layer', 'setting', ...layerTableHead(rows)];
  const body = layerTableRows(rows).map(
    (r) =>
      `<tr>${[`${r.layer} (${r.units})`, r.setting, ...r.cells].map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`,
  );
  return [
    `<div class="table-wrap"><table class="comparison" id="layers-${escapeHtml(model)}">`,
    `<caption>${escapeHtml(model.toUpperCase())} per layer at the last ` +
      `probe: mean units over seeds, and the paired difference from ${b} ` +
      `by seed with its 95% interval, paired p (unadjusted) and the pairs with fewer / more units than ${b}.</caption>`,
    `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${body.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');
}

function renderFigure(chart: Chart, svg: string): string {
  return (
    `<figure class="chart" id="chart-${chart.id}">\n${inlineSvg(svg, chart.id)}\n` +
    `<figcaption><strong>How measured.</strong> ${escapeHtml(chart.note)}</figcaption>\n</figure>`
  );
}

/** Everything one page shows. */
interface PageData {
  /** The folder's name (the page's title) and the manifest's identity (its config's name beside it). */
  folder: string;
  info: ManifestInfo;
  summary: Row[];
  table: ComparisonRow[];
  layers: LayerComparisonRow[];
  postHoc: PostHocRow[];
  charts: Chart[];
  svgs: Map<string, string>;
  colors: Map<string, string>;
  excluded: string[];
}

/** The charts across the folder's models (variant gaps, per-seed strips), before the models' own sections. */
function renderAcross(charts: Chart[], svgs: Map<string, string>): string {
  const mine = charts.filter((c) => c.model === '');
  if (mine.length === 0) return '';
  return [
    '<section class="across" id="across-models">',
    '<h2>Across models</h2>',
    `<div class="charts">\n${mine.map((c) => renderFigure(c, svgs.get(c.id) ?? '')).join('\n')}\n</div>`,
    '</section>',
  ].join('\n');
}

/** The "How measured" list under the page: the table's metrics, optional ones last. */
function tableNotes(table: ComparisonRow[]): [string, string][] {
  const metricNotes = shownMetrics(table);
  return [
    ...METRIC_NOTES,
    ...metricNotes
      .filter(({ metric }) => !metric.optional)
      .flatMap(({ metric }) => (metric.note ? [[...metric.note] as [string, string]] : [])),
    ...COMPLETION_NOTES,
    ...metricNotes
      .filter(({ metric }) => metric.optional)
      .flatMap(({ metric }) => (metric.note ? [[...metric.note] as [string, string]] : [])),
    ...(table.some((r) => r.robustness.size > 0) ? [NOISE_NOTE] : []),
  ];
}

/** One model's section: its comparison, per-layer and post-hoc tables, then its charts. */
function renderModel(d: PageData, model: string): string {
  const figures = d.charts.filter((c) => c.model === model).map((c) => renderFigure(c, d.svgs.get(c.id) ?? ''));
  return [
    `<section class="model" id="model-${escapeHtml(model)}">`,
    `<h2>${escapeHtml(model.toUpperCase())}</h2>`,
    renderTable(
      model,
      d.table.filter((r) => r.model === model),
      d.colors,
    ),
    renderLayerTable(
      model,
      d.layers.filter((r) => r.model === model),
    ),
    renderPostHocTable(
      model,
      d.postHoc.filter((r) => r.model === model),
    ),
    `<div class="charts">\n${figures.join('\n')}\n</div>`,
    '</section>',
  ].join('\n');
}

function renderPage(d: PageData): string {
  const { info, summary, table, charts, svgs, excluded } = d;
  const title = d.folder;
  const config = info.name && info.name !== d.folder ? `<small>config ${escapeHtml(info.name)}</small>` : '';
  const completed = summary.filter((r) => r.status === 'completed').length;
  const notCompleted = summary.filter((r) => r.status !== 'completed');
  const meta = [
    info.dataset && `dataset ${info.dataset}`,
    info.backend && `backend ${info.backend}`,
    `${completed} of ${summary.length} runs completed`,
    info.tfjs && `TF.js ${info.tfjs}`,
    info.version && `nrelu-bench ${info.version}`,
    info.finishedAt && `finished ${info.finishedAt}`,
  ]
    .filter((s): s is string => Boolean(s))
    .map((s) => `<span>${escapeHtml(s)}</span>`);
  const models = [...new Set(table.map((r) => r.model))];
  const notes = tableNotes(table);
  const sections = models.map((model) => renderModel(d, model));
  const skipped = notCompleted.length
    ? `<p class="note">Left out of the table and charts (not ` +
      `completed): ${notCompleted.map((r) => `${escapeHtml(r.run_id)} (${escapeHtml(r.status)})`).join(', ')}.</p>`
    : '';
  const leftOut = excluded.length
    ? `<p class="note">Left out of the tables and charts (trained with other settings than the row ` +
      `they would join; their rows stay in the CSVs): ${excluded.map(escapeHtml).join(', ')}.</p>`
    : '';
  return (
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}${info.name && info.name !== title ? ` (${escapeHtml(info.name)})` : ''}: nrelu-bench report</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}${config}<small>nrelu-bench report</small></h1>
<p class="meta">${meta.join('')}</p>
${skipped}
${leftOut}
</header>
<main>
${renderAcross(charts, svgs)}
${sections.join('\n')}
<section id="how-measured">
<h2>How the table's metrics are measured</h2>
<dl class="how">
${notes.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}
</dl>
</section>
</main>
<footer><p>Built from summary.csv and epochs.csv in this folder. Each chart is also in ${PLOTS_DIR}/ as an SVG ` +
    `file. Lines are means over seeds, bands the min-max over seeds.</p></footer>
</body>
</html>
`
  );
}

/**
 * Writes `<folder>/report.html` and one SVG per chart in `<folder>/plots/` (SVGs left there by an earlier report and
 * no longer produced are removed), built from the loaded folder: the runs its comparison pools. Every file is written
 * atomically.
 */
export async function writeHtmlReport(folder: LoadedFolder, options: HtmlReportOptions = {}): Promise<HtmlReport> {
  const summary = folder.pooled.rows;
  const table = compare(summary, keptRows(folder, 'robustness'), folder.compare);
  const layers = compareLayers(summary, keptRows(folder, 'dead'), folder.compare.baseline);
  const postHoc = comparePostHoc(keptRows(folder, 'eval'), folder.compare.baseline);
  const colors = settingColors(settingOrder(summary));
  // The paired-difference chart leads each model's charts: it answers the comparison the table asks.
  const charts = [
    ...variantGapCharts(table),
    ...seedStripChart(summary, colors),
    ...pairedCharts(table, colors),
    ...layerCharts(layers, colors),
    ...buildCharts({ summary, epochs: keptRows(folder, 'epochs'), robustness: keptRows(folder, 'robustness') }),
  ];
  const { svgs, plots } = await writePlots(folder.dir, charts, options);
  const html = join(folder.dir, REPORT_FILE);
  await writeFileAtomic(
    html,
    renderPage({
      folder: basename(resolve(folder.dir)),
      info: manifestInfo(folder.manifest),
      summary,
      table,
      layers,
      postHoc,
      charts,
      svgs,
      colors,
      excluded: folder.pooled.excluded,
    }),
  );
  return { html, plots };
}

/** Each chart as `plots/<id>.svg`, other SVGs there removed; returns the SVGs by chart id and their paths. */
async function writePlots(
  dir: string,
  charts: Chart[],
  options: HtmlReportOptions,
): Promise<{ svgs: Map<string, string>; plots: string[] }> {
  // Never through a link: plots/ linked elsewhere would have the report write (and delete) SVGs there.
  const plotsDir = insideFolder(dir, PLOTS_DIR);
  const svgs = new Map<string, string>();
  const plots: string[] = [];
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec, { onWarning: options.onWarning });
    svgs.set(chart.id, svg);
    const file = insideFolder(dir, PLOTS_DIR, `${chart.id}.svg`);
    await writeFileAtomic(file, svg);
    plots.push(file);
  }
  if (existsSync(plotsDir)) {
    const keep = new Set(charts.map((c) => `${c.id}.svg`));
    for (const name of await readdir(plotsDir)) {
      if (name.endsWith('.svg') && !keep.has(name)) await rm(join(plotsDir, name), { force: true });
    }
  }
  return { svgs, plots };
}
