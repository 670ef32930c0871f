/** Summary statistics of repeated timings, hyperfine-style: the median with its spread. */

export interface TimingStats {
  /** Median of the samples (the figure to compare). */
  median: number;
  min: number;
  max: number;
  mean: number;
  /** Number of samples. */
  n: number;
}

export function timingStats(samples: readonly number[]): TimingStats {
  if (samples.length === 0) throw new Error('timingStats needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], mean, n: sorted.length };
}

/** Peak process memory and TF.js memory seen by `sample()` calls. */
export class MemoryPeak {
  /** Largest resident set size sampled, bytes. */
  rssBytes = 0;
  /** Largest tf.memory().numBytes sampled. */
  tfBytes = 0;

  sample(tfBytes: number): void {
    this.rssBytes = Math.max(this.rssBytes, process.memoryUsage.rss());
    this.tfBytes = Math.max(this.tfBytes, tfBytes);
  }

  /** The kernel's high-water mark of the resident set (covers moments between samples), bytes. */
  static maxRssBytes(): number {
    return process.resourceUsage().maxRSS * 1024;
  }
}
