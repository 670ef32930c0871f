/**
 * Terminal sparklines: test accuracy per epoch, one line per setting, for the summary printed at
 * the end of `run`. Eight Unicode blocks; within a model all settings share one scale, so a
 * lower line is a lower accuracy.
 */
import { aggregateSeries, cellNumber, settingOrder } from './charts.js';
import { settingOf } from '../results/pooling.js';
import type { Row } from '../results/files.js';

export const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineRange {
  min: number;
  max: number;
}

/**
 * One block per value: the range's min maps to ▁ and its max to █ (by default the series' own
 * min and max); a constant series is a row of ▄; a non-finite value is a space.
 */
export function sparkline(values: number[], range?: SparklineRange): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return values.map(() => ' ').join('');
  const min = range?.min ?? Math.min(...finite);
  const max = range?.max ?? Math.max(...finite);
  const top = BLOCKS.length - 1;
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      if (!(max > min)) return BLOCKS[3];
      const level = Math.round(((v - min) / (max - min)) * top);
      return BLOCKS[Math.min(top, Math.max(0, level))];
    })
    .join('');
}

export interface SparklineOptions {
  /**
   * summary.csv rows: when given, only completed runs are shown (as in the comparison table) and
   * settings follow the table's order; otherwise every run in `epochRows` is used.
   */
  summary?: Row[];
}

/**
 * A per-model block of lines `  <setting>  <sparkline>  <final mean test acc>`: mean test
 * accuracy over seeds at each epoch. Empty string when there is nothing to show.
 */
export function renderSparklines(epochRows: Row[], options: SparklineOptions = {}): string {
  const firstRows = new Map<string, Row>();
  for (const r of epochRows) if (!firstRows.has(r.run_id)) firstRows.set(r.run_id, r);
  const runRows = options.summary ?? [...firstRows.values()];
  const runs = new Map(
    runRows
      .filter((r) => !options.summary || r.status === 'completed')
      .map((r) => [r.run_id, { model: r.model, setting: settingOf(r) }]),
  );
  const order = settingOrder(runRows);
  const lines: string[] = [];
  const models = [...new Set([...runs.values()].map((r) => r.model))].sort();
  const width = Math.max(0, ...[...runs.values()].map((r) => r.setting.length));
  for (const model of models) {
    const mine = new Map([...runs].filter(([, r]) => r.model === model));
    const points = aggregateSeries(
      epochRows.filter((r) => cellNumber(r.epoch) !== null),
      mine,
      'epoch',
      'test_acc',
    );
    if (points.length === 0) continue;
    const range = { min: Math.min(...points.map((p) => p.mean)), max: Math.max(...points.map((p) => p.mean)) };
    lines.push(
      `${model.toUpperCase()}  test accuracy per epoch (mean over seeds; ` +
        `▁ ${pct(range.min)} .. █ ${pct(range.max)})`,
    );
    for (const setting of order) {
      const series = points.filter((p) => p.setting === setting).sort((a, b) => a.x - b.x);
      if (series.length === 0) continue;
      const last = series[series.length - 1].mean;
      lines.push(
        `  ${setting.padEnd(width)}  ${sparkline(
          series.map((p) => p.mean),
          range,
        )}  ${pct(last)}`,
      );
    }
  }
  return lines.join('\n');
}

function pct(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}
