/**
 * Kept for the commands already quoted elsewhere: `nrelu-bench stats gap` (src/cli/stats.ts, the library in
 * src/report/paired-analyses.ts) is the analysis; this passes its arguments on.
 *
 *   npx tsx scripts/gap-contrast.ts results/mechanism-cnn [--setting nrelu-s0.1] [--reference cnn] [--metric C]
 */
import { main } from '../src/cli/main.js';

process.exitCode = await main([process.argv[0], 'nrelu-bench', 'stats', 'gap', ...process.argv.slice(2)]);
