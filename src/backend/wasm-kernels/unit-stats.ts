/**
 * The unit probe's per-unit statistics on the wasm backend in one pass over the heap (the contract is
 * UNIT_STATS_KERNEL's). The composition it replaces, max(abs(x)) and sum(abs(x)) over the leading axes, writes
 * |x| to a new tensor, then reads it once per statistic: for the CNN's first layer that is 88 MB per 1,024 probe
 * images, twice, and a third of the probe's time. The values are those of our Sum and Max kernels (reduce.ts) on
 * |x|: the sums in float64 with columnSumInto's association, four rows at a time, rounded once; the maxima in row
 * order, NaN winning.
 */
import { tf } from '../../tf.js';
import { UNIT_STATS, UNIT_STATS_KERNEL, type UnitStat } from '../fused-kernel-contract.js';
import { asHeapBackend, heapF32 } from './heap.js';
import { columnMaxInto } from './reduce.js';
import type { KernelArgs } from './replace.js';

let sums = new Float64Array(0);

/**
 * Column sums of |x| (float64, rounded into `sum`) and column maxima of |x| (into `max`) of a row-major
 * [rows, cols] matrix, in one pass; either output may be null.
 */
export function absStatsInto(
  x: Float32Array,
  rows: number,
  cols: number,
  sum: Float32Array | null,
  max: Float32Array | null,
): void {
  if (sums.length < cols) sums = new Float64Array(cols);
  const acc = sums;
  acc.fill(0, 0, cols);
  const m = max ?? new Float32Array(cols);
  for (let c = 0; c < cols; c++) m[c] = Math.abs(x[c]);
  let r = 0,
    o0 = 0;
  for (; r + 4 <= rows; r += 4, o0 += 4 * cols) {
    const o1 = o0 + cols,
      o2 = o1 + cols,
      o3 = o2 + cols;
    for (let c = 0; c < cols; c++) {
      const a0 = Math.abs(x[o0 + c]),
        a1 = Math.abs(x[o1 + c]),
        a2 = Math.abs(x[o2 + c]),
        a3 = Math.abs(x[o3 + c]);
      acc[c] += a0 + a1 + (a2 + a3);
      let v = m[c];
      if (a0 > v || a0 !== a0) v = a0;
      if (a1 > v || a1 !== a1) v = a1;
      if (a2 > v || a2 !== a2) v = a2;
      if (a3 > v || a3 !== a3) v = a3;
      m[c] = v;
    }
  }
  for (; r < rows; r++, o0 += cols) {
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(x[o0 + c]);
      acc[c] += a;
      if (a > m[c] || a !== a) m[c] = a;
    }
  }
  if (sum) sum.set(acc.subarray(0, cols));
}

function unitStats(args: KernelArgs): tf.TensorInfo[] {
  const { x } = args.inputs;
  const stats = (args.attrs?.stats ?? []) as UnitStat[];
  if (x == null || x.dtype !== 'float32' || x.shape.length < 2)
    throw new Error(`${UNIT_STATS_KERNEL} needs a float32 input of rank 2 or more`);
  if (new Set(stats).size !== stats.length || stats.some((s) => !UNIT_STATS.includes(s)))
    throw new Error(
      `${UNIT_STATS_KERNEL} takes distinct stats among ${UNIT_STATS.join(', ')}, got ${stats.join(', ')}`,
    );
  const cols = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / cols;
  if (!(rows > 0 && cols > 0)) throw new Error(`${UNIT_STATS_KERNEL} needs a non-empty input`);
  const backend = asHeapBackend(args.backend);
  const outs = stats.map(() => backend.makeOutput([cols], 'float32'));
  // Views only after the last allocation (growing the heap detaches them).
  const xs = heapF32(backend, x);
  const view = (stat: UnitStat): Float32Array | null => {
    const at = stats.indexOf(stat);
    return at < 0 ? null : heapF32(backend, outs[at]);
  };
  const max = view('max');
  if (max) columnMaxInto(xs, rows, cols, max);
  const [sumAbs, maxAbs] = [view('sumAbs'), view('maxAbs')];
  if (sumAbs || maxAbs) absStatsInto(xs, rows, cols, sumAbs, maxAbs);
  return outs;
}

export const unitStatsConfig: tf.KernelConfig = {
  kernelName: UNIT_STATS_KERNEL,
  backendName: 'wasm',
  kernelFunc: unitStats as unknown as tf.KernelFunc,
};
