/**
 * Kept for the commands already quoted elsewhere: `nrelu-bench stats baselines` (src/cli/stats.ts, the library in
 * src/report/paired-analyses.ts) is the analysis; this passes its arguments on, `--sigmas` as `--values`.
 *
 *   npx tsx scripts/paired-vs-baselines.ts results/paper-mlp [--sigmas 0.05,0.1] [--against relu,gelu] [--metric C]
 */
import { main } from '../src/cli/main.js';

const args = process.argv.slice(2).map((a) => (a === '--sigmas' ? '--values' : a.replace(/^--sigmas=/, '--values=')));
process.exitCode = await main([process.argv[0], 'nrelu-bench', 'stats', 'baselines', ...args]);
