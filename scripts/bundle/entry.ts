/**
 * The bundle's one entry (scripts/bundle.mjs builds it into bundle/nrelu-bench.mjs): the CLI, and
 * also its own worker process (`run` forks this same file with NRELU_BENCH_WORKER set), so that
 * one JavaScript file and no node_modules of nrelu-bench's own packages are needed.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WORKER_ENV } from '../../src/runner/protocol.js';
import { WORKER_MODULE_ENV } from '../../src/runner/worker-process.js';

const self = fileURLToPath(import.meta.url);
process.env[WORKER_MODULE_ENV] = self;
// TF.js looks for its .wasm files beside its own module, which the bundle does not keep.
setWasmPaths(`${dirname(self)}/wasm/`);

if (process.env[WORKER_ENV]) {
  await import('../../src/runner/worker.js');
} else {
  const { main } = await import('../../src/cli/main.js');
  process.exitCode = await main(process.argv).catch((err: unknown) => {
    console.error(err);
    return 1;
  });
}
