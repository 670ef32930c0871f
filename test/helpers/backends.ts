/**
 * Runs tests on each in-process backend the CI machines have (cpu and wasm), through the same
 * selectBackend the CLI uses, so wasm has nrelu-bench's extra kernels. The native 'tensorflow'
 * backend is never a test dependency.
 */
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';

export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/** Switches the global TF.js instance to `name` and waits until it is ready. */
export async function useBackend(name: TestBackend): Promise<void> {
  await selectBackend(name);
  tf.env().set('PROD', true); // silences the cpu backend's "install tfjs-node" banner
  await tf.ready();
}
