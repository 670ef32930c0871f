/**
 * The comparison's options for a result folder: `compare` (margin, baseline, primary) from the resolved config in
 * its manifest.json, so `report` and `merge` rebuild the same verdicts `run` wrote. A key the manifest lacks (a
 * folder from before it existed, or no manifest) takes its default (`compareSettingsOf`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareSettingsOf } from '../results/manifest.js';
import type { CompareOptions } from './comparison.js';

export function readCompareOptions(resultsDir: string): Required<CompareOptions> {
  const file = join(resultsDir, 'manifest.json');
  if (!existsSync(file)) return compareSettingsOf({});
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { config?: { compare?: Record<string, unknown> } };
    const given = m.config?.compare ?? {};
    const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
    return compareSettingsOf({
      margin: typeof given.margin === 'number' && given.margin > 0 ? given.margin : undefined,
      baseline: text(given.baseline),
      primary: text(given.primary),
    });
  } catch {
    return compareSettingsOf({});
  }
}
