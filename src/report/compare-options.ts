/**
 * The comparison's options for a result folder: `compare.margin` from the resolved config in its
 * manifest.json, so `report` and `merge` rebuild the same verdicts `run` wrote. Folders from before
 * the key existed (or without a manifest) get the default margin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompareOptions } from './comparison.js';

export function readCompareOptions(resultsDir: string): CompareOptions {
  const file = join(resultsDir, 'manifest.json');
  if (!existsSync(file)) return {};
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { config?: { compare?: { margin?: unknown } } };
    const margin = m.config?.compare?.margin;
    return typeof margin === 'number' && margin > 0 ? { margin } : {};
  } catch {
    return {};
  }
}
