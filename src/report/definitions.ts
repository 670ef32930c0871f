/**
 * What each metric means, in one place: the HTML report's notes under the table and the charts'
 * notes both start from these sentences and add only their own context (per epoch, or at the last
 * epoch, mean over seeds). comparison.md keeps a compressed form of them in its header; the README
 * has its own words. A metric column's definition is its registry row's (results/columns.ts); the
 * ones here are not columns of their own.
 */
import { COLUMN_DOCS } from '../results/columns.js';

export const DEFINITIONS = {
  accuracy:
    'Share of test images whose arg-max prediction is the true ' +
    'class, model in inference mode (N-ReLU and RReLU noise off)',
  ...COLUMN_DOCS,
  robustness:
    'Test accuracy with additive Gaussian noise of standard deviation ' +
    's on the test inputs (seeded, clipped to the input range)',
} as const;
