/**
 * The metric registry: the probes the trainer runs on probe epochs, in order (a probe may read the results of those
 * before it: the unit history reads the unit probe's dead flags). The column registry (results/columns.ts) reads
 * their columns, so the files, `check`, the comparison, the per-layer table, the charts and `npm run columns` follow.
 *
 * Adding a metric that ships with the harness: its descriptor file (descriptor.ts; `unit-probe.ts` is the example)
 * and its entry in BUILTIN below (docs/ARCHITECTURE.md).
 */
import type { tf } from '../tf.js';
import type { AnyMetric, ProbeInputs } from './descriptor.js';
import type { ProbeRecord } from './record.js';
import { hiddenLinearLayers } from './probe.js';
import { unitProbe } from './unit-probe.js';
import { historyProbe } from './history-probe.js';
import { gradientProbe } from './gradient-probe.js';

/** The probes that ship with the harness, in the order they run. */
const BUILTIN: readonly AnyMetric[] = [unitProbe, historyProbe, gradientProbe];

const registered: AnyMetric[] = [];
let read = false;

/** Every probe, built-in first, in the order they run; reading the list fixes it (the column registry is built once). */
export function metricDescriptors(): readonly AnyMetric[] {
  read = true;
  return [...BUILTIN, ...registered];
}

/**
 * Adds a probe after the built-in ones: one that does not ship with the harness (a test's). It must come before
 * anything reads the list, since the files' columns are fixed when they are first read.
 */
export function registerMetric(metric: AnyMetric): void {
  if (read) throw new Error(`metric ${metric.name}: register probes before the metric list is first read`);
  const all = [...BUILTIN, ...registered];
  if (all.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} is already registered`);
  const taken = new Set(all.flatMap((m) => Object.keys(m.columns)));
  const clash = Object.keys(metric.columns).find((c) => taken.has(c));
  if (clash !== undefined) throw new Error(`metric ${metric.name}: column ${clash} belongs to another probe`);
  registered.push(metric);
}

/** A run's probes, each with the state it keeps between probes (`start`, once per run). */
export interface ProbeSession {
  /** Every probe's result on `model` after a probe epoch, in the registry's order, with the hidden layers probed. */
  measure(model: tf.LayersModel, inputs: Omit<ProbeInputs, 'model' | 'earlier'>): Promise<ProbeRecord>;
}

export function startProbes(): ProbeSession {
  const probes = metricDescriptors().map((metric) => ({ metric, state: metric.start?.() }));
  return {
    async measure(model, inputs) {
      const results: Record<string, unknown> = {};
      for (const { metric, state } of probes) {
        results[metric.name] = await metric.measure({ ...inputs, model, earlier: results }, state);
      }
      return { layers: hiddenLinearLayers(model).map((l) => l.name), results };
    },
  };
}
